// The AppRole auth method through handle(): roles, secret ids, logins, atomic use counts (vault-api.md R1–R13, §2.7, reliability.md C2, S9).
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '@coffer/storage';
import { expectVaultError, unsealedVault, type Harness } from './testing/helpers.js';

async function approleVault(options: { storage?: MemoryStorage } = {}): Promise<Harness> {
  const h = await unsealedVault(options.storage ? { storage: options.storage } : {});
  await h.req('update', 'sys/auth/approle', { type: 'approle' });
  await h.req('update', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
  await h.req('update', 'sys/policies/acl/jenkins', { policy: 'path "secret/data/mysql/*" { capabilities = ["read"] }' });
  return h;
}

function login(h: Harness, data: Record<string, unknown>, remoteAddr?: string) {
  return h.vault.handle({ operation: 'update', path: 'auth/approle/login', data, ...(remoteAddr ? { remoteAddr } : {}) });
}

async function roleId(h: Harness, role: string): Promise<string> {
  return (await h.req('read', `auth/approle/role/${role}/role-id`)).data!.role_id as string;
}

async function secretId(h: Harness, role: string, data: Record<string, unknown> = {}): Promise<{ secret_id: string; secret_id_accessor: string }> {
  return (await h.req('update', `auth/approle/role/${role}/secret-id`, data)).data as { secret_id: string; secret_id_accessor: string };
}

describe('AppRole: the pull flow of seed 001', () => {
  it('policy, role, role id, wrapped secret id, unwrap, login, read a secret, uses exhausted', async () => {
    const h = await approleVault();
    await h.req('update', 'secret/data/mysql/webapp', { data: { db_name: 'users', username: 'admin', password: 'passw0rd' } });
    await h.req('update', 'auth/approle/role/jenkins', { token_policies: 'jenkins', token_ttl: '1h', token_max_ttl: '4h', secret_id_num_uses: 1 });
    expect((await h.req('read', 'auth/approle/role/jenkins')).data).toMatchObject({ token_policies: ['jenkins'], token_ttl: 3600, token_max_ttl: 14400, bind_secret_id: true, secret_id_num_uses: 1 });
    expect((await h.req('read', 'auth/approle/role/jenkins')).data).not.toHaveProperty('role_id');
    const id = await roleId(h, 'jenkins');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const wrapped = await h.vault.handle({ operation: 'update', path: 'auth/approle/role/jenkins/secret-id', token: h.token, wrapTtl: '60s', data: {} });
    expect(wrapped.data).toBeNull();
    const unwrapped = await h.vault.handle({ operation: 'update', path: 'sys/wrapping/unwrap', token: wrapped.wrapInfo!.token, data: {} });
    const secret = unwrapped.data as { secret_id: string; secret_id_accessor: string; secret_id_num_uses: number };
    expect(wrapped.wrapInfo!.wrapped_accessor).toBe(secret.secret_id_accessor);
    expect(secret.secret_id_num_uses).toBe(1);

    const auth = (await login(h, { role_id: id, secret_id: secret.secret_id })).auth!;
    expect(auth).toMatchObject({ policies: ['default', 'jenkins'], metadata: { role_name: 'jenkins' }, lease_duration: 3600, renewable: true, orphan: true });
    const self = await h.vault.handle({ operation: 'read', path: 'auth/token/lookup-self', token: auth.client_token });
    expect(self.data).toMatchObject({ display_name: 'approle', path: 'auth/approle/login' });
    const read = await h.vault.handle({ operation: 'read', path: 'secret/data/mysql/webapp', token: auth.client_token });
    expect((read.data!.data as Record<string, string>).password).toBe('passw0rd');

    await expectVaultError(login(h, { role_id: id, secret_id: secret.secret_id }), 400, 'invalid role or secret ID');
    expect((await h.req('update', 'auth/approle/role/jenkins/secret-id/lookup', { secret_id: secret.secret_id })).status).toBe(204);
  });
});

describe('AppRole roles', () => {
  it('names are case-insensitive, listed, and deleting a role deletes its secret ids', async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/Build-Bot', { token_policies: 'jenkins' });
    expect((await h.req('list', 'auth/approle/role')).data).toEqual({ keys: ['build-bot'] });
    const id = await roleId(h, 'BUILD-BOT');
    const secret = await secretId(h, 'build-bot');
    expect((await login(h, { role_id: id, secret_id: secret.secret_id })).auth).not.toBeNull();
    await h.req('delete', 'auth/approle/role/build-BOT');
    await expectVaultError(h.req('read', 'auth/approle/role/build-bot'), 404);
    await expectVaultError(login(h, { role_id: id, secret_id: secret.secret_id }), 400, 'invalid role or secret ID');
  });

  it('needs a constraint without bind_secret_id, then logs in by role id from the bound CIDRs only', async () => {
    const h = await approleVault();
    await expectVaultError(h.req('update', 'auth/approle/role/open', { bind_secret_id: false }), 400, 'at least one constraint should be enabled on the role');
    await h.req('update', 'auth/approle/role/open', { bind_secret_id: false, secret_id_bound_cidrs: '10.0.0.0/8' });
    const id = await roleId(h, 'open');
    expect((await login(h, { role_id: id }, '10.1.2.3')).auth).not.toBeNull();
    await expectVaultError(login(h, { role_id: id }, '192.168.0.1'), 400, 'unauthorized through CIDR restrictions on the role');
    await expectVaultError(h.req('update', 'auth/approle/role/open/secret-id', {}), 400, 'bind_secret_id is not set on the role');
  });

  it('a new role id stops the old one at once; secret ids stay valid with the new one', async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/app', {});
    const old = await roleId(h, 'app');
    const secret = await secretId(h, 'app');
    await h.req('update', 'auth/approle/role/app/role-id', { role_id: 'my-custom-role-id' });
    await expectVaultError(login(h, { role_id: old, secret_id: secret.secret_id }), 400, 'invalid role or secret ID');
    expect((await login(h, { role_id: 'my-custom-role-id', secret_id: secret.secret_id })).auth).not.toBeNull();
    await h.req('update', 'auth/approle/role/other', {});
    await expectVaultError(h.req('update', 'auth/approle/role/other/role-id', { role_id: 'my-custom-role-id' }), 400, 'role_id already in use');
  });

  it('gives one custom role id to one role, however many claim it at once', async () => {
    const h = await approleVault();
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => h.req('update', `auth/approle/role/r${i}`, { role_id: 'shared-role-id' })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  it('serves each setting as its own resource, with the role write checks (R14)', async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/app', { token_policies: 'jenkins', token_period: '1h', secret_id_num_uses: 3 });
    expect((await h.req('read', 'auth/approle/role/app/policies')).data).toEqual({ policies: ['jenkins'], token_policies: ['jenkins'] });
    expect((await h.req('read', 'auth/approle/role/app/period')).data).toEqual({ period: 3600, token_period: 3600 });
    expect((await h.req('read', 'auth/approle/role/app/local-secret-ids')).data).toEqual({ local_secret_ids: false });
    await h.req('update', 'auth/approle/role/app/secret-id-num-uses', { secret_id_num_uses: 7 });
    await h.req('update', 'auth/approle/role/app/token-ttl', { token_ttl: '20m' });
    expect((await h.req('read', 'auth/approle/role/app')).data).toMatchObject({ secret_id_num_uses: 7, token_ttl: 1200, token_policies: ['jenkins'] });
    await h.req('delete', 'auth/approle/role/app/secret-id-num-uses');
    expect((await h.req('read', 'auth/approle/role/app/secret-id-num-uses')).data).toEqual({ secret_id_num_uses: 0 });
    await expectVaultError(h.req('update', 'auth/approle/role/app/bind-secret-id', { bind_secret_id: false }), 400, 'at least one constraint should be enabled on the role');
    await expectVaultError(h.req('update', 'auth/approle/role/app/token-max-ttl', { token_max_ttl: '10m' }), 400, "'token_ttl' cannot be greater than 'token_max_ttl'");
    await expectVaultError(h.req('read', 'auth/approle/role/nope/policies'), 400, 'does not exist');
    await expectVaultError(h.req('update', 'auth/approle/role/app/local-secret-ids', { local_secret_ids: true }), 405);
  });

  it('answers Vault’s errors for bad logins', async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/app', {});
    await expectVaultError(login(h, {}), 400, 'missing role_id');
    await expectVaultError(login(h, { role_id: await roleId(h, 'app') }), 400, 'missing secret_id');
    await expectVaultError(login(h, { role_id: 'nope', secret_id: 'nope' }), 400, 'invalid role or secret ID');
    await expectVaultError(login(h, { role_id: await roleId(h, 'app'), secret_id: 'nope' }), 400, 'invalid role or secret ID');
  });
});

describe('AppRole secret ids', () => {
  it('may only tighten the role: uses, TTL and CIDR blocks', async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/app', { secret_id_num_uses: 5, secret_id_ttl: '1h', secret_id_bound_cidrs: '10.0.0.0/8' });
    await expectVaultError(h.req('update', 'auth/approle/role/app/secret-id', { num_uses: 6 }), 400, "num_uses cannot be higher than the role's secret_id_num_uses");
    await expectVaultError(h.req('update', 'auth/approle/role/app/secret-id', { num_uses: 0 }), 400, "num_uses cannot be higher");
    await expectVaultError(h.req('update', 'auth/approle/role/app/secret-id', { ttl: '2h' }), 400, "ttl cannot be longer than the role's secret_id_ttl");
    await expectVaultError(h.req('update', 'auth/approle/role/app/secret-id', { cidr_list: '192.168.0.0/16' }), 400, 'must be a subset');
    const fine = (await h.req('update', 'auth/approle/role/app/secret-id', { num_uses: 2, ttl: '30m', cidr_list: '10.1.0.0/16' })).data!;
    expect(fine).toMatchObject({ secret_id_num_uses: 2, secret_id_ttl: 1800 });
    const defaults = (await h.req('update', 'auth/approle/role/app/secret-id', {})).data!;
    expect(defaults).toMatchObject({ secret_id_num_uses: 5, secret_id_ttl: 3600 });
  });

  it('are looked up, listed and destroyed by value and by accessor', async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/app', {});
    const a = await secretId(h, 'app', { metadata: JSON.stringify({ host: 'ci-1' }), num_uses: 3 });
    const b = await secretId(h, 'app');
    expect((await h.req('list', 'auth/approle/role/app/secret-id')).data).toEqual({ keys: [a.secret_id_accessor, b.secret_id_accessor].sort() });
    const looked = (await h.req('update', 'auth/approle/role/app/secret-id/lookup', { secret_id: a.secret_id })).data!;
    expect(looked).toMatchObject({ secret_id_accessor: a.secret_id_accessor, secret_id_num_uses: 3, metadata: { host: 'ci-1' }, expiration_time: '0001-01-01T00:00:00Z' });
    expect(JSON.stringify(looked)).not.toContain(a.secret_id);
    expect((await h.req('update', 'auth/approle/role/app/secret-id-accessor/lookup', { secret_id_accessor: a.secret_id_accessor })).data).toEqual(looked);
    const auth = (await login(h, { role_id: await roleId(h, 'app'), secret_id: a.secret_id })).auth!;
    expect(auth.metadata).toEqual({ host: 'ci-1', role_name: 'app' });
    await h.req('update', 'auth/approle/role/app/secret-id/destroy', { secret_id: a.secret_id });
    await expectVaultError(login(h, { role_id: await roleId(h, 'app'), secret_id: a.secret_id }), 400, 'invalid role or secret ID');
    await h.req('update', 'auth/approle/role/app/secret-id-accessor/destroy', { secret_id_accessor: b.secret_id_accessor });
    await expectVaultError(login(h, { role_id: await roleId(h, 'app'), secret_id: b.secret_id }), 400, 'invalid role or secret ID');
    await expectVaultError(h.req('update', 'auth/approle/role/app/secret-id-accessor/lookup', { secret_id_accessor: 'nope' }), 404, 'failed to find accessor entry for secret_id_accessor: "nope"');
    await expectVaultError(h.req('update', 'auth/approle/role/app/secret-id-accessor/destroy', { secret_id_accessor: 'nope' }), 404);
  });

  it("can never reach another role's secret ids through an accessor (CVE-2023-24999)", async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/a', {});
    await h.req('update', 'auth/approle/role/b', {});
    const ofB = await secretId(h, 'b');
    await expectVaultError(h.req('update', 'auth/approle/role/a/secret-id-accessor/destroy', { secret_id_accessor: ofB.secret_id_accessor }), 404);
    await expectVaultError(h.req('update', 'auth/approle/role/A/secret-id-accessor/lookup', { secret_id_accessor: ofB.secret_id_accessor }), 404);
    expect((await login(h, { role_id: await roleId(h, 'b'), secret_id: ofB.secret_id })).auth).not.toBeNull();
  });

  it('never brings a destroyed secret id back, however a login and the destroy race', async () => {
    const h = await approleVault();
    await h.req('update', 'sys/auth/approle/tune', { user_lockout_config: { lockout_disable: true } });
    await h.req('update', 'auth/approle/role/app', {});
    const id = await roleId(h, 'app');
    for (let i = 0; i < 20; i++) {
      const secret = await secretId(h, 'app', { num_uses: 5 });
      await Promise.allSettled([login(h, { role_id: id, secret_id: secret.secret_id }), h.req('update', 'auth/approle/role/app/secret-id/destroy', { secret_id: secret.secret_id })]);
      await expectVaultError(login(h, { role_id: id, secret_id: secret.secret_id }), 400, 'invalid role or secret ID');
    }
  });

  it('refuses a custom secret id that is already registered', async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/app', {});
    await h.req('update', 'auth/approle/role/app/custom-secret-id', { secret_id: 'my-secret' });
    await expectVaultError(h.req('update', 'auth/approle/role/app/custom-secret-id', { secret_id: 'my-secret' }), 400, 'SecretID is already registered');
    expect((await login(h, { role_id: await roleId(h, 'app'), secret_id: 'my-secret' })).auth).not.toBeNull();
  });

  it('yields exactly one token from 50 concurrent logins with secret_id_num_uses=1, and five with 5 (C2)', async () => {
    for (const uses of [1, 5]) {
      const h = await approleVault();
      // The 45 refused logins would lock the role id and could refuse a good one still in flight: off, so the use count alone decides.
      await h.req('update', 'sys/auth/approle/tune', { user_lockout_config: { lockout_disable: true } });
      await h.req('update', 'auth/approle/role/app', { secret_id_num_uses: uses });
      const id = await roleId(h, 'app');
      const secret = await secretId(h, 'app');
      const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => login(h, { role_id: id, secret_id: secret.secret_id })));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(uses);
      for (const o of outcomes) if (o.status === 'rejected') expect(String(o.reason)).toContain('invalid role or secret ID');
      expect((await h.req('update', 'auth/approle/role/app/secret-id/lookup', { secret_id: secret.secret_id })).status).toBe(204);
      expect((await h.req('list', 'auth/approle/role/app/secret-id').catch(() => ({ data: { keys: [] } }))).data).toEqual({ keys: [] });
    }
  });

  it('takes the use before checking the address, and refuses an expired secret id; tidy removes expired ones', async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/app', { secret_id_ttl: '10m' });
    const id = await roleId(h, 'app');
    const bound = await secretId(h, 'app', { cidr_list: '10.0.0.0/8', num_uses: 2 });
    await expectVaultError(login(h, { role_id: id, secret_id: bound.secret_id }, '192.168.1.1'), 400, 'unauthorized through CIDR restrictions on the secret ID');
    expect((await h.req('update', 'auth/approle/role/app/secret-id/lookup', { secret_id: bound.secret_id })).data).toMatchObject({ secret_id_num_uses: 1 });
    const expiring = await secretId(h, 'app');
    await h.clock.advanceSec(601);
    await expectVaultError(login(h, { role_id: id, secret_id: expiring.secret_id }, '10.0.0.1'), 400, 'invalid role or secret ID');
    const tidy = await h.req('update', 'auth/approle/tidy/secret-id', {});
    expect(tidy.status).toBe(202);
    await expectVaultError(h.req('list', 'auth/approle/role/app/secret-id'), 404);
  });

  it('sweeps expired secret ids every minute without being asked', async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/app', { secret_id_ttl: '30s' });
    await secretId(h, 'app');
    expect((await h.req('list', 'auth/approle/role/app/secret-id')).data!.keys).toHaveLength(1);
    await h.clock.advanceSec(61);
    await expectVaultError(h.req('list', 'auth/approle/role/app/secret-id'), 404);
  });

  it("renews through the role: refused once the role's policies changed", async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/app', { token_policies: 'jenkins', token_ttl: '1h', token_max_ttl: '4h' });
    const token = (await login(h, { role_id: await roleId(h, 'app'), secret_id: (await secretId(h, 'app')).secret_id })).auth!.client_token;
    expect((await h.vault.handle({ operation: 'update', path: 'auth/token/renew-self', token, data: {} })).auth?.lease_duration).toBe(3600);
    await h.req('update', 'auth/approle/role/app', { token_policies: 'jenkins,ops' });
    await expectVaultError(h.vault.handle({ operation: 'update', path: 'auth/token/renew-self', token, data: {} }), 400, 'policies have changed, not renewing');
  });

  it('keeps role ids, secret ids and accessors out of storage keys (S1)', async () => {
    const storage = new MemoryStorage();
    const h = await approleVault({ storage });
    await h.req('update', 'auth/approle/role/app', {});
    await h.req('update', 'auth/approle/role/app/custom-secret-id', { secret_id: 'canary-secret-id-value' });
    const id = await roleId(h, 'app');
    const keys = [...storage.entries()].map(([key]) => key).join('\n');
    expect(keys).not.toContain('canary-secret-id-value');
    expect(keys).not.toContain(id);
  });
});

describe('AppRole lockout', () => {
  it('lets any number of good logins of one role id run at once', async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/app', {});
    const id = await roleId(h, 'app');
    const secrets = await Promise.all(Array.from({ length: 10 }, () => secretId(h, 'app')));
    const outcomes = await Promise.allSettled(secrets.map((secret) => login(h, { role_id: id, secret_id: secret.secret_id })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
  });

  it('refuses logins with a role id a concurrent change replaced', async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/app', {});
    const secret = await secretId(h, 'app');
    await Promise.allSettled([h.req('update', 'auth/approle/role/app/role-id', { role_id: 'xxx' }), h.req('update', 'auth/approle/role/app/role-id', { role_id: 'yyy' })]);
    const current = await roleId(h, 'app');
    const stale = current === 'xxx' ? 'yyy' : 'xxx';
    expect((await login(h, { role_id: current, secret_id: secret.secret_id })).auth).not.toBeNull();
    await expectVaultError(login(h, { role_id: stale, secret_id: secret.secret_id }), 400, 'invalid role or secret ID');
  });

  it('locks a role id out after five wrong secret ids, then lets it in once the lockout ran out', async () => {
    const h = await approleVault();
    await h.req('update', 'auth/approle/role/app', {});
    const id = await roleId(h, 'app');
    const secret = await secretId(h, 'app');
    for (let i = 0; i < 5; i++) await expectVaultError(login(h, { role_id: id, secret_id: `wrong-${i}` }), 400, 'invalid role or secret ID');
    await expectVaultError(login(h, { role_id: id, secret_id: secret.secret_id }), 403, 'permission denied');
    await h.clock.advanceSec(901);
    expect((await login(h, { role_id: id, secret_id: secret.secret_id })).auth).not.toBeNull();
  });
});
