// The auth/token/ backend through handle(): creation rules, lookup, TTLs, renewal, revocation trees, roles (vault-api.md §1.7, §2.3).
import { describe, expect, it } from 'vitest';
import { formatRfc3339Nano } from '@coffer/sdk';
import type { AuthInfo } from '@coffer/sdk';
import { expectVaultError, unsealedVault, type Harness } from './testing/helpers.js';

const HOUR = 3600;

async function createToken(h: Harness, data: Record<string, unknown> = {}, token?: string, path = 'auth/token/create'): Promise<AuthInfo> {
  const response = await h.req('update', path, data, token);
  expect(response.auth, 'a token-creating response carries auth').not.toBeNull();
  return response.auth!;
}

async function lookup(h: Harness, token: string): Promise<Record<string, unknown>> {
  return (await h.req('update', 'auth/token/lookup', { token })).data!;
}

describe('auth/token/create', () => {
  it('creates a child of the root token with the default TTL and the requested policies', async () => {
    const h = await unsealedVault();
    const response = await h.req('update', 'auth/token/create', { policies: ['dev', 'ops'] });
    const auth = response.auth!;
    expect(auth.client_token).toMatch(/^hvs\.[0-9A-Za-z]{24}$/);
    expect(auth.accessor).toMatch(/^[0-9A-Za-z]{24}$/);
    expect(auth).toMatchObject({
      policies: ['default', 'dev', 'ops'],
      token_policies: ['default', 'dev', 'ops'],
      metadata: null,
      lease_duration: 768 * HOUR,
      renewable: true,
      entity_id: '',
      token_type: 'service',
      orphan: false,
      num_uses: 0,
    });
    expect(response.data).toBeNull();
    expect(response.leaseId).toBe('');
    const info = await lookup(h, auth.client_token);
    expect(info).toMatchObject({
      id: auth.client_token,
      accessor: auth.accessor,
      path: 'auth/token/create',
      display_name: 'token',
      orphan: false,
      ttl: 768 * HOUR,
      creation_ttl: 768 * HOUR,
      explicit_max_ttl: 0,
      renewable: true,
      type: 'service',
      expire_time: formatRfc3339Nano(h.clock.now() + 768 * HOUR * 1000),
    });
  });

  it('gives a root child of the root token no TTL and no renewal', async () => {
    const h = await unsealedVault();
    const auth = await createToken(h, { policies: ['root'] });
    expect(auth).toMatchObject({ policies: ['root'], lease_duration: 0, renewable: false });
    expect(await lookup(h, auth.client_token)).toMatchObject({ ttl: 0, expire_time: null, renewable: false });
  });

  it('honours ttl, explicit_max_ttl, display_name, meta and num_uses', async () => {
    const h = await unsealedVault();
    const auth = await createToken(h, { ttl: '1h', explicit_max_ttl: '2h', display_name: 'my app!', meta: { team: 'a' }, num_uses: 3 });
    expect(auth).toMatchObject({ lease_duration: HOUR, metadata: { team: 'a' }, num_uses: 3 });
    expect(await lookup(h, auth.client_token)).toMatchObject({ display_name: 'token-my-app', explicit_max_ttl: 2 * HOUR, num_uses: 3, meta: { team: 'a' } });
  });

  it('caps the TTL at explicit_max_ttl with a warning', async () => {
    const h = await unsealedVault();
    const response = await h.req('update', 'auth/token/create', { ttl: '3h', explicit_max_ttl: '1h' });
    expect(response.auth!.lease_duration).toBe(HOUR);
    expect(response.warnings).toContain('TTL of "3h" exceeded the effective max_ttl of "1h"; TTL value is capped accordingly');
  });

  it('warns about policies that do not exist and refuses the vault\'s own', async () => {
    const h = await unsealedVault();
    await expectVaultError(h.req('update', 'auth/token/create', { policies: ['response-wrapping'] }), 400, 'cannot assign policy "response-wrapping"');
  });

  it('creates orphans through create-orphan and no_parent', async () => {
    const h = await unsealedVault();
    expect((await createToken(h, {}, undefined, 'auth/token/create-orphan')).orphan).toBe(true);
    expect((await createToken(h, { no_parent: true })).orphan).toBe(true);
  });

  it('accepts a custom id from root and refuses ids that look like Vault\'s', async () => {
    const h = await unsealedVault();
    const auth = await createToken(h, { id: 'my-custom-token' });
    expect(auth.client_token).toBe('my-custom-token');
    await expectVaultError(h.req('update', 'auth/token/create', { id: 'my-custom-token' }), 400);
    await expectVaultError(h.req('update', 'auth/token/create', { id: 'hvs.abc' }), 400, 'token IDs can not contain periods');
  });

  it('refuses children of a limited-use token and negative uses', async () => {
    const h = await unsealedVault();
    const limited = await createToken(h, { num_uses: 5, policies: ['root'] });
    await expectVaultError(h.req('update', 'auth/token/create', {}, limited.client_token), 400, 'restricted use token cannot generate child tokens');
    await expectVaultError(h.req('update', 'auth/token/create', { num_uses: -1 }), 400, 'number of uses cannot be negative');
  });

  it('forbids an expiring root token from minting a never-expiring one', async () => {
    const h = await unsealedVault();
    const expiringRoot = await createToken(h, { policies: ['root'], ttl: '1h' });
    await expectVaultError(
      h.req('update', 'auth/token/create', { policies: ['root'] }, expiringRoot.client_token),
      400,
      'expiring root tokens cannot create non-expiring root tokens',
    );
  });
});

describe('token lookup', () => {
  it('describes the initial root token as Vault does', async () => {
    const h = await unsealedVault();
    const self = (await h.req('read', 'auth/token/lookup-self')).data!;
    expect(self).toMatchObject({
      id: h.token,
      policies: ['root'],
      path: 'auth/token/root',
      display_name: 'root',
      ttl: 0,
      expire_time: null,
      orphan: true,
      renewable: false,
      creation_ttl: 0,
      num_uses: 0,
      meta: null,
    });
    expect(self).not.toHaveProperty('parent');
  });

  it('looks up by accessor without revealing the id', async () => {
    const h = await unsealedVault();
    const auth = await createToken(h);
    const byAccessor = (await h.req('update', 'auth/token/lookup-accessor', { accessor: auth.accessor })).data!;
    expect(byAccessor).toMatchObject({ id: '', accessor: auth.accessor, path: 'auth/token/create' });
    await expectVaultError(h.req('update', 'auth/token/lookup-accessor', { accessor: 'nope' }), 400, 'invalid accessor');
  });

  it('answers an unknown token with 403 bad token and a missing one with 400', async () => {
    const h = await unsealedVault();
    await expectVaultError(h.req('update', 'auth/token/lookup', { token: 'hvs.unknown' }), 403, 'bad token');
    await expectVaultError(h.req('update', 'auth/token/lookup', {}), 400, 'missing token ID');
  });
});

describe('token TTLs and renewal', () => {
  it('stops accepting a token the moment its TTL runs out', async () => {
    const h = await unsealedVault();
    const auth = await createToken(h, { ttl: '10m' });
    await h.clock.advance(10 * 60 * 1000 - 1);
    expect((await h.req('read', 'auth/token/lookup-self', undefined, auth.client_token)).data!.ttl).toBe(0);
    await h.clock.advance(1);
    await expectVaultError(h.req('read', 'auth/token/lookup-self', undefined, auth.client_token), 403);
  });

  it('renews by increment, capped by explicit_max_ttl from the issue time, then refuses', async () => {
    const h = await unsealedVault();
    const auth = await createToken(h, { ttl: '1h', explicit_max_ttl: '3h' });
    await h.clock.advance(30 * 60 * 1000);
    const renewed = await h.req('update', 'auth/token/renew-self', { increment: '2h' }, auth.client_token);
    expect(renewed.auth!.lease_duration).toBe(2 * HOUR);
    expect(renewed.auth!.client_token).toBe(auth.client_token);
    await h.clock.advance(HOUR * 1000);
    const capped = await h.req('update', 'auth/token/renew', { token: auth.client_token, increment: '2h' });
    expect(capped.auth!.lease_duration).toBe(90 * 60);
    expect(capped.warnings).toEqual(['TTL of "2h" exceeded the effective max_ttl of "1h30m"; TTL value is capped accordingly']);
    expect(await lookup(h, auth.client_token)).toMatchObject({ ttl: 90 * 60, last_renewal_time: Math.floor(h.clock.now() / 1000) });
    await h.clock.advance(90 * 60 * 1000);
    await expectVaultError(h.req('update', 'auth/token/renew', { token: auth.client_token }), 400, 'token not found');
  });

  it('never lets repeated renewals near expiry outlive the max TTL (CVE-2021-32923)', async () => {
    const h = await unsealedVault();
    const auth = await createToken(h, { ttl: '1h', explicit_max_ttl: '4h' });
    const deadline = h.clock.now() + 4 * HOUR * 1000;
    for (let i = 0; i < 20; i++) {
      await h.clock.advance(50 * 60 * 1000);
      if (h.clock.now() >= deadline) break;
      const renewed = await h.req('update', 'auth/token/renew-self', {}, auth.client_token);
      expect(h.clock.now() + renewed.auth!.lease_duration * 1000).toBeLessThanOrEqual(deadline);
    }
    await h.clock.advance(deadline - h.clock.now());
    await expectVaultError(h.req('read', 'auth/token/lookup-self', undefined, auth.client_token), 403);
  });

  it('renews a periodic token to its period whatever the increment', async () => {
    const h = await unsealedVault();
    const auth = await createToken(h, { period: '1h' });
    expect(auth.lease_duration).toBe(HOUR);
    await h.clock.advance(50 * 60 * 1000);
    const renewed = await h.req('update', 'auth/token/renew-self', { increment: '10h' }, auth.client_token);
    expect(renewed.auth!.lease_duration).toBe(HOUR);
    expect(await lookup(h, auth.client_token)).toMatchObject({ period: HOUR });
  });

  it('refuses to renew a token that is not renewable', async () => {
    const h = await unsealedVault();
    const auth = await createToken(h, { renewable: false, ttl: '1h' });
    await expectVaultError(h.req('update', 'auth/token/renew', { token: auth.client_token }), 400, 'lease is not renewable');
    await expectVaultError(h.req('update', 'auth/token/renew-self'), 400, 'lease is not renewable');
  });

  it('renews by accessor with an empty client_token', async () => {
    const h = await unsealedVault();
    const auth = await createToken(h, { ttl: '1h' });
    const renewed = await h.req('update', 'auth/token/renew-accessor', { accessor: auth.accessor, increment: 600 });
    expect(renewed.auth).toMatchObject({ client_token: '', accessor: auth.accessor, lease_duration: 600 });
  });
});

describe('num_uses', () => {
  it('counts a use for a request the ACL denies (vault-api.md §5 #6)', async () => {
    const h = await unsealedVault();
    const auth = await createToken(h, { num_uses: 3, policies: ['default'] });
    await expectVaultError(h.req('read', 'sys/mounts', undefined, auth.client_token), 403);
    expect((await h.req('read', 'auth/token/lookup-self', undefined, auth.client_token)).data!.num_uses).toBe(1);
    expect((await h.req('read', 'auth/token/lookup-self', undefined, auth.client_token)).data!.num_uses).toBe(0);
    await expectVaultError(h.req('read', 'auth/token/lookup-self', undefined, auth.client_token), 403);
  });

  it('counts every request and revokes the token after the last one', async () => {
    const h = await unsealedVault();
    const auth = await createToken(h, { num_uses: 2, policies: ['root'] });
    expect((await h.req('read', 'auth/token/lookup-self', undefined, auth.client_token)).data!.num_uses).toBe(1);
    expect((await h.req('read', 'sys/mounts', undefined, auth.client_token)).status).toBe(200);
    await expectVaultError(h.req('read', 'sys/mounts', undefined, auth.client_token), 403);
    await expectVaultError(h.req('update', 'auth/token/lookup', { token: auth.client_token }), 403, 'bad token');
  });
});

describe('revocation', () => {
  it('revokes a token with every descendant', async () => {
    const h = await unsealedVault();
    const parent = await createToken(h, { policies: ['root'] });
    const child = await createToken(h, { policies: ['root'] }, parent.client_token);
    const grandchild = await createToken(h, {}, child.client_token);
    const sibling = await createToken(h);
    expect((await h.req('update', 'auth/token/revoke', { token: parent.client_token })).status).toBe(204);
    for (const gone of [parent, child, grandchild]) {
      await expectVaultError(h.req('read', 'auth/token/lookup-self', undefined, gone.client_token), 403);
    }
    expect((await lookup(h, sibling.client_token)).id).toBe(sibling.client_token);
  });

  it('revoke-orphan keeps the children, now orphans', async () => {
    const h = await unsealedVault();
    const parent = await createToken(h, { policies: ['root'] });
    const child = await createToken(h, {}, parent.client_token);
    await h.req('update', 'auth/token/revoke-orphan', { token: parent.client_token });
    await expectVaultError(h.req('read', 'auth/token/lookup-self', undefined, parent.client_token), 403);
    expect(await lookup(h, child.client_token)).toMatchObject({ orphan: true });
  });

  it('revoke-self, revoke-accessor and an unknown token', async () => {
    const h = await unsealedVault();
    const a = await createToken(h, { policies: ['root'] });
    expect((await h.req('update', 'auth/token/revoke-self', {}, a.client_token)).status).toBe(204);
    await expectVaultError(h.req('read', 'auth/token/lookup-self', undefined, a.client_token), 403);
    const b = await createToken(h);
    await h.req('update', 'auth/token/revoke-accessor', { accessor: b.accessor });
    await expectVaultError(h.req('update', 'auth/token/lookup', { token: b.client_token }), 403, 'bad token');
    expect((await h.req('update', 'auth/token/revoke', { token: 'hvs.never-existed' })).status).toBe(204);
    await expectVaultError(h.req('update', 'auth/token/revoke-accessor', { accessor: b.accessor }), 400, 'invalid accessor');
  });

  it('lists accessors and tidies records left by a revoked parent', async () => {
    const h = await unsealedVault();
    const a = await createToken(h);
    const keys = (await h.req('list', 'auth/token/accessors')).data!.keys as string[];
    expect(keys).toContain(a.accessor);
    expect(keys).toHaveLength(2);
    const tidy = await h.req('update', 'auth/token/tidy');
    expect(tidy.status).toBe(202);
    expect(tidy.warnings![0]).toMatch(/^Tidy operation successfully started/);
  });
});

describe('token roles', () => {
  it('writes, reads, lists and deletes a role with Vault\'s defaults', async () => {
    const h = await unsealedVault();
    expect((await h.req('update', 'auth/token/roles/app', { allowed_policies: 'dev,ops', token_period: '1h' })).status).toBe(204);
    expect((await h.req('read', 'auth/token/roles/app')).data).toEqual({
      name: 'app',
      allowed_policies: ['dev', 'ops'],
      disallowed_policies: [],
      allowed_policies_glob: [],
      disallowed_policies_glob: [],
      orphan: false,
      renewable: true,
      path_suffix: '',
      allowed_entity_aliases: [],
      token_explicit_max_ttl: 0,
      explicit_max_ttl: 0,
      token_no_default_policy: false,
      token_period: HOUR,
      period: HOUR,
      token_type: 'default-service',
    });
    await h.req('update', 'auth/token/roles/app', { orphan: true });
    expect((await h.req('read', 'auth/token/roles/app')).data).toMatchObject({ orphan: true, allowed_policies: ['dev', 'ops'] });
    expect((await h.req('list', 'auth/token/roles')).data).toEqual({ keys: ['app'] });
    await h.req('delete', 'auth/token/roles/app');
    await expectVaultError(h.req('read', 'auth/token/roles/app'), 404);
  });

  it('creates tokens within the role\'s policies, period and path suffix', async () => {
    const h = await unsealedVault();
    await h.req('update', 'auth/token/roles/app', { allowed_policies: 'dev,ops', token_period: '1h', path_suffix: 'v1', orphan: true });
    const auth = await createToken(h, { policies: ['dev'] }, undefined, 'auth/token/create/app');
    expect(auth).toMatchObject({ policies: ['default', 'dev'], orphan: true, lease_duration: HOUR });
    expect(await lookup(h, auth.client_token)).toMatchObject({ path: 'auth/token/create/app/v1', role: 'app', period: HOUR });
    const all = await createToken(h, {}, undefined, 'auth/token/create/app');
    expect(all.policies).toEqual(['default', 'dev', 'ops']);
    await expectVaultError(h.req('update', 'auth/token/create/app', { policies: ['admin'] }), 400, /must be subset of the role's allowed policies/);
    await h.req('update', 'auth/token/roles/locked', { disallowed_policies: 'admin' });
    await expectVaultError(h.req('update', 'auth/token/create/locked', { policies: ['admin'] }), 400, 'token policy "admin" is disallowed by this role');
  });

  it('refuses a path suffix with ".." and an unknown token type', async () => {
    const h = await unsealedVault();
    await expectVaultError(h.req('update', 'auth/token/roles/bad', { path_suffix: '../x' }), 400, "path suffix cannot contain '..'");
    await expectVaultError(h.req('update', 'auth/token/roles/bad', { token_type: 'weird' }), 400, "invalid 'token_type' value");
    await expectVaultError(h.req('read', 'auth/token/roles/bad'), 404);
  });
});

describe('batch tokens', () => {
  it('creates an hvb. token that is not stored, not renewable, without accessor, and works for requests', async () => {
    const { MemoryStorage } = await import('@coffer/storage');
    const storage = new MemoryStorage();
    const h = await unsealedVault({ storage });
    const entriesBefore = storage.size;
    await h.req('update', 'sys/policies/acl/creator', { policy: 'path "auth/token/create" { capabilities = ["update"] }' });
    const created = await h.req('update', 'auth/token/create', { type: 'batch', policies: ['creator', 'default'], ttl: '20m' });
    expect(created.auth).toMatchObject({ token_type: 'batch', accessor: '', renewable: false, lease_duration: 1200, policies: ['creator', 'default'], orphan: false });
    expect(created.auth!.client_token).toMatch(/^hvb\.[A-Za-z0-9_-]+$/);
    // The token is its own entry: nothing about it was written (the batch key aside, made once).
    expect(storage.size - entriesBefore).toBeLessThanOrEqual(2);
    const batch = created.auth!.client_token;
    expect((await h.req('read', 'auth/token/lookup-self', undefined, batch)).data).toMatchObject({ type: 'batch', accessor: '', renewable: false, ttl: 1200, policies: ['creator', 'default'] });
    await expectVaultError(h.req('update', 'auth/token/renew-self', {}, batch), 400, 'batch tokens cannot be renewed');
    await expectVaultError(h.req('update', 'auth/token/revoke', { token: batch }), 400, 'batch tokens cannot be revoked');
    await expectVaultError(h.req('update', 'auth/token/create', {}, batch), 400, 'batch tokens cannot create more tokens');
    await expectVaultError(h.req('update', 'cubbyhole/x', { v: 1 }, batch), 403);
    await h.clock.advance(20 * 60 * 1000);
    await expectVaultError(h.req('read', 'auth/token/lookup-self', undefined, batch), 403);
  });

  it('refuses what a batch token cannot have, and root', async () => {
    const h = await unsealedVault();
    await expectVaultError(h.req('update', 'auth/token/create', { type: 'batch', num_uses: 2 }), 400, 'batch tokens cannot have "num_uses" set');
    await expectVaultError(h.req('update', 'auth/token/create', { type: 'batch', period: '1h' }), 400, 'batch tokens cannot have "period" set');
    await expectVaultError(h.req('update', 'auth/token/create', { type: 'batch', explicit_max_ttl: '1h' }), 400, 'batch tokens cannot have "explicit_max_ttl" set');
    await expectVaultError(h.req('update', 'auth/token/create', { type: 'batch', policies: ['root'] }), 400, 'batch tokens cannot be root tokens');
    await expectVaultError(h.req('update', 'auth/token/create', { type: 'bulk' }), 400, "invalid 'token_type' value");
  });

  it('dies with its parent, and rejects a forged or altered token', async () => {
    const h = await unsealedVault();
    const parent = (await h.req('update', 'auth/token/create', { policies: ['root'] })).auth!.client_token;
    await h.req('update', 'sys/policies/acl/batcher', { policy: 'path "auth/token/lookup-self" { capabilities = ["read"] }' });
    const batch = (await h.req('update', 'auth/token/create', { type: 'batch', policies: ['batcher'] }, parent)).auth!.client_token;
    expect((await h.req('read', 'auth/token/lookup-self', undefined, batch)).data!.orphan).toBe(false);
    const altered = batch.slice(0, -2) + (batch.endsWith('A') ? 'BB' : 'AA');
    await expectVaultError(h.req('read', 'auth/token/lookup-self', undefined, altered), 403);
    await expectVaultError(h.req('read', 'auth/token/lookup-self', undefined, 'hvb.' + Buffer.from('{"policies":["root"]}').toString('base64url')), 403);
    await h.req('update', 'auth/token/revoke', { token: parent });
    await expectVaultError(h.req('read', 'auth/token/lookup-self', undefined, batch), 403);
  });

  it('issues batch tokens from a role with token_type batch', async () => {
    const h = await unsealedVault();
    await h.req('update', 'auth/token/roles/ci', { token_type: 'batch', allowed_policies: 'default' });
    expect((await h.req('read', 'auth/token/roles/ci')).data!.token_type).toBe('batch');
    const created = await h.req('update', 'auth/token/create/ci', { ttl: '5m' });
    expect(created.auth).toMatchObject({ token_type: 'batch', lease_duration: 300 });
  });
});
