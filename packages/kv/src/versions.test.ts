// KV v2 delete/, undelete/, destroy/ (vault-api.md V6–V8, §2.5).
import { describe, expect, it } from 'vitest';
import { expectVaultError } from './testing/expect-vault-error.js';
import { createKvHarness, type KvHarness } from './testing/kv-harness.js';

const T0 = '2026-01-01T00:00:00Z';

async function threeVersions(): Promise<KvHarness> {
  const h = await createKvHarness();
  for (let i = 1; i <= 3; i++) await h.call('update', 'data/k', { data: { i } });
  return h;
}

async function versions(h: KvHarness): Promise<Record<string, { deletion_time: string; destroyed: boolean }>> {
  return (await h.call('read', 'metadata/k'))?.data?.versions as Record<string, { deletion_time: string; destroyed: boolean }>;
}

describe('KV v2 delete/', () => {
  it('soft-deletes the listed versions and skips unknown ones', async () => {
    const h = await threeVersions();
    await h.clock.advance(1000);
    expect(await h.call('update', 'delete/k', { versions: [1, 3, 99] })).toBeUndefined();
    const v = await versions(h);
    expect([v['1']?.deletion_time, v['2']?.deletion_time, v['3']?.deletion_time]).toEqual(['2026-01-01T00:00:01Z', '', '2026-01-01T00:00:01Z']);
    expect((await h.call('read', 'data/k', { version: 2 }))?.data?.data).toEqual({ i: 2 });
    expect((await h.call('read', 'data/k', { version: 1 }))?.status).toBe(404);
  });

  it('accepts a comma list, keeps an earlier deletion time, and needs at least one version', async () => {
    const h = await threeVersions();
    await h.call('update', 'delete/k', { versions: '1' });
    await h.clock.advance(5000);
    await h.call('update', 'delete/k', { versions: '1,2' });
    const v = await versions(h);
    expect(v['1']?.deletion_time).toBe(T0);
    expect(v['2']?.deletion_time).toBe('2026-01-01T00:00:05Z');
    await expectVaultError(h.call('update', 'delete/k', {}), 400, 'No version number provided');
    await expectVaultError(h.call('update', 'delete/k', { versions: [] }), 400, 'No version number provided');
    expect(await h.call('update', 'delete/none', { versions: [1] })).toBeUndefined();
  });
});

describe('KV v2 undelete/', () => {
  it('restores soft-deleted versions but not destroyed ones', async () => {
    const h = await threeVersions();
    await h.call('update', 'delete/k', { versions: [1, 2] });
    await h.call('update', 'destroy/k', { versions: [2] });
    expect(await h.call('update', 'undelete/k', { versions: [1, 2] })).toBeUndefined();
    expect((await h.call('read', 'data/k', { version: 1 }))?.data?.data).toEqual({ i: 1 });
    const v2 = await h.call('read', 'data/k', { version: 2 });
    expect(v2).toMatchObject({ status: 404, data: { data: null, metadata: { destroyed: true, deletion_time: T0 } } });
    await expectVaultError(h.call('update', 'undelete/k', { versions: [] }), 400, 'No version number provided');
    expect(await h.call('update', 'undelete/none', { versions: [1] })).toBeUndefined();
  });
});

describe('KV v2 destroy/', () => {
  it('removes the data for good and keeps destroyed:true in metadata', async () => {
    const h = await threeVersions();
    expect(await h.call('update', 'destroy/k', { versions: [2, 42] })).toBeUndefined();
    const v = await versions(h);
    expect(v['2']).toEqual({ created_time: T0, deletion_time: '', destroyed: true });
    expect(await h.call('read', 'data/k', { version: 2 })).toEqual({
      status: 404,
      data: { data: null, metadata: { created_time: T0, custom_metadata: null, deletion_time: '', destroyed: true, version: 2 } },
    });
    const stored = [...h.memory.entries()].filter(([key]) => key.includes('/versions/')).map(([key]) => key.split('/').pop());
    expect(stored.sort()).toEqual(['1', '3']);
    // A destroyed version is not soft-deleted afterwards.
    await h.call('update', 'delete/k', { versions: [2] });
    expect((await versions(h))['2']?.deletion_time).toBe('');
    await expectVaultError(h.call('update', 'destroy/k', { versions: [] }), 400, 'no version number provided');
    expect(await h.call('update', 'destroy/none', { versions: [1] })).toBeUndefined();
  });

  it('has no read operation (405)', async () => {
    const h = await threeVersions();
    await expectVaultError(h.call('read', 'destroy/k'), 405, 'unsupported operation');
  });
});
