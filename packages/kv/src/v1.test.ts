// KV v1 (vault-api.md §1.10 K1–K4).
import { describe, expect, it } from 'vitest';
import { expectVaultError } from './testing/expect-vault-error.js';
import { createKvHarness } from './testing/kv-harness.js';

describe('KV v1', () => {
  it('writes, reads, overwrites the whole object and deletes for good', async () => {
    const h = await createKvHarness({ version: '1' });
    expect(await h.call('update', 'app/db', { user: 'u', password: 'p' })).toBeUndefined();
    expect((await h.call('read', 'app/db'))?.data).toEqual({ user: 'u', password: 'p' });
    await h.call('update', 'app/db', { user: 'v' });
    expect((await h.call('read', 'app/db'))?.data).toEqual({ user: 'v' });
    expect(await h.call('delete', 'app/db')).toBeUndefined();
    await expectVaultError(h.call('read', 'app/db'), 404);
    // Deleting what is absent is still a 204.
    expect(await h.call('delete', 'app/db')).toBeUndefined();
  });

  it('keeps a field called "path" and a ttl hint as ordinary data, reporting the hint as the lease duration', async () => {
    const h = await createKvHarness({ version: '1' });
    await h.call('update', 'x', { path: '/etc', ttl: '1h' });
    expect(await h.call('read', 'x')).toEqual({ data: { path: '/etc', ttl: '1h' }, leaseDurationSec: 3600 });
  });

  it('reports the mount\'s default lease TTL without a hint, and ignores a hint it cannot parse (passthrough.go)', async () => {
    const h = await createKvHarness({ version: '1' });
    const mountDefault = h.env.mount().defaultLeaseTtlSec;
    await h.call('update', 'plain', { a: 1 });
    expect((await h.call('read', 'plain'))?.leaseDurationSec).toBe(mountDefault);
    await h.call('update', 'legacy', { lease: 90 });
    expect((await h.call('read', 'legacy'))?.leaseDurationSec).toBe(90);
    await h.call('update', 'bad', { ttl: 'soon' });
    expect((await h.call('read', 'bad'))?.leaseDurationSec).toBe(mountDefault);
  });

  it('refuses an empty write and a path ending in /', async () => {
    const h = await createKvHarness({ version: '1' });
    await expectVaultError(h.call('update', 'empty', {}), 400, 'missing data fields');
    await expectVaultError(h.call('update', 'dir/', { a: 1 }), 400, "cannot write to a path ending in '/'");
    await expectVaultError(h.call('update', 'a//b', { a: 1 }), 400, 'invalid key path: invalid storage key "a//b": empty segment (\'//\')');
  });

  it('lists direct children with folders, and 404s an empty prefix', async () => {
    const h = await createKvHarness({ version: '1' });
    await h.call('update', 'app/a', { v: 1 });
    await h.call('update', 'app/dir/b', { v: 1 });
    await h.call('update', 'top', { v: 1 });
    expect(await h.call('list', 'app/')).toEqual({ data: { keys: ['a', 'dir/'] } });
    expect(await h.call('list', 'app')).toEqual({ data: { keys: ['a', 'dir/'] } });
    expect(await h.call('list', '')).toEqual({ data: { keys: ['app/', 'top'] } });
    await expectVaultError(h.call('list', 'nothing/'), 404);
  });

  it('has no PATCH (405) and answers the existence check from storage', async () => {
    const h = await createKvHarness({ version: '1' });
    expect(await h.exists('update', 'k', { a: 1 })).toBe(false);
    await h.call('update', 'k', { a: 1 });
    expect(await h.exists('update', 'k', { a: 1 })).toBe(true);
    await expectVaultError(h.call('patch', 'k', { a: 2 }), 405, 'unsupported operation');
  });

  it('is what a mount without a version option gets', async () => {
    const h = await createKvHarness({ version: '1' });
    h.tune({ version: '' });
    await h.call('update', 'k', { a: 1 });
    expect((await h.call('read', 'k'))?.data).toEqual({ a: 1 });
    expect([...h.memory.entries()].map(([key]) => key)).toEqual(['k']);
  });
});
