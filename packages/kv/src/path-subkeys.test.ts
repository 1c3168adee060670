// KV v2 subkeys/ (vault-api.md V14).
import { describe, expect, it } from 'vitest';
import { subkeysOf } from './subkeys.js';
import { expectVaultError } from './testing/expect-vault-error.js';
import { createKvHarness } from './testing/kv-harness.js';

const SECRET = { user: 'admin', nested: { host: 'db', deeper: { port: 5432 }, empty: {} }, list: [1, 2], flag: true };

describe('KV v2 subkeys/', () => {
  it('returns the structure with every value replaced by null, and the version metadata', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/k', { data: SECRET });
    expect(await h.call('read', 'subkeys/k')).toEqual({
      data: {
        subkeys: { user: null, nested: { host: null, deeper: { port: null }, empty: null }, list: null, flag: null },
        metadata: { created_time: '2026-01-01T00:00:00Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 1 },
      },
    });
    expect(JSON.stringify(await h.call('read', 'subkeys/k'))).not.toContain('admin');
  });

  it('honours depth and version', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/k', { data: SECRET });
    await h.call('update', 'data/k', { data: { other: 1 } });
    expect((await h.call('read', 'subkeys/k', { depth: 1, version: 1 }))?.data?.subkeys).toEqual({ user: null, nested: null, list: null, flag: null });
    expect((await h.call('read', 'subkeys/k', { depth: '2', version: '1' }))?.data?.subkeys).toEqual({
      user: null,
      nested: { host: null, deeper: null, empty: null },
      list: null,
      flag: null,
    });
    expect((await h.call('read', 'subkeys/k'))?.data?.subkeys).toEqual({ other: null });
  });

  it('is a 404 with metadata for a deleted version and a plain 404 for a missing one', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/k', { data: SECRET });
    await h.call('delete', 'data/k');
    expect(await h.call('read', 'subkeys/k')).toMatchObject({ status: 404, data: { subkeys: null, metadata: { version: 1, deletion_time: '2026-01-01T00:00:00Z' } } });
    await expectVaultError(h.call('read', 'subkeys/k', { version: 2 }), 404);
    await expectVaultError(h.call('read', 'subkeys/none'), 404);
  });

  it('never mutates its input', () => {
    const input = structuredClone(SECRET);
    subkeysOf(input, 0);
    expect(input).toEqual(SECRET);
  });
});
