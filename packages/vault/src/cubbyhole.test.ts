// cubbyhole/ through handle(): private to each token, destroyed with it (vault-api.md C1).
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '@coffer/storage';
import { expectVaultError, unsealedVault } from './testing/helpers.js';

describe('cubbyhole', () => {
  it('keeps each token\'s secrets away from every other token, root included', async () => {
    const h = await unsealedVault();
    const a = (await h.req('update', 'auth/token/create', { policies: ['default'] })).auth!.client_token;
    const b = (await h.req('update', 'auth/token/create', { policies: ['default'] })).auth!.client_token;
    expect((await h.req('update', 'cubbyhole/app/db', { password: 's3cret', n: 1 }, a)).status).toBe(204);
    const read = await h.req('read', 'cubbyhole/app/db', undefined, a);
    expect(read).toMatchObject({ data: { password: 's3cret', n: 1 }, leaseId: '', leaseDurationSec: 0, renewable: false, mountType: 'cubbyhole' });
    await expectVaultError(h.req('read', 'cubbyhole/app/db', undefined, b), 404);
    await expectVaultError(h.req('read', 'cubbyhole/app/db'), 404);
    expect((await h.req('list', 'cubbyhole/', undefined, a)).data).toEqual({ keys: ['app/'] });
    expect((await h.req('list', 'cubbyhole/app', undefined, a)).data).toEqual({ keys: ['db'] });
    await expectVaultError(h.req('list', 'cubbyhole/', undefined, b), 404);
  });

  it('refuses an empty write and deletes', async () => {
    const h = await unsealedVault();
    await expectVaultError(h.req('update', 'cubbyhole/x', {}), 400, 'missing data fields');
    await h.req('update', 'cubbyhole/x', { v: 'y' });
    expect((await h.req('delete', 'cubbyhole/x')).status).toBe(204);
    await expectVaultError(h.req('read', 'cubbyhole/x'), 404);
  });

  it('is destroyed with its token, children included', async () => {
    const storage = new MemoryStorage();
    const h = await unsealedVault({ storage });
    const parent = (await h.req('update', 'auth/token/create', { policies: ['root'] })).auth!.client_token;
    const child = (await h.req('update', 'auth/token/create', { policies: ['default'] }, parent)).auth!.client_token;
    await h.req('update', 'cubbyhole/mine', { v: 'parent' }, parent);
    await h.req('update', 'cubbyhole/mine', { v: 'child' }, child);
    const before = (await storage.list('logical/')).length;
    expect(before).toBeGreaterThan(0);
    await h.req('update', 'auth/token/revoke', { token: parent });
    // Only the mounts' own folders remain: no cubbyhole entry survives its token.
    const cubbyUuid = ((await h.req('read', 'sys/mounts')).data!['cubbyhole/'] as { uuid: string }).uuid;
    expect(await storage.list(`logical/${cubbyUuid}/`)).toEqual([]);
  });
});
