// The token and policy steps of the three seed walkthroughs (../shared/seeds), in-process, with Vault's answers.
// KV reads, AppRole and userpass logins in the same walkthroughs belong to their engines' suites.
import { describe, expect, it } from 'vitest';
import { createVault, VaultError, type Request } from 'coffer';
import { TestClock } from '@coffer/sdk/testing';

async function devVault(rootTokenId = 'root') {
  const vault = await createVault({ dev: { rootTokenId }, clock: new TestClock() });
  const as = (token: string) => (operation: Request['operation'], path: string, data?: Record<string, unknown>) =>
    vault.handle({ operation, path, token, ...(data ? { data } : {}) });
  return { vault, root: as(rootTokenId), as };
}

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof VaultError) return error.status;
    throw error;
  }
}

describe('seed 000: Vault on Linode, "Policies"', () => {
  it('vault token lookup shows the root policy', async () => {
    const { root } = await devVault('s.YijNa8lqSDeho1tJBtY02983');
    expect((await root('read', 'auth/token/lookup-self')).data).toMatchObject({ policies: ['root'] });
  });

  it('vault policy write read-myservice; vault token create -policy=read-myservice; the token reads only its path', async () => {
    const { root, as } = await devVault();
    const policy = 'path "kv/data/myservice" {\n  capabilities = ["read"]\n}\n';
    expect((await root('update', 'sys/policies/acl/read-myservice', { policy })).status).toBe(204);
    const created = await root('update', 'auth/token/create', { policies: ['read-myservice'] });
    // token_duration 768h, token_renewable true, policies ["default" "read-myservice"]
    expect(created.auth).toMatchObject({ lease_duration: 768 * 3600, renewable: true, policies: ['default', 'read-myservice'], token_policies: ['default', 'read-myservice'] });
    const user = as(created.auth!.client_token);
    expect((await user('update', 'sys/capabilities-self', { paths: ['kv/data/myservice'] })).data!.capabilities).toEqual(['read']);
    // vault kv list kv/ → GET kv/metadata?list=true → 403 permission denied
    const denied = await user('list', 'kv/metadata/').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(VaultError);
    expect((denied as VaultError).status).toBe(403);
    expect((denied as VaultError).errors).toEqual(['1 error occurred:\n\t* permission denied\n\n']);
  });
});

describe('seed 000: "The KV Secret Backend" and "Policies" with KV', () => {
  it('secrets enable -version=2 kv; kv put/get; a read-myservice token reads it but cannot list; root lists', async () => {
    const { vault, root, as } = await devVault();
    await root('update', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } });
    // vault kv put kv/myservice api_token=secretvalue
    const put = await root('update', 'kv/data/myservice', { data: { api_token: 'secretvalue' } });
    expect(put.data).toMatchObject({ version: 1, destroyed: false, deletion_time: '' });
    const got = await root('read', 'kv/data/myservice');
    expect(got.data).toMatchObject({ data: { api_token: 'secretvalue' }, metadata: { version: 1, destroyed: false } });
    await root('update', 'sys/policies/acl/read-myservice', { policy: 'path "kv/data/myservice" {\n  capabilities = ["read"]\n}\n' });
    const user = as((await root('update', 'auth/token/create', { policies: ['read-myservice'] })).auth!.client_token);
    expect((await user('read', 'kv/data/myservice')).data!.data).toEqual({ api_token: 'secretvalue' });
    expect(await status(user('list', 'kv/metadata/'))).toBe(403);
    expect((await root('list', 'kv/metadata/')).data).toEqual({ keys: ['myservice'] });
    expect(await vault.kv('kv').list()).toEqual(['myservice']);
  });
});

describe('seed 001: AppRole guide, policy requirements', () => {
  it('writes the admin and jenkins policies exactly as given', async () => {
    const { root } = await devVault();
    const admin = `# Mount the AppRole auth method
path "sys/auth/approle" {
  capabilities = [ "create", "read", "update", "delete", "sudo" ]
}

# Configure the AppRole auth method
path "sys/auth/approle/*" {
  capabilities = [ "create", "read", "update", "delete" ]
}

# Create and manage roles
path "auth/approle/*" {
  capabilities = [ "create", "read", "update", "delete", "list" ]
}

# Write ACL policies
path "sys/policies/acl/*" {
  capabilities = [ "create", "read", "update", "delete", "list" ]
}

# Write test data
# Set the path to "secret/data/mysql/*" if you are running \`kv-v2\`
path "secret/mysql/*" {
  capabilities = [ "create", "read", "update", "delete", "list" ]
}
`;
    await root('update', 'sys/policies/acl/admin', { policy: admin });
    await root('update', 'sys/policies/acl/jenkins', { policy: '# Read-only permission on \'secret/data/mysql/*\' path\npath "secret/data/mysql/*" {\n  capabilities = [ "read" ]\n}\n' });
    const token = (await root('update', 'auth/token/create', { policies: ['admin'] })).auth!.client_token;
    const caps = await root('update', 'sys/capabilities', { token, paths: ['sys/auth/approle', 'sys/auth/approle/tune', 'secret/mysql/x', 'secret/other'] });
    expect(caps.data).toEqual({
      'sys/auth/approle': ['create', 'delete', 'read', 'sudo', 'update'],
      'sys/auth/approle/tune': ['create', 'delete', 'read', 'update'],
      'secret/mysql/x': ['create', 'delete', 'list', 'read', 'update'],
      'secret/other': ['deny'],
    });
  });
});

describe('seed 002: Vault guide, tokens and policies', () => {
  it('vault token create -ttl=24h -policy=default, use it, vault token revoke', async () => {
    const { root, as } = await devVault('root');
    const created = await root('update', 'auth/token/create', { ttl: '24h', policies: ['default'] });
    expect(created.auth).toMatchObject({ lease_duration: 24 * 3600, policies: ['default'] });
    const child = as(created.auth!.client_token);
    expect((await child('read', 'auth/token/lookup-self')).data).toMatchObject({ ttl: 24 * 3600, policies: ['default'] });
    expect((await root('update', 'auth/token/revoke', { token: created.auth!.client_token })).status).toBe(204);
    expect(await status(child('read', 'auth/token/lookup-self'))).toBe(403);
  });

  it('vault policy write team-alpha-admin / team-alpha-reader; policy list; policy read', async () => {
    const { root, as } = await devVault('root');
    const adminPolicy = `path "team-alpha/*" { capabilities = ["create", "read", "update", "delete", "list", "patch"]}
path "team-alpha/metadata/*" { capabilities = ["list", "read", "delete"]}
# Allow reading auth configuration
path "sys/auth" { capabilities = ["read", "list"]}
# Allow renewing own token
path "auth/token/renew-self" { capabilities = ["update"]}
`;
    const readerPolicy = `path "team-alpha/data/*" { capabilities = ["read", "list"]}
path "team-alpha/metadata/*" { capabilities = ["list", "read"]}
# Allow looking up own token
path "auth/token/lookup-self" { capabilities = ["read"]}
`;
    await root('update', 'sys/policy/team-alpha-admin', { policy: adminPolicy });
    await root('update', 'sys/policy/team-alpha-reader', { policy: readerPolicy });
    expect((await root('read', 'sys/policy')).data!.policies).toEqual(['default', 'root', 'team-alpha-admin', 'team-alpha-reader']);
    expect((await root('read', 'sys/policy/team-alpha-admin')).data).toEqual({ name: 'team-alpha-admin', rules: adminPolicy });

    const readerToken = (await root('update', 'auth/token/create', { policies: ['team-alpha-reader'], no_default_policy: true })).auth!.client_token;
    const reader = as(readerToken);
    expect((await reader('read', 'auth/token/lookup-self')).data!.policies).toEqual(['team-alpha-reader']);
    // Without the default policy the reader may not even ask sys/capabilities-self.
    expect(await status(reader('update', 'sys/capabilities-self', { paths: ['team-alpha/data/api-key'] }))).toBe(403);
    expect((await root('update', 'sys/capabilities', { token: readerToken, paths: ['team-alpha/data/api-key', 'secret/data/my-app/database'] })).data).toEqual({
      'team-alpha/data/api-key': ['list', 'read'],
      'secret/data/my-app/database': ['deny'],
    });
    // "vault kv get secret/my-app/database # Should fail (different path)"
    expect(await status(reader('read', 'secret/data/my-app/database'))).toBe(403);
    const admin = as((await root('update', 'auth/token/create', { policies: ['team-alpha-admin'], ttl: '1h' })).auth!.client_token);
    expect((await admin('read', 'sys/auth')).status).toBe(200);
    expect((await admin('update', 'auth/token/renew-self')).auth!.lease_duration).toBe(3600);
  });
});
