// KV v2 config and delete_version_after through the injected clock (vault-api.md V1, §2.5).
import { describe, expect, it } from 'vitest';
import { expectVaultError } from './testing/expect-vault-error.js';
import { createKvHarness } from './testing/kv-harness.js';

const HOUR_MS = 3_600_000;

describe('KV v2 config', () => {
  it('reads the defaults and stores each setting', async () => {
    const h = await createKvHarness();
    expect(await h.call('read', 'config')).toEqual({ data: { cas_required: false, delete_version_after: '0s', max_versions: 0 } });
    expect(await h.call('update', 'config', { max_versions: 4, cas_required: true, delete_version_after: '1h30m' })).toBeUndefined();
    expect(await h.call('read', 'config')).toEqual({ data: { cas_required: true, delete_version_after: '1h30m0s', max_versions: 4 } });
    await h.call('update', 'config', { delete_version_after: -5 });
    expect((await h.call('read', 'config'))?.data?.delete_version_after).toBe('-1s');
    await h.call('update', 'config', { delete_version_after: 0 });
    expect(await h.call('read', 'config')).toEqual({ data: { cas_required: true, delete_version_after: '0s', max_versions: 4 } });
    expect(await h.call('update', 'config', {})).toBeUndefined();
    expect((await h.call('read', 'config'))?.data?.max_versions).toBe(4);
  });

  it('refuses bad values', async () => {
    const h = await createKvHarness();
    await expectVaultError(h.call('update', 'config', { max_versions: -1 }), 400, 'max_versions cannot be negative');
    await expectVaultError(h.call('update', 'config', { delete_version_after: 'soon' }), 400, 'error converting input for field "delete_version_after": invalid duration');
    await expectVaultError(h.call('update', 'config', { cas_required: 'maybe' }), 400, 'error converting input for field "cas_required": expected a boolean, got string');
  });
});

describe('KV v2 delete_version_after', () => {
  it('schedules each new version for deletion and hides it once the clock passes', async () => {
    const h = await createKvHarness();
    await h.call('update', 'config', { delete_version_after: '1h' });
    const written = await h.call('update', 'data/k', { data: { a: 1 } });
    expect(written?.data?.deletion_time).toBe('2026-01-01T01:00:00Z');
    await h.clock.advance(HOUR_MS - 1);
    expect(await h.call('read', 'data/k')).toMatchObject({ data: { data: { a: 1 }, metadata: { deletion_time: '2026-01-01T01:00:00Z' } } });
    await h.clock.advance(1);
    expect(await h.call('read', 'data/k')).toEqual({
      status: 404,
      data: { data: null, metadata: { created_time: '2026-01-01T00:00:00Z', custom_metadata: null, deletion_time: '2026-01-01T01:00:00Z', destroyed: false, version: 1 } },
    });
  });

  it('uses the smallest non-zero of the key and engine values', async () => {
    const h = await createKvHarness();
    await h.call('update', 'config', { delete_version_after: '1h' });
    await h.call('update', 'metadata/short', { delete_version_after: '30m' });
    await h.call('update', 'metadata/long', { delete_version_after: '2h' });
    expect((await h.call('update', 'data/short', { data: {} }))?.data?.deletion_time).toBe('2026-01-01T00:30:00Z');
    expect((await h.call('update', 'data/long', { data: {} }))?.data?.deletion_time).toBe('2026-01-01T01:00:00Z');
    await h.call('update', 'config', { delete_version_after: 0 });
    expect((await h.call('update', 'data/long', { data: {} }))?.data?.deletion_time).toBe('2026-01-01T02:00:00Z');
    expect((await h.call('update', 'data/plain', { data: {} }))?.data?.deletion_time).toBe('');
  });

  it('is switched off for every key by a negative engine value', async () => {
    const h = await createKvHarness();
    await h.call('update', 'config', { delete_version_after: '-1s' });
    await h.call('update', 'metadata/k', { delete_version_after: '30m' });
    expect((await h.call('update', 'data/k', { data: {} }))?.data?.deletion_time).toBe('');
  });

  it('is re-armed from now by undelete', async () => {
    const h = await createKvHarness();
    await h.call('update', 'metadata/k', { delete_version_after: '1h' });
    await h.call('update', 'data/k', { data: { a: 1 } });
    await h.clock.advance(2 * HOUR_MS);
    expect((await h.call('read', 'data/k'))?.status).toBe(404);
    await h.call('update', 'undelete/k', { versions: [1] });
    expect(await h.call('read', 'data/k')).toMatchObject({ data: { data: { a: 1 }, metadata: { deletion_time: '2026-01-01T03:00:00Z' } } });
    await h.clock.advance(HOUR_MS);
    expect((await h.call('read', 'data/k'))?.status).toBe(404);
    // An expired version is already deleted: DELETE leaves its deletion time alone.
    await h.clock.advance(HOUR_MS);
    await h.call('delete', 'data/k');
    expect((await h.call('read', 'data/k'))?.data?.metadata).toMatchObject({ deletion_time: '2026-01-01T03:00:00Z' });
  });

  it('lets DELETE bring a scheduled deletion forward to now', async () => {
    const h = await createKvHarness();
    await h.call('update', 'config', { delete_version_after: '1h' });
    await h.call('update', 'data/k', { data: { a: 1 } });
    await h.clock.advance(60_000);
    await h.call('delete', 'data/k');
    expect(await h.call('read', 'data/k')).toMatchObject({ status: 404, data: { metadata: { deletion_time: '2026-01-01T00:01:00Z' } } });
  });
});
