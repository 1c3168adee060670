// The userpass auth method through handle(): users, logins, renewal through the method, bound CIDRs (vault-api.md U1–U7, §2.8).
import { describe, expect, it } from 'vitest';
import { createPasswordHasher, createUserpassBackend, type DeriveKey } from '@coffer/userpass';
import { scryptSync } from 'node:crypto';
import { seededRandom } from '@coffer/sdk/testing';
import { expectVaultError, unsealedVault, type Harness } from './testing/helpers.js';

/** A cheap scrypt for tests; `calls` counts derivations (one per login, whatever the outcome). */
function cheapHasher() {
  const calls = { count: 0 };
  const derive: DeriveKey = async (password, salt, cost) => {
    calls.count++;
    return scryptSync(password, salt, 32, { N: 2 ** cost.logN, r: cost.r, p: cost.p });
  };
  return { calls, hasher: createPasswordHasher(seededRandom(7), { logN: 4, r: 8, p: 1 }, derive) };
}

async function userpassVault(): Promise<Harness & { derivations: { count: number } }> {
  const { calls, hasher } = cheapHasher();
  const h = await unsealedVault({ engines: { userpass: { factory: createUserpassBackend({ hasher }), kind: 'auth' } } });
  await h.req('update', 'sys/auth/userpass', { type: 'userpass' });
  await h.req('update', 'sys/policies/acl/dev', { policy: 'path "secret/*" { capabilities = ["read"] }\npath "auth/token/lookup-self" { capabilities = ["read"] }' });
  return { ...h, derivations: calls };
}

function login(h: Harness, username: string, password: string, remoteAddr?: string) {
  return h.vault.handle({ operation: 'update', path: `auth/userpass/login/${username}`, data: { password }, ...(remoteAddr ? { remoteAddr } : {}) });
}

describe('userpass users', () => {
  it('stores usernames lower-cased, never shows the password, and lists and deletes users', async () => {
    const h = await userpassVault();
    expect((await h.req('update', 'auth/userpass/users/ALICE', { password: 'pw', token_policies: 'dev', token_ttl: '1h' })).status).toBe(204);
    const read = await h.req('read', 'auth/userpass/users/alice');
    expect(read.data).toMatchObject({ token_policies: ['dev'], policies: ['dev'], token_ttl: 3600, ttl: 3600, token_max_ttl: 0, token_type: 'default', token_bound_cidrs: [] });
    expect(JSON.stringify(read.data)).not.toContain('pw');
    expect((await h.req('list', 'auth/userpass/users')).data).toEqual({ keys: ['alice'] });
    await h.req('delete', 'auth/userpass/users/Alice');
    await expectVaultError(h.req('read', 'auth/userpass/users/alice'), 404);
    await expectVaultError(login(h, 'alice', 'pw'), 400, 'invalid username or password');
  });

  it("refuses a user without a password and settings Vault refuses, changing nothing", async () => {
    const h = await userpassVault();
    await expectVaultError(h.req('update', 'auth/userpass/users/bob', {}), 400, 'missing password');
    await expectVaultError(h.req('update', 'auth/userpass/users/bob', { password: 'x', token_ttl: '2h', token_max_ttl: '1h' }), 400, "'token_ttl' cannot be greater than 'token_max_ttl'");
    await expectVaultError(h.req('update', 'auth/userpass/users/bob', { password: 'x', token_type: 'nope' }), 400, "invalid 'token_type' value");
    await expectVaultError(h.req('update', 'auth/userpass/users/bob', { password: 'x', token_bound_cidrs: '10.0.0.0/99' }), 400, 'invalid CIDR block');
    await expectVaultError(h.req('update', 'auth/userpass/users/bob', { password: 'x', token_num_uses: -1 }), 400, 'token_num_uses cannot be negative');
    await expectVaultError(h.req('update', 'auth/userpass/users/b%2Fob', { password: 'x' }), 400, 'invalid username');
    await expectVaultError(h.req('read', 'auth/userpass/users/bob'), 404);
  });
});

describe('userpass login', () => {
  it("answers Vault's auth block: orphan, renewable, default added, one entity per user", async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'correct horse', token_policies: ['dev'], token_ttl: '1h', token_max_ttl: '4h' });
    const first = (await login(h, 'ALICE', 'correct horse')).auth!;
    expect(first).toMatchObject({ policies: ['default', 'dev'], token_policies: ['default', 'dev'], metadata: { username: 'alice' }, lease_duration: 3600, renewable: true, orphan: true, token_type: 'service', num_uses: 0 });
    expect(first.entity_id).toMatch(/^[0-9a-f-]{36}$/);
    const second = (await login(h, ' alice ', 'correct horse')).auth!;
    expect(second.entity_id).toBe(first.entity_id);
    expect(second.client_token).not.toBe(first.client_token);
    const self = await h.vault.handle({ operation: 'read', path: 'auth/token/lookup-self', token: first.client_token });
    // The path is the request's, as sent (Vault's te.Path = req.Path).
    expect(self.data).toMatchObject({ display_name: 'userpass-alice', path: 'auth/userpass/login/ALICE', orphan: true, ttl: 3600 });
  });

  it('costs one password derivation for a wrong password and for an unknown user alike (CVE-2025-6011)', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'right' });
    for (const [username, password] of [
      ['alice', 'wrong'],
      ['mallory', 'wrong'],
      ['not a user!', 'wrong'],
    ] as const) {
      const before = h.derivations.count;
      const error = await expectVaultError(login(h, username, password), 400);
      expect(error.errors).toEqual(['invalid username or password']);
      expect(h.derivations.count - before).toBe(1);
    }
  });

  it('stops accepting an old password after a change, and a deleted user at once', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'old' });
    await h.req('update', 'auth/userpass/users/alice/password', { password: 'new' });
    await expectVaultError(login(h, 'alice', 'old'), 400, 'invalid username or password');
    expect((await login(h, 'alice', 'new')).auth).not.toBeNull();
    await expectVaultError(h.req('update', 'auth/userpass/users/nobody/password', { password: 'x' }), 400, 'username does not exist');
  });

  it('renews through the method: refused once the policies changed or the user is gone', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'pw', token_policies: 'dev', token_ttl: '1h', token_max_ttl: '3h' });
    const token = (await login(h, 'alice', 'pw')).auth!.client_token;
    await h.clock.advanceSec(1800);
    const renewed = await h.vault.handle({ operation: 'update', path: 'auth/token/renew-self', token, data: {} });
    expect(renewed.auth?.lease_duration).toBe(3600);
    await h.req('update', 'auth/userpass/users/alice/policies', { token_policies: 'dev,ops' });
    await expectVaultError(h.vault.handle({ operation: 'update', path: 'auth/token/renew-self', token, data: {} }), 400, 'policies have changed, not renewing');
    await h.req('update', 'auth/userpass/users/alice/policies', { token_policies: 'dev' });
    await h.req('delete', 'auth/userpass/users/alice');
    await expectVaultError(h.vault.handle({ operation: 'update', path: 'auth/token/renew-self', token, data: {} }), 400, 'not renewing');
  });

  it('caps the token at the user max TTL and lets it expire through the clock', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'pw', token_ttl: '1h', token_max_ttl: '90m' });
    const token = (await login(h, 'alice', 'pw')).auth!.client_token;
    await h.clock.advanceSec(3000);
    const renewed = await h.vault.handle({ operation: 'update', path: 'auth/token/renew-self', token, data: { increment: '1h' } });
    expect(renewed.auth?.lease_duration).toBe(2400);
    await h.clock.advanceSec(2401);
    await expectVaultError(h.vault.handle({ operation: 'read', path: 'auth/token/lookup-self', token }), 403);
  });

  it('binds logins and tokens to token_bound_cidrs', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'pw', token_bound_cidrs: '10.1.0.0/16' });
    await expectVaultError(login(h, 'alice', 'pw', '192.168.1.5'), 403, 'permission denied');
    await expectVaultError(login(h, 'alice', 'pw'), 403, 'permission denied');
    const token = (await login(h, 'alice', 'pw', '10.1.2.3')).auth!.client_token;
    const lookup = (remoteAddr: string) => h.vault.handle({ operation: 'read', path: 'auth/token/lookup-self', token, remoteAddr });
    expect((await lookup('10.1.9.9')).data).toMatchObject({ display_name: 'userpass-alice' });
    expect((await lookup('::ffff:10.1.9.9')).data).toMatchObject({ display_name: 'userpass-alice' });
    await expectVaultError(lookup('10.2.0.1'), 403, 'permission denied');
  });

  it('honours token_num_uses, token_period, token_no_default_policy and batch tokens', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/u1', { password: 'pw', token_num_uses: 2, token_no_default_policy: true, token_policies: 'dev' });
    const limited = (await login(h, 'u1', 'pw')).auth!;
    expect(limited).toMatchObject({ num_uses: 2, policies: ['dev'] });
    await h.vault.handle({ operation: 'read', path: 'auth/token/lookup-self', token: limited.client_token });
    await h.vault.handle({ operation: 'read', path: 'auth/token/lookup-self', token: limited.client_token });
    await expectVaultError(h.vault.handle({ operation: 'read', path: 'auth/token/lookup-self', token: limited.client_token }), 403);

    await h.req('update', 'auth/userpass/users/u2', { password: 'pw', token_period: '30m' });
    const periodic = (await login(h, 'u2', 'pw')).auth!;
    expect(periodic.lease_duration).toBe(1800);

    await h.req('update', 'auth/userpass/users/u3', { password: 'pw', token_type: 'batch', token_ttl: '10m' });
    const batch = (await login(h, 'u3', 'pw')).auth!;
    expect(batch).toMatchObject({ token_type: 'batch', renewable: false, lease_duration: 600 });
  });

  it("lets an auth mount tuned to service or batch decide the token type, as Vault's router does", async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/u', { password: 'pw', token_type: 'service' });
    expect((await login(h, 'u', 'pw')).auth).toMatchObject({ token_type: 'service' });
    await h.req('update', 'sys/auth/userpass/tune', { token_type: 'batch' });
    expect((await login(h, 'u', 'pw')).auth).toMatchObject({ token_type: 'batch', renewable: false });
    await h.req('update', 'sys/auth/userpass/tune', { token_type: 'default-batch' });
    expect((await login(h, 'u', 'pw')).auth).toMatchObject({ token_type: 'service' });
  });

  it('keeps bound CIDRs on batch tokens, and refuses a batch token with a use limit', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/u', { password: 'pw', token_type: 'batch', token_bound_cidrs: '10.1.0.0/16' });
    const token = (await login(h, 'u', 'pw', '10.1.2.3')).auth!.client_token;
    await expectVaultError(h.vault.handle({ operation: 'read', path: 'auth/token/lookup-self', token, remoteAddr: '192.168.9.9' }), 403);
    expect((await h.vault.handle({ operation: 'read', path: 'auth/token/lookup-self', token, remoteAddr: '10.1.9.9' })).data).toMatchObject({ type: 'batch' });
    await h.req('update', 'auth/userpass/users/v', { password: 'pw', token_num_uses: 3 });
    await h.req('update', 'sys/auth/userpass/tune', { token_type: 'batch' });
    await expectVaultError(login(h, 'v', 'pw'), 400, 'batch tokens cannot be created with a limited number of uses');
  });

  it('passes bound CIDRs on to child tokens (S9)', async () => {
    const h = await userpassVault();
    await h.req('update', 'sys/policies/acl/minter', { policy: 'path "auth/token/create" { capabilities = ["update"] }' });
    await h.req('update', 'auth/userpass/users/u', { password: 'pw', token_policies: 'minter', token_bound_cidrs: '10.1.0.0/16' });
    const parent = (await login(h, 'u', 'pw', '10.1.2.3')).auth!.client_token;
    const child = (await h.vault.handle({ operation: 'update', path: 'auth/token/create', token: parent, remoteAddr: '10.1.2.3', data: { policies: ['minter'] } })).auth!.client_token;
    await expectVaultError(h.vault.handle({ operation: 'read', path: 'auth/token/lookup-self', token: child, remoteAddr: '192.168.9.9' }), 403);
  });

  it("keeps the explicit max TTL the token was issued with when the user's changes", async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/u', { password: 'pw', token_period: '1h', token_explicit_max_ttl: '2h' });
    const token = (await login(h, 'u', 'pw')).auth!.client_token;
    await h.req('update', 'auth/userpass/users/u', { token_explicit_max_ttl: 0 });
    const renew = () => h.vault.handle({ operation: 'update', path: 'auth/token/renew-self', token, data: {} });
    await h.clock.advanceSec(3000);
    expect((await renew()).auth?.lease_duration).toBe(3600);
    await h.clock.advanceSec(3500);
    expect((await renew()).auth?.lease_duration).toBe(700);
    await h.clock.advanceSec(701);
    await expectVaultError(h.vault.handle({ operation: 'read', path: 'auth/token/lookup-self', token }), 403);
  });

  it('never grants root, whatever the user lists', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/eve', { password: 'pw', token_policies: 'root' });
    await expectVaultError(login(h, 'eve', 'pw'), 400, 'auth methods cannot create root tokens');
  });
});

describe('userpass lockout (Vault 1.13+, on by default)', () => {
  it('counts case and whitespace variants of one user together, then lets the right password in after the lockout (B4)', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'right' });
    for (const variant of ['Alice', 'ALICE', ' alice', 'alice ', 'aLiCe']) await expectVaultError(login(h, variant, 'wrong'), 400, 'invalid username or password');
    await expectVaultError(login(h, 'alice', 'right'), 403, 'permission denied');
    // A homoglyph is another name altogether: refused as unknown, never unlocking alice.
    await expectVaultError(login(h, '\u0430lice', 'right'), 400, 'invalid username or password');
    await h.clock.advanceSec(899);
    await expectVaultError(login(h, 'alice', 'right'), 403);
    await h.clock.advanceSec(2);
    expect((await login(h, 'alice', 'right')).auth).not.toBeNull();
  });

  it('loses no failure under 50 concurrent wrong logins (C10)', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'right' });
    const variants = ['alice', 'Alice', 'ALICE', ' alice '];
    await Promise.allSettled(Array.from({ length: 50 }, (_, i) => login(h, variants[i % variants.length]!, 'wrong')));
    await expectVaultError(login(h, 'alice', 'right'), 403, 'permission denied');
  });

  it('gives a burst of guesses no token once the threshold was reached while they ran', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'right' });
    const burst = await Promise.allSettled([...Array.from({ length: 39 }, () => login(h, 'alice', 'wrong')), login(h, 'alice', 'right')]);
    const statuses = burst.map((o) => (o.status === 'fulfilled' ? 200 : (o.reason as { status: number }).status));
    expect(statuses).not.toContain(200);
    expect(statuses[39]).toBe(403);
    await expectVaultError(login(h, 'alice', 'right'), 403);
  });

  it('lets any number of good logins of one user run at once', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'right' });
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => login(h, 'alice', 'right')));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(12);
  });

  it('keeps a lockout however many other names fail meanwhile', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'right' });
    for (let i = 0; i < 5; i++) await expectVaultError(login(h, 'alice', 'wrong'), 400);
    for (let i = 0; i < 300; i++) await expectVaultError(login(h, `junk${i}`, 'wrong'), 400);
    await expectVaultError(login(h, 'alice', 'right'), 403);
  });

  it('forgets failures older than the counter reset, and after a successful login', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'right' });
    const fail = async (n: number) => {
      for (let i = 0; i < n; i++) await expectVaultError(login(h, 'alice', 'wrong'), 400);
    };
    await fail(4);
    await h.clock.advanceSec(901);
    await fail(4);
    expect((await login(h, 'alice', 'right')).auth).not.toBeNull();
    await fail(4);
    expect((await login(h, 'alice', 'right')).auth).not.toBeNull();
  });

  it('follows the mount tune: user_lockout_config, and lockout_disable', async () => {
    const h = await userpassVault();
    await h.req('update', 'auth/userpass/users/alice', { password: 'right' });
    expect((await h.req('read', 'sys/auth/userpass/tune')).data).toMatchObject({ user_lockout_threshold: 5, user_lockout_duration: 900, user_lockout_counter_reset_duration: 900, user_lockout_disable: false });
    await h.req('update', 'sys/auth/userpass/tune', { user_lockout_config: { lockout_threshold: '2', lockout_duration: '1m' } });
    expect((await h.req('read', 'sys/auth/userpass/tune')).data).toMatchObject({ user_lockout_threshold: 2, user_lockout_duration: 60 });
    await expectVaultError(login(h, 'alice', 'wrong'), 400);
    await expectVaultError(login(h, 'alice', 'wrong'), 400);
    await expectVaultError(login(h, 'alice', 'right'), 403);
    await h.clock.advanceSec(61);
    await h.req('update', 'sys/auth/userpass/tune', { user_lockout_config: { lockout_disable: true } });
    for (let i = 0; i < 10; i++) await expectVaultError(login(h, 'alice', 'wrong'), 400);
    expect((await login(h, 'alice', 'right')).auth).not.toBeNull();
    await expectVaultError(h.req('update', 'sys/auth/token/tune', { user_lockout_config: { lockout_threshold: 3 } }), 400, 'user lockout config not supported for mount type "token"');
    await expectVaultError(h.req('update', 'sys/auth/userpass/tune', { user_lockout_config: { lockout_treshold: 3 } }), 400, 'unknown user_lockout_config key');
  });
});
