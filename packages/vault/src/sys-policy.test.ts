// ACL policies through handle(): sys/policy, sys/policies/acl, sys/capabilities*, and enforcement on requests (vault-api.md §1.3, §2.2).
import { describe, expect, it } from 'vitest';
import { expectVaultError, unsealedVault, type Harness } from './testing/helpers.js';

async function tokenWith(h: Harness, policies: string[], extra: Record<string, unknown> = {}): Promise<string> {
  return (await h.req('update', 'auth/token/create', { policies, ...extra })).auth!.client_token;
}

describe('sys/policy and sys/policies/acl', () => {
  it('starts with default and root, and hides response-wrapping', async () => {
    const h = await unsealedVault();
    const listed = await h.req('read', 'sys/policy');
    expect(listed.data).toEqual({ keys: ['default', 'root'], policies: ['default', 'root'] });
    expect(listed.injectData).toBe(true);
    expect((await h.req('list', 'sys/policies/acl')).data).toEqual({ keys: ['default', 'root'] });
    expect((await h.req('read', 'sys/policy/root')).data).toEqual({ name: 'root', rules: '' });
    const defaults = (await h.req('read', 'sys/policies/acl/default')).data!;
    expect(defaults.policy).toContain('path "auth/token/lookup-self"');
  });

  it('writes, reads and deletes a policy under both routes', async () => {
    const h = await unsealedVault();
    const text = 'path "secret/*" {\n  capabilities = ["read", "list"]\n}\n';
    expect((await h.req('update', 'sys/policies/acl/dev', { policy: text })).status).toBe(204);
    expect((await h.req('read', 'sys/policies/acl/dev')).data).toEqual({ name: 'dev', policy: text });
    const legacy = await h.req('read', 'sys/policy/dev');
    expect(legacy.data).toEqual({ name: 'dev', rules: text });
    expect(legacy.injectData).toBe(true);
    await h.req('update', 'sys/policy/ops', { rules: text });
    expect((await h.req('list', 'sys/policies/acl')).data!.keys).toEqual(['default', 'dev', 'ops', 'root']);
    expect((await h.req('delete', 'sys/policies/acl/dev')).status).toBe(204);
    expect((await h.req('delete', 'sys/policies/acl/dev')).status).toBe(204);
    await expectVaultError(h.req('read', 'sys/policies/acl/dev'), 404);
  });

  it('accepts the JSON form and base64-encoded text', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/policies/acl/json', { policy: JSON.stringify({ path: { 'kv/*': { capabilities: ['read'] } } }) });
    const hcl = 'path "kv/x" { capabilities = ["read"] }';
    await h.req('update', 'sys/policies/acl/b64', { policy: Buffer.from(hcl).toString('base64') });
    expect((await h.req('read', 'sys/policies/acl/b64')).data!.policy).toBe(hcl);
  });

  it('refuses malformed HCL with the line and column, and stores nothing', async () => {
    const h = await unsealedVault();
    const error = await expectVaultError(h.req('update', 'sys/policies/acl/bad', { policy: 'path "a" {\n  capabilities = ["read"\n}' }), 400, 'failed to parse policy');
    expect(error.errors.join()).toMatch(/3:1|line 3/);
    await expectVaultError(h.req('update', 'sys/policies/acl/bad', { policy: 'path "a" { capabilities = ["fly"] }' }), 400, 'failed to parse policy');
    await expectVaultError(h.req('read', 'sys/policies/acl/bad'), 404);
    await expectVaultError(h.req('update', 'sys/policies/acl/empty', { policy: '' }), 400, "'policy' parameter not supplied or empty");
  });

  it('normalises names so root cannot be written or deleted under any spelling', async () => {
    const h = await unsealedVault();
    const text = 'path "*" { capabilities = ["sudo", "read"] }';
    for (const name of ['root', 'Root', ' ROOT ']) {
      await expectVaultError(h.req('update', 'sys/policy/' + name, { policy: text }), 400, 'cannot update "root" policy');
    }
    await expectVaultError(h.req('update', 'sys/policies/acl/response-wrapping', { policy: text }), 400, 'cannot update "response-wrapping" policy');
    await expectVaultError(h.req('delete', 'sys/policies/acl/Root'), 400, 'cannot delete "root" policy');
    await expectVaultError(h.req('delete', 'sys/policy/default'), 400, 'cannot delete default policy');
    const converted = await h.req('update', 'sys/policies/acl/MyPolicy', { policy: 'path "a" { capabilities = ["read"] }' });
    expect(converted.warnings).toEqual(['policy name was converted to mypolicy']);
    expect((await h.req('read', 'sys/policies/acl/mypolicy')).data!.name).toBe('mypolicy');
  });
});

describe('enforcement', () => {
  it('allows what the policy grants and denies everything else with 403', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/policies/acl/reader', { policy: 'path "sys/mounts" { capabilities = ["read"] }' });
    const token = await tokenWith(h, ['reader']);
    expect((await h.req('read', 'sys/mounts', undefined, token)).status).toBe(200);
    await expectVaultError(h.req('update', 'sys/mounts/kv', { type: 'kv' }, token), 403, 'permission denied');
    await expectVaultError(h.req('read', 'sys/policy', undefined, token), 403);
  });

  it('tells only a permitted caller that no mount serves a path (403 before 404)', async () => {
    const h = await unsealedVault();
    const token = await tokenWith(h, ['default']);
    await expectVaultError(h.req('read', 'nowhere/x', undefined, token), 403);
    await expectVaultError(h.req('read', 'nowhere/x'), 404, 'no handler for route');
  });

  it('lets the default policy look up, renew and revoke itself', async () => {
    const h = await unsealedVault();
    const token = await tokenWith(h, ['default'], { ttl: '1h' });
    expect((await h.req('read', 'auth/token/lookup-self', undefined, token)).data!.policies).toEqual(['default']);
    expect((await h.req('update', 'auth/token/renew-self', {}, token)).auth!.lease_duration).toBe(3600);
    // POST lookup-self needs update, which the default policy does not grant.
    await expectVaultError(h.req('update', 'auth/token/lookup-self', {}, token), 403);
    expect((await h.req('update', 'auth/token/revoke-self', {}, token)).status).toBe(204);
  });

  it('takes a policy edit into account on the very next request', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/policies/acl/p', { policy: 'path "sys/mounts" { capabilities = ["read"] }' });
    const token = await tokenWith(h, ['p']);
    expect((await h.req('read', 'sys/mounts', undefined, token)).status).toBe(200);
    await h.req('update', 'sys/policies/acl/p', { policy: 'path "sys/auth" { capabilities = ["read"] }' });
    await expectVaultError(h.req('read', 'sys/mounts', undefined, token), 403);
    expect((await h.req('read', 'sys/auth', undefined, token)).status).toBe(200);
    await h.req('delete', 'sys/policies/acl/p');
    await expectVaultError(h.req('read', 'sys/auth', undefined, token), 403);
  });

  it('lets an exact allow in one policy beat a glob deny in another (deny is not global)', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/policies/acl/deny-all', { policy: 'path "sys/*" { capabilities = ["deny"] }' });
    await h.req('update', 'sys/policies/acl/allow-one', { policy: 'path "sys/mounts" { capabilities = ["read"] }' });
    const token = await tokenWith(h, ['deny-all', 'allow-one']);
    expect((await h.req('read', 'sys/mounts', undefined, token)).status).toBe(200);
    await expectVaultError(h.req('read', 'sys/auth', undefined, token), 403);
  });

  it('needs sudo on root-protected paths, and not on sys/mounts', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/policies/acl/ops', {
      policy: 'path "sys/auth/*" { capabilities = ["create", "update", "read", "delete"] }\npath "sys/mounts/*" { capabilities = ["create", "update", "read"] }',
    });
    await h.req('update', 'sys/policies/acl/ops-sudo', { policy: 'path "sys/auth/*" { capabilities = ["create", "update", "sudo"] }' });
    const plain = await tokenWith(h, ['ops']);
    await expectVaultError(h.req('update', 'sys/auth/userpass', { type: 'token' }, plain), 403);
    // Past the ACL without sudo: the mount itself fails on the unknown type.
    await expectVaultError(h.req('update', 'sys/mounts/kv', { type: 'nope' }, plain), 400, 'plugin not found in the catalog: nope');
    const sudo = await tokenWith(h, ['ops-sudo']);
    await expectVaultError(h.req('update', 'sys/auth/userpass', { type: 'nope' }, sudo), 400);
  });

  it('enforces allowed, denied and required parameters', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/policies/acl/params', {
      policy: `path "auth/token/create" {
        capabilities = ["update"]
        allowed_parameters = { "policies" = ["dev", "ops"], "ttl" = [] }
        required_parameters = ["ttl"]
      }`,
    });
    await h.req('update', 'sys/policies/acl/dev', { policy: 'path "x" { capabilities = ["read"] }' });
    const token = await tokenWith(h, ['params', 'dev']);
    expect((await h.req('update', 'auth/token/create', { policies: 'dev', ttl: '1h' }, token)).auth!.policies).toEqual(['default', 'dev']);
    await expectVaultError(h.req('update', 'auth/token/create', { policies: 'dev' }, token), 403);
    await expectVaultError(h.req('update', 'auth/token/create', { policies: 'admin', ttl: '1h' }, token), 403);
    await expectVaultError(h.req('update', 'auth/token/create', { ttl: '1h', num_uses: 3 }, token), 403);
  });
});

describe('child token policies with a non-root parent', () => {
  async function parentWith(h: Harness): Promise<string> {
    await h.req('update', 'sys/policies/acl/creator', { policy: 'path "auth/token/create*" { capabilities = ["update"] }' });
    await h.req('update', 'sys/policies/acl/dev', { policy: 'path "x" { capabilities = ["read"] }' });
    return tokenWith(h, ['creator', 'dev']);
  }

  it('requires a subset of the parent\'s policies and keeps default only if the parent has it', async () => {
    const h = await unsealedVault();
    const parent = await parentWith(h);
    expect((await h.req('update', 'auth/token/create', { policies: ['dev'] }, parent)).auth!.policies).toEqual(['default', 'dev']);
    expect((await h.req('update', 'auth/token/create', {}, parent)).auth!.policies).toEqual(['creator', 'default', 'dev']);
    await expectVaultError(h.req('update', 'auth/token/create', { policies: ['admin'] }, parent), 400, 'child policies must be subset of parent');
    await expectVaultError(h.req('update', 'auth/token/create', { policies: ['root'] }, parent), 400);
  });

  it('needs sudo for no_parent, period and a custom id, but not for create-orphan', async () => {
    const h = await unsealedVault();
    const parent = await parentWith(h);
    await expectVaultError(h.req('update', 'auth/token/create', { no_parent: true }, parent), 400, 'root or sudo privileges required to create orphan token');
    await expectVaultError(h.req('update', 'auth/token/create', { period: '1h' }, parent), 400, 'root or sudo privileges required to create periodic token');
    await expectVaultError(h.req('update', 'auth/token/create', { id: 'custom' }, parent), 400, 'root or sudo privileges required to specify token id');
    expect((await h.req('update', 'auth/token/create-orphan', {}, parent)).auth!.orphan).toBe(true);
  });

  it('revoke-orphan without sudo is refused in the handler, and by the ACL in its URL form', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/policies/acl/orphaner', { policy: 'path "auth/token/revoke-orphan*" { capabilities = ["update"] }' });
    const token = await tokenWith(h, ['orphaner']);
    await expectVaultError(h.req('update', 'auth/token/revoke-orphan', { token: h.token }, token), 400, 'root or sudo privileges required to revoke and orphan');
    await expectVaultError(h.req('update', `auth/token/revoke-orphan/${h.token}`, {}, token), 403);
    expect((await h.req('read', 'auth/token/lookup-self')).data!.id).toBe(h.token);
  });
});

describe('sys/capabilities*', () => {
  it('reports sorted capabilities, deny when nothing matches, root for root', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/policies/acl/dev', { policy: 'path "secret/*" { capabilities = ["update", "read", "create"] }' });
    const token = await tokenWith(h, ['dev']);
    const one = await h.req('update', 'sys/capabilities', { token, paths: ['secret/a'] });
    expect(one.data).toEqual({ 'secret/a': ['create', 'read', 'update'], capabilities: ['create', 'read', 'update'] });
    expect(one.injectData).toBe(true);
    const two = await h.req('update', 'sys/capabilities', { token, paths: ['secret/a', 'other'] });
    expect(two.data).toEqual({ 'secret/a': ['create', 'read', 'update'], other: ['deny'] });
    expect((await h.req('update', 'sys/capabilities-self', { paths: ['anything'] })).data).toMatchObject({ anything: ['root'] });
    await expectVaultError(h.req('update', 'sys/capabilities', { token: 'hvs.nope', paths: ['a'] }), 400, 'invalid token');
  });

  it('reports the default policy on cubbyhole for a default token, and by accessor', async () => {
    const h = await unsealedVault();
    const created = await h.req('update', 'auth/token/create', { policies: ['default'] });
    const token = created.auth!.client_token;
    expect((await h.req('update', 'sys/capabilities-self', { paths: 'cubbyhole/x' }, token)).data!.capabilities).toEqual(['create', 'delete', 'list', 'read', 'update']);
    expect((await h.req('update', 'sys/capabilities-accessor', { accessor: created.auth!.accessor, paths: ['cubbyhole/x'] })).data!.capabilities).toEqual([
      'create',
      'delete',
      'list',
      'read',
      'update',
    ]);
    await expectVaultError(h.req('update', 'sys/capabilities-accessor', { accessor: 'nope', paths: ['a'] }), 400, 'invalid accessor');
  });

  it('warns when a token is given a policy that does not exist', async () => {
    const h = await unsealedVault();
    const response = await h.req('update', 'auth/token/create', { policies: ['ghost'] });
    expect(response.warnings).toContain('Policy "ghost" does not exist');
  });
});

describe('password policies (sys/policies/password)', () => {
  const POLICY = 'length = 12\nrule "charset" {\n  charset = "abc"\n  min-chars = 2\n}\nrule "charset" {\n  charset = "0123456789"\n  min-chars = 3\n}\n';

  it('writes, reads, lists, generates from and deletes a policy', async () => {
    const h = await unsealedVault();
    expect((await h.req('update', 'sys/policies/password/short', { policy: POLICY })).status).toBe(204);
    expect((await h.req('read', 'sys/policies/password/short')).data).toEqual({ policy: POLICY });
    expect((await h.req('list', 'sys/policies/password')).data).toEqual({ keys: ['short'] });
    for (let i = 0; i < 20; i++) {
      const password = (await h.req('read', 'sys/policies/password/short/generate')).data!.password as string;
      expect(password).toMatch(/^[abc0-9]{12}$/);
      expect(password.replace(/[^abc]/g, '').length).toBeGreaterThanOrEqual(2);
      expect(password.replace(/[^0-9]/g, '').length).toBeGreaterThanOrEqual(3);
    }
    expect((await h.req('delete', 'sys/policies/password/short')).status).toBe(204);
    await expectVaultError(h.req('read', 'sys/policies/password/short/generate'), 400, 'policy "short" does not exist');
  });

  it('refuses a policy that cannot be parsed or met, and stores nothing', async () => {
    const h = await unsealedVault();
    await expectVaultError(h.req('update', 'sys/policies/password/bad', { policy: 'length = 3\nrule "charset" { charset = "a" }' }), 400, 'invalid password policy: length must be >= 4');
    await expectVaultError(h.req('update', 'sys/policies/password/bad', { policy: 'length = 4\nrule "charset" { charset = "a"\n min-chars = 5 }' }), 400, 'require at least 5 characters');
    await expectVaultError(h.req('update', 'sys/policies/password/bad', { policy: 'length = 8\nrule "words" { count = 2 }' }), 400, 'unrecognized rule type "words"');
    await expectVaultError(h.req('update', 'sys/policies/password/bad', { policy: 'length = ' }), 400, 'invalid password policy');
    await expectVaultError(h.req('read', 'sys/policies/password/bad'), 404);
  });
});
