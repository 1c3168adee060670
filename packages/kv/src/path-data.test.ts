// KV v2 data/ (vault-api.md V2–V5, V15, §2.5, §5 #3).
import { describe, expect, it } from 'vitest';
import { expectVaultError } from './testing/expect-vault-error.js';
import { createKvHarness } from './testing/kv-harness.js';

const T0 = '2026-01-01T00:00:00Z';

describe('KV v2 data/', () => {
  it('writes numbered versions and reads the latest or ?version=N', async () => {
    const h = await createKvHarness();
    expect(await h.call('update', 'data/app/db', { data: { pw: 'one' } })).toEqual({
      data: { created_time: T0, custom_metadata: null, deletion_time: '', destroyed: false, version: 1 },
    });
    await h.clock.advance(1500);
    const second = await h.call('update', 'data/app/db', { data: { pw: 'two' } });
    expect(second?.data).toMatchObject({ version: 2, created_time: '2026-01-01T00:00:01.5Z' });
    expect(await h.call('read', 'data/app/db')).toEqual({
      data: { data: { pw: 'two' }, metadata: { created_time: '2026-01-01T00:00:01.5Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 2 } },
    });
    expect((await h.call('read', 'data/app/db', { version: '1' }))?.data?.data).toEqual({ pw: 'one' });
    expect((await h.call('read', 'data/app/db', { version: 0 }))?.data?.data).toEqual({ pw: 'two' });
    await expectVaultError(h.call('read', 'data/app/db', { version: 7 }), 404);
    await expectVaultError(h.call('read', 'data/missing'), 404);
  });

  it('requires data but accepts an empty object', async () => {
    const h = await createKvHarness();
    await expectVaultError(h.call('update', 'data/k', {}), 400, 'no data provided');
    await expectVaultError(h.call('update', 'data/k', { options: { cas: 0 } }), 400, 'no data provided');
    expect((await h.call('update', 'data/k', { data: {} }))?.data?.version).toBe(1);
    expect((await h.call('read', 'data/k'))?.data?.data).toEqual({});
  });

  it('warns about parameters it ignored', async () => {
    const h = await createKvHarness();
    const result = await h.call('update', 'data/k', { data: { a: 1 }, extra: true });
    expect(result?.warnings).toEqual(['Endpoint ignored these unrecognized parameters: [extra]']);
  });

  it('answers the existence check by whether the key has metadata', async () => {
    const h = await createKvHarness();
    expect(await h.exists('update', 'data/k', { data: {} })).toBe(false);
    await h.call('update', 'data/k', { data: { a: 1 } });
    expect(await h.exists('update', 'data/k', { data: {} })).toBe(true);
  });

  it('soft-deletes only the latest version; reads of it are 404 with the metadata (§5 #3)', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/k', { data: { v: 1 } });
    await h.call('update', 'data/k', { data: { v: 2 } });
    await h.clock.advance(1000);
    expect(await h.call('delete', 'data/k')).toBeUndefined();
    expect(await h.call('read', 'data/k')).toEqual({
      status: 404,
      data: { data: null, metadata: { created_time: T0, custom_metadata: null, deletion_time: '2026-01-01T00:00:01Z', destroyed: false, version: 2 } },
    });
    expect((await h.call('read', 'data/k', { version: 1 }))?.data?.data).toEqual({ v: 1 });
    // A second delete keeps the first deletion time.
    await h.clock.advance(1000);
    await h.call('delete', 'data/k');
    const meta = await h.call('read', 'metadata/k');
    expect(meta?.data?.versions).toEqual({
      '1': { created_time: T0, deletion_time: '', destroyed: false },
      '2': { created_time: T0, deletion_time: '2026-01-01T00:00:01Z', destroyed: false },
    });
    // Deleting a key that never existed is a 204.
    expect(await h.call('delete', 'data/none')).toBeUndefined();
    // A new write after the delete is live again.
    await h.call('update', 'data/k', { data: { v: 3 } });
    expect((await h.call('read', 'data/k'))?.data?.data).toEqual({ v: 3 });
  });

  it('echoes the key-level custom_metadata in writes and reads', async () => {
    const h = await createKvHarness();
    await h.call('update', 'metadata/k', { custom_metadata: { owner: 'ops' } });
    expect((await h.call('update', 'data/k', { data: { a: 1 } }))?.data?.custom_metadata).toEqual({ owner: 'ops' });
    expect((await h.call('read', 'data/k'))?.data?.metadata).toMatchObject({ custom_metadata: { owner: 'ops' }, version: 1 });
  });

  it('refuses a key path the storage cannot hold', async () => {
    const h = await createKvHarness();
    await expectVaultError(h.call('update', 'data/a//b', { data: { a: 1 } }), 400, 'invalid key path: invalid storage key "a//b": empty segment (\'//\')');
    await expectVaultError(h.call('read', 'data/a//b'), 404);
  });
});

describe('KV v2 PATCH data/', () => {
  it('applies a JSON merge patch of the latest version as a new version', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/k', { data: { keep: 1, drop: 2, nested: { a: 1, b: 2 } } });
    const patched = await h.call('patch', 'data/k', { data: { drop: null, nested: { b: null, c: 3 }, added: 'x' } });
    expect(patched?.data).toMatchObject({ version: 2, deletion_time: '', destroyed: false });
    expect((await h.call('read', 'data/k'))?.data?.data).toEqual({ keep: 1, nested: { a: 1, c: 3 }, added: 'x' });
    expect((await h.call('read', 'data/k', { version: 1 }))?.data?.data).toEqual({ keep: 1, drop: 2, nested: { a: 1, b: 2 } });
  });

  it('is a 404 for a missing key and for a deleted or destroyed latest version', async () => {
    const h = await createKvHarness();
    await expectVaultError(h.call('patch', 'data/none', { data: { a: 1 } }), 404);
    await h.call('update', 'data/k', { data: { a: 1 } });
    await h.call('delete', 'data/k');
    expect(await h.call('patch', 'data/k', { data: { a: 2 } })).toEqual({
      status: 404,
      data: { created_time: T0, custom_metadata: null, deletion_time: T0, destroyed: false, version: 1 },
    });
    await h.call('update', 'data/k', { data: { a: 3 } });
    await h.call('update', 'destroy/k', { versions: [2] });
    expect(await h.call('patch', 'data/k', { data: { a: 2 } })).toMatchObject({ status: 404, data: { destroyed: true, version: 2 } });
    expect((await h.call('read', 'metadata/k'))?.data?.current_version).toBe(2);
  });

  it('requires data and honours cas', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/k', { data: { a: 1 } });
    await expectVaultError(h.call('patch', 'data/k', {}), 400, 'no data provided');
    await expectVaultError(h.call('patch', 'data/k', { data: { a: 2 }, options: { cas: 0 } }), 400, 'check-and-set parameter did not match the current version');
    expect((await h.call('patch', 'data/k', { data: { a: 2 }, options: { cas: 1 } }))?.data?.version).toBe(2);
    await h.call('update', 'config', { cas_required: true });
    await expectVaultError(h.call('patch', 'data/k', { data: { a: 3 } }), 400, 'check-and-set parameter required for this call');
  });
});

describe('KV v2 invalid paths (V15)', () => {
  const hint = (command: string) =>
    `Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv ${command}' for this operation.`;
  const root = 'Non-listing operations on the root of a K/V v2 mount are not supported.';

  it('answers v1-style paths with a 404 naming the vault kv command', async () => {
    const h = await createKvHarness();
    expect(await h.call('read', 'foo')).toEqual({ status: 404, warnings: [hint('get')] });
    expect(await h.call('update', 'foo', { a: 1 })).toEqual({ status: 404, warnings: [hint('put')] });
    expect(await h.call('create', 'foo', { a: 1 })).toEqual({ status: 404, warnings: [hint('put')] });
    expect(await h.call('patch', 'foo', { a: 1 })).toEqual({ status: 404, warnings: [hint('patch')] });
    expect(await h.call('delete', 'foo')).toEqual({ status: 404, warnings: [hint('delete')] });
    expect(await h.call('list', '')).toEqual({ status: 404, warnings: [hint('list')] });
    expect(await h.call('list', 'data/app/')).toEqual({ status: 404, warnings: [hint('list')] });
    expect(await h.call('read', 'data/')).toEqual({ status: 404, warnings: [hint('get')] });
    expect(await h.call('update', 'data/dir/', { data: {} })).toEqual({ status: 404, warnings: [hint('put')] });
  });

  it('answers the bare section roots with the root warning', async () => {
    const h = await createKvHarness();
    for (const section of ['data', 'metadata']) expect(await h.call('read', section)).toEqual({ status: 404, warnings: [root] });
    for (const section of ['delete', 'undelete', 'destroy']) expect(await h.call('update', section, { versions: [1] })).toEqual({ status: 404, warnings: [root] });
  });
});
