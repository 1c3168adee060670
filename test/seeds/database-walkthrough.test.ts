// Seed 002, Steps 5 and 9: dynamic PostgreSQL credentials for an AppRole application, in-process and over HTTP
// with node-vault against a real `coffer server -dev`, checked by logging in to a real PostgreSQL server.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createVault, type Request, type Vault } from 'coffer';
import { TestClock } from '@coffer/sdk/testing';
import { createTestDatabase, type TestDatabase } from '@coffer/database/testing';
import { startCoffer, type CofferProcess } from '../clients/coffer-process.js';
import { apiError, nodeVault } from '../clients/node-vault-client.js';

let db: TestDatabase;
const admin = { user: `seed_admin_${Math.random().toString(36).slice(2, 8)}`, password: 'admin123' };

beforeAll(async () => {
  // The walkthrough's `myapp` database with an `admin` user and a table to read.
  db = await createTestDatabase(inject('postgres'), 'myapp');
  await db.query(`CREATE ROLE "${admin.user}" LOGIN SUPERUSER PASSWORD '${admin.password}'`);
  await db.query('CREATE TABLE orders (id int PRIMARY KEY, item text)');
  await db.query(`INSERT INTO orders VALUES (1, 'coffee')`);
});

afterAll(async () => {
  // Roles belong to the cluster, not the database: this file's own goes before the database.
  await db.query(`DROP ROLE IF EXISTS "${admin.user}"`).catch(() => undefined);
  await db.drop();
});

/** Step 9's writes, in order, as the `vault` CLI sends them. */
function step9Writes(): Array<[string, Record<string, unknown>]> {
  return [
    ['sys/auth/approle', { type: 'approle' }],
    ['sys/mounts/database', { type: 'database' }],
    [
      'database/config/myapp-pg',
      {
        plugin_name: 'postgresql-database-plugin',
        allowed_roles: 'myapp-role',
        connection_url: `postgresql://{{username}}:{{password}}@${db.host}:${db.port}/${db.database}?sslmode=disable`,
        username: admin.user,
        password: admin.password,
      },
    ],
    [
      'database/roles/myapp-role',
      {
        db_name: 'myapp-pg',
        creation_statements: `CREATE USER "{{name}}" WITH PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`,
        default_ttl: '30m',
        max_ttl: '1h',
      },
    ],
    ['sys/policies/acl/myapp-policy', { policy: 'path "database/creds/myapp-role" { capabilities = ["read"]}\npath "secret/data/myapp/config" { capabilities = ["read"]}\n' }],
    ['auth/approle/role/myapp-service', { secret_id_ttl: '24h', token_ttl: '1h', policies: 'myapp-policy' }],
  ];
}

async function expectLoginRefused(username: string, password: string): Promise<void> {
  await expect(db.queryAs(username, password, 'SELECT 1')).rejects.toThrow(/password authentication failed|does not exist/);
}

describe('seed 002 Step 9, in-process', () => {
  let vault: Vault;
  beforeAll(async () => {
    // PostgreSQL checks VALID UNTIL against its own clock.
    vault = await createVault({ dev: { rootTokenId: 'root' }, clock: new TestClock(Math.floor(Date.now() / 1000) * 1000) });
  });
  afterAll(() => vault.close());

  it('AppRole login -> database/creds/myapp-role -> connect -> revoke -> connection refused', async () => {
    const as = (token: string) => (operation: Request['operation'], path: string, data?: Record<string, unknown>) => vault.handle({ operation, path, token, ...(data ? { data } : {}) });
    const root = as('root');
    for (const [path, data] of step9Writes()) expect([200, 204]).toContain((await root('update', path, data)).status);
    const roleId = (await root('read', 'auth/approle/role/myapp-service/role-id')).data!.role_id as string;
    const secretId = (await root('update', 'auth/approle/role/myapp-service/secret-id')).data!.secret_id as string;
    const appToken = (await vault.handle({ operation: 'update', path: 'auth/approle/login', data: { role_id: roleId, secret_id: secretId } })).auth!.client_token;

    const creds = await as(appToken)('read', 'database/creds/myapp-role');
    expect(creds).toMatchObject({ leaseDurationSec: 1800, renewable: true });
    const { username, password } = creds.data as { username: string; password: string };
    expect(username).toMatch(/^v-approle-myapp-ro-[A-Za-z0-9]{20}-\d+$/);
    expect((await db.queryAs(username, password, 'SELECT current_user, current_database()')).rows[0]).toEqual({ current_user: username, current_database: db.database });
    expect((await db.queryAs(username, password, 'SELECT item FROM orders')).rows).toEqual([{ item: 'coffee' }]);
    // The policy grants creds only.
    await expect(as(appToken)('read', 'database/roles/myapp-role')).rejects.toMatchObject({ status: 403 });

    expect((await root('update', 'sys/leases/revoke', { lease_id: creds.leaseId })).status).toBe(204);
    await expectLoginRefused(username, password);
  });
});

describe('seed 002 Steps 5 and 9 over HTTP: node-vault against `coffer server -dev`', () => {
  let server: CofferProcess | undefined;
  beforeAll(async () => {
    server = await startCoffer({ mode: 'dev' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('Step 5: vault read database/creds/myapp-role, lease lookup, lease revoke', async () => {
    const root = nodeVault({ endpoint: server!.address, token: server!.rootToken! });
    for (const [path, data] of step9Writes().slice(1, 4)) await root.write(path, data);
    const creds = (await root.read('database/creds/myapp-role')) as { lease_id: string; lease_duration: number; renewable: boolean; data: { username: string; password: string } };
    expect(creds).toMatchObject({ lease_duration: 1800, renewable: true });
    expect(creds.lease_id).toMatch(/^database\/creds\/myapp-role\/[A-Za-z0-9]{24}$/);
    expect((await db.queryAs(creds.data.username, creds.data.password, 'SELECT current_user')).rows[0]).toEqual({ current_user: creds.data.username });
    const lookup = (await root.write('sys/leases/lookup', { lease_id: creds.lease_id })) as { data: { id: string; renewable: boolean } };
    expect(lookup.data).toMatchObject({ id: creds.lease_id, renewable: true });
    await root.write('sys/leases/revoke', { lease_id: creds.lease_id });
    await expectLoginRefused(creds.data.username, creds.data.password);
  });

  it('Step 9: AppRole login -> creds with the app token -> connect -> revoke -> refused', async () => {
    const root = nodeVault({ endpoint: server!.address, token: server!.rootToken! });
    const [enableApprole, , , , policy, role] = step9Writes();
    await root.write(...enableApprole!);
    await root.write(...policy!);
    await root.write(...role!);
    const roleId = ((await root.read('auth/approle/role/myapp-service/role-id')) as { data: { role_id: string } }).data.role_id;
    const secretId = ((await root.write('auth/approle/role/myapp-service/secret-id', {})) as { data: { secret_id: string } }).data.secret_id;
    const app = nodeVault({ endpoint: server!.address });
    const login = (await app.approleLogin({ role_id: roleId, secret_id: secretId })) as { auth: { client_token: string; policies: string[] } };
    expect(login.auth.policies).toEqual(['default', 'myapp-policy']);
    const appClient = nodeVault({ endpoint: server!.address, token: login.auth.client_token });
    const creds = (await appClient.read('database/creds/myapp-role')) as { lease_id: string; data: { username: string; password: string } };
    expect((await db.queryAs(creds.data.username, creds.data.password, 'SELECT item FROM orders')).rows).toEqual([{ item: 'coffee' }]);
    expect((await apiError(appClient.read('database/config/myapp-pg'))).response?.statusCode).toBe(403);

    await root.write('sys/leases/revoke', { lease_id: creds.lease_id });
    await expectLoginRefused(creds.data.username, creds.data.password);
  });
});
