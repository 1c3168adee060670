// KV v2 metadata/ (vault-api.md V9–V13, §2.5 pruning, §5 #2).
import { describe, expect, it } from 'vitest';
import { expectVaultError } from './testing/expect-vault-error.js';
import { createKvHarness, type KvHarness } from './testing/kv-harness.js';

const T0 = '2026-01-01T00:00:00Z';

async function writeTimes(h: KvHarness, key: string, times: number): Promise<void> {
  for (let i = 1; i <= times; i++) await h.call('update', `data/${key}`, { data: { i } });
}

function storedVersionEntries(h: KvHarness): number {
  return [...h.memory.entries()].filter(([key]) => key.includes('/versions/')).length;
}

describe('KV v2 metadata read', () => {
  it('describes a key written once: current 1, oldest 0', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/k', { data: { a: 1 } });
    await h.clock.advance(2000);
    await h.call('update', 'data/k', { data: { a: 2 } });
    expect(await h.call('read', 'metadata/k')).toEqual({
      data: {
        cas_required: false,
        created_time: T0,
        current_version: 2,
        custom_metadata: null,
        delete_version_after: '0s',
        max_versions: 0,
        oldest_version: 0,
        updated_time: '2026-01-01T00:00:02Z',
        versions: {
          '1': { created_time: T0, deletion_time: '', destroyed: false },
          '2': { created_time: '2026-01-01T00:00:02Z', deletion_time: '', destroyed: false },
        },
      },
    });
    await expectVaultError(h.call('read', 'metadata/none'), 404);
  });
});

describe('KV v2 max_versions pruning', () => {
  it('keeps 10 versions by default and removes the pruned data from storage', async () => {
    const h = await createKvHarness();
    await writeTimes(h, 'k', 12);
    const meta = (await h.call('read', 'metadata/k'))?.data;
    expect(meta).toMatchObject({ current_version: 12, oldest_version: 3 });
    expect(Object.keys(meta?.versions as object).map(Number).sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    await expectVaultError(h.call('read', 'data/k', { version: 2 }), 404);
    expect(storedVersionEntries(h)).toBe(10);
  });

  it('a lowered max_versions prunes the whole range on the next write, data included', async () => {
    const h = await createKvHarness();
    await writeTimes(h, 'k', 5);
    await h.call('update', 'metadata/k', { max_versions: 1 });
    await writeTimes(h, 'k', 1);
    expect((await h.call('read', 'metadata/k'))?.data).toMatchObject({ current_version: 6, oldest_version: 6 });
    expect(storedVersionEntries(h)).toBe(1);
  });

  it('max 2 and three writes leave versions {2,3} and oldest 2', async () => {
    const h = await createKvHarness();
    await h.call('update', 'config', { max_versions: 2 });
    await writeTimes(h, 'k', 3);
    const meta = (await h.call('read', 'metadata/k'))?.data;
    expect(meta).toMatchObject({ current_version: 3, oldest_version: 2 });
    expect(Object.keys(meta?.versions as object)).toEqual(['2', '3']);
    expect(storedVersionEntries(h)).toBe(2);
  });

  it('uses the larger of the key and engine settings: a key cannot retain fewer than the engine (§5 #2)', async () => {
    const h = await createKvHarness();
    await h.call('update', 'config', { max_versions: 5 });
    await h.call('update', 'metadata/small', { max_versions: 2 });
    await writeTimes(h, 'small', 5);
    expect((await h.call('read', 'metadata/small'))?.data).toMatchObject({ current_version: 5, oldest_version: 1, max_versions: 2 });
    expect(Object.keys((await h.call('read', 'metadata/small'))?.data?.versions as object)).toEqual(['1', '2', '3', '4', '5']);
    expect((await h.call('read', 'data/small', { version: 1 }))?.data?.data).toEqual({ i: 1 });

    await h.call('update', 'config', { max_versions: 2 });
    await h.call('update', 'metadata/big', { max_versions: 3 });
    await writeTimes(h, 'big', 5);
    const big = (await h.call('read', 'metadata/big'))?.data;
    expect(big).toMatchObject({ current_version: 5, oldest_version: 3 });
    expect(Object.keys(big?.versions as object)).toEqual(['3', '4', '5']);
  });

  it('never reuses a version number: delete and destroy do not reset it, only a metadata delete does', async () => {
    const h = await createKvHarness();
    await writeTimes(h, 'k', 2);
    await h.call('delete', 'data/k');
    await h.call('update', 'destroy/k', { versions: [1] });
    expect((await h.call('update', 'data/k', { data: { a: 1 } }))?.data?.version).toBe(3);
    await h.call('delete', 'metadata/k');
    expect((await h.call('update', 'data/k', { data: { a: 1 } }))?.data?.version).toBe(1);
  });
});

describe('KV v2 metadata write and patch', () => {
  it('creates metadata for a key with no versions', async () => {
    const h = await createKvHarness();
    expect(await h.exists('update', 'metadata/k', { max_versions: 3 })).toBe(false);
    expect(await h.call('update', 'metadata/k', { max_versions: 3, cas_required: true, delete_version_after: '1h', custom_metadata: { a: 'b' } })).toBeUndefined();
    expect(await h.exists('update', 'metadata/k', { max_versions: 3 })).toBe(true);
    expect((await h.call('read', 'metadata/k'))?.data).toEqual({
      cas_required: true,
      created_time: T0,
      current_version: 0,
      custom_metadata: { a: 'b' },
      delete_version_after: '1h0m0s',
      max_versions: 3,
      oldest_version: 0,
      updated_time: T0,
      versions: {},
    });
    await expectVaultError(h.call('read', 'data/k'), 404);
  });

  it('does nothing when no setting is given', async () => {
    const h = await createKvHarness();
    expect(await h.call('update', 'metadata/k', {})).toBeUndefined();
    await expectVaultError(h.call('read', 'metadata/k'), 404);
  });

  it('replaces custom_metadata whole on POST and merges it on PATCH', async () => {
    const h = await createKvHarness();
    await h.call('update', 'metadata/k', { custom_metadata: { a: '1', b: '2' } });
    await h.call('update', 'metadata/k', { custom_metadata: { c: 3 } });
    expect((await h.call('read', 'metadata/k'))?.data?.custom_metadata).toEqual({ c: '3' });
    await h.call('patch', 'metadata/k', { custom_metadata: { c: null, d: 'x' } });
    expect((await h.call('read', 'metadata/k'))?.data?.custom_metadata).toEqual({ d: 'x' });
    // An emptied map reads back as null, as Vault's decoding of an empty map does.
    await h.call('patch', 'metadata/k', { custom_metadata: { d: null } });
    expect((await h.call('read', 'metadata/k'))?.data?.custom_metadata).toBeNull();
  });

  it('patches only the settings sent; null resets one', async () => {
    const h = await createKvHarness();
    await h.call('update', 'metadata/k', { max_versions: 4, cas_required: true, custom_metadata: { a: 'b' } });
    await h.call('patch', 'metadata/k', { delete_version_after: '30m' });
    expect((await h.call('read', 'metadata/k'))?.data).toMatchObject({ max_versions: 4, cas_required: true, delete_version_after: '30m0s', custom_metadata: { a: 'b' } });
    await h.call('patch', 'metadata/k', { max_versions: null });
    expect((await h.call('read', 'metadata/k'))?.data).toMatchObject({ max_versions: 0, cas_required: true });
    await expectVaultError(h.call('patch', 'metadata/none', { max_versions: 1 }), 404);
  });

  it('warns when cas_required=false conflicts with the engine config, which still wins', async () => {
    const h = await createKvHarness();
    await h.call('update', 'config', { cas_required: true });
    const warning = '"cas_required" set to false, but is mandated by backend config. This value will be ignored.';
    expect(await h.call('update', 'metadata/k', { cas_required: false })).toEqual({ warnings: [warning] });
    expect(await h.call('patch', 'metadata/k', { cas_required: false })).toEqual({ warnings: [warning] });
    await expectVaultError(h.call('update', 'data/k', { data: { a: 1 } }), 400, 'check-and-set parameter required for this call');
  });

  it('validates custom_metadata with Vault\'s messages', async () => {
    const h = await createKvHarness();
    const tooMany = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    await expectVaultError(
      h.call('update', 'metadata/k', { custom_metadata: tooMany }),
      400,
      '1 error occurred:\n\t* custom_metadata validation failed: payload must contain at most 64 keys, provided 65\n\n',
    );
    await expectVaultError(
      h.call('update', 'metadata/k', { custom_metadata: { ['x'.repeat(129)]: 'v', empty: '' } }),
      400,
      `2 errors occurred:\n\t* custom_metadata validation failed: length of key "${'x'.repeat(129)}" is 129 but must be 0 < len(key) <= 128\n\t* custom_metadata validation failed: length of value for key "empty" is 0 but must be 0 < len(value) <= 512\n\n`,
    );
    await expectVaultError(
      h.call('update', 'metadata/k', { custom_metadata: { k: 'bad\u0007value' } }),
      400,
      '1 error occurred:\n\t* custom_metadata validation failed: value for key "k" contains unprintable characters\n\n',
    );
    await expectVaultError(h.call('update', 'metadata/k', { max_versions: -1 }), 400, 'max_versions cannot be negative');
    await expectVaultError(h.call('update', 'metadata/k', { delete_version_after: '-1h' }), 400, 'error converting input for field "delete_version_after": cannot provide negative value');
    await expectVaultError(h.call('update', 'metadata/', { max_versions: 1 }), 400, 'missing path');
  });
});

describe('KV v2 metadata delete and list', () => {
  it('removes every version and the metadata for good', async () => {
    const h = await createKvHarness();
    await writeTimes(h, 'app/k', 3);
    await h.call('update', 'data/other', { data: { a: 1 } });
    expect(await h.call('delete', 'metadata/app/k')).toBeUndefined();
    await expectVaultError(h.call('read', 'data/app/k'), 404);
    await expectVaultError(h.call('read', 'metadata/app/k'), 404);
    expect(storedVersionEntries(h)).toBe(1);
    expect(await h.call('delete', 'metadata/app/k')).toBeUndefined();
  });

  it('lists keys and folders, deleted keys included, and 404s an empty prefix', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/app/a', { data: { v: 1 } });
    await h.call('update', 'data/app/dir/b', { data: { v: 1 } });
    await h.call('update', 'data/app/gone', { data: { v: 1 } });
    await h.call('delete', 'data/app/gone');
    await h.call('update', 'metadata/app/empty', { max_versions: 1 });
    expect(await h.call('list', 'metadata/app/')).toEqual({ data: { keys: ['a', 'dir/', 'empty', 'gone'] } });
    expect(await h.call('list', 'metadata/app')).toEqual({ data: { keys: ['a', 'dir/', 'empty', 'gone'] } });
    expect(await h.call('list', 'metadata/')).toEqual({ data: { keys: ['app/'] } });
    expect(await h.call('list', 'metadata/app/', { exclude_deleted: true })).toEqual({ data: { keys: ['a', 'dir/', 'empty'] } });
    await expectVaultError(h.call('list', 'metadata/nothing/'), 404);
  });
});
