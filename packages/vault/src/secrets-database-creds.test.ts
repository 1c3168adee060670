// Dynamic roles and their credentials' leases through handle(), against a real PostgreSQL cluster (vault-api.md D6–D8, §2.4, §2.14; reliability.md F7).
import { beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { TestDatabase } from '@coffer/database/testing';
import { expectVaultError } from './testing/helpers.js';
import { SEED_CREATION, useDatabaseFixture } from './testing/database-fixture.js';

const fixture = useDatabaseFixture('creds');
const { admin, databaseVault, connectionUrl, configure, createRole, readCreds, roleExists, validUntilMs, revoked } = fixture;
let db: TestDatabase;
beforeAll(() => {
  db = fixture.db;
});

describe('roles and credentials (D6–D8, §2.14)', () => {
  it('reads, lists and deletes roles with their TTLs in seconds', async () => {
    const h = await databaseVault();
    await createRole(h, { revocation_statements: ['DROP ROLE "{{name}}"'] });
    expect((await h.req('read', 'database/roles/myapp-role')).data).toEqual({
      db_name: 'myapp-pg',
      creation_statements: [SEED_CREATION],
      revocation_statements: ['DROP ROLE "{{name}}"'],
      rollback_statements: [],
      renew_statements: [],
      default_ttl: 3600,
      max_ttl: 86400,
      credential_type: 'password',
    });
    expect((await h.req('list', 'database/roles')).data).toEqual({ keys: ['myapp-role'] });
    await expectVaultError(h.req('update', 'database/roles/other', { creation_statements: 'x' }), 400, 'database name is required');
    await expectVaultError(h.req('update', 'database/roles/other', { db_name: 'x', credential_type: 'kerberos' }), 400, 'invalid credential_type "kerberos"');
    expect((await h.req('delete', 'database/roles/myapp-role')).status).toBe(204);
    await expectVaultError(h.req('read', 'database/roles/myapp-role'), 404);
  });

  it('refuses roles the connection does not allow, unknown roles and empty statements', async () => {
    const h = await databaseVault();
    await configure(h, { allowed_roles: [] });
    await createRole(h);
    await expectVaultError(readCreds(h), 500, '"myapp-role" is not an allowed role');
    await h.req('update', 'database/config/myapp-pg', { allowed_roles: 'myapp-*' });
    expect((await readCreds(h)).username).toMatch(/^v-root-myapp-ro-/);
    await expectVaultError(readCreds(h, 'nope'), 400, 'unknown role: nope');
    await h.req('update', 'database/roles/myapp-empty', { db_name: 'myapp-pg' });
    await expectVaultError(readCreds(h, 'myapp-empty'), 500, 'empty creation statements');
  });

  it('names users from the display name and role by default, or from username_template', async () => {
    const h = await databaseVault();
    await configure(h, { username_template: '{{ printf "app_%s_%s" (.RoleName | replace "-" "_") (random 8) | lowercase }}' });
    await createRole(h);
    const creds = await readCreds(h);
    expect(creds.username).toMatch(/^app_myapp_role_[a-z0-9]{8}$/);
    expect(await roleExists(creds.username)).toBe(true);
  });

  it('a failing creation statement rolls everything back and leaves no role behind', async () => {
    const h = await databaseVault();
    await configure(h);
    await createRole(h, { creation_statements: [`CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}'`, 'GRANT SELECT ON no_such_table TO "{{name}}"'] });
    const before = (await db.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'v-root-myapp-ro-%'`)).rows[0]!.n as number;
    const error = await expectVaultError(readCreds(h), 500, 'relation "no_such_table" does not exist');
    expect(error.message).not.toMatch(/[A-Za-z0-9-]{20}/);
    const after = (await db.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'v-root-myapp-ro-%'`)).rows[0]!.n as number;
    expect(after).toBe(before);
    expect((await h.req('list', 'sys/leases/lookup/database/creds/myapp-role').catch(() => undefined))?.data ?? { keys: [] }).toEqual({ keys: [] });
  });

  it('passwords follow a named password policy of the role or of the connection', async () => {
    const h = await databaseVault();
    await h.req('update', 'sys/policies/password/digits', { policy: 'length = 24\nrule "charset" {\n  charset = "0123456789"\n}\n' });
    await h.req('update', 'sys/policies/password/letters', { policy: 'length = 30\nrule "charset" {\n  charset = "abcdefghijklmnopqrstuvwxyz"\n}\n' });
    await configure(h, { password_policy: 'letters' });
    await createRole(h);
    const fromConnection = await readCreds(h);
    expect(fromConnection.password).toMatch(/^[a-z]{30}$/);
    await db.queryAs(fromConnection.username, fromConnection.password, 'SELECT 1');
    await createRole(h, { credential_config: { password_policy: 'digits' } });
    expect((await readCreds(h)).password).toMatch(/^[0-9]{24}$/);
    await createRole(h, { credential_config: { password_policy: 'missing' } });
    await expectVaultError(readCreds(h), 400, 'password policy "missing" not found');
    await expectVaultError(createRole(h, { credential_config: { length: 10 } }), 400, 'credential_config validation failed');
  });

  it('runs the rollback statements when creation fails, and refuses credential types PostgreSQL cannot issue', async () => {
    await db.query('CREATE TABLE IF NOT EXISTS rollback_log (name text)');
    const h = await databaseVault();
    await configure(h);
    await createRole(h, {
      creation_statements: [`CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}'`, 'SELECT 1 / 0'],
      rollback_statements: [`INSERT INTO rollback_log VALUES ('{{name}}')`],
    });
    await expectVaultError(readCreds(h), 500, 'division by zero');
    const logged = (await db.query<{ name: string }>('SELECT name FROM rollback_log')).rows.map((r) => r.name);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^v-root-myapp-ro-/);
    expect(await roleExists(logged[0]!)).toBe(false);
    await createRole(h, { credential_type: 'rsa_private_key' });
    await expectVaultError(readCreds(h), 400, 'unsupported credential_type: "rsa_private_key"');
  });

  it('scram-sha-256 sends PostgreSQL a verifier, and the password still logs in', async () => {
    const h = await databaseVault();
    await configure(h, { password_authentication: 'scram-sha-256' });
    await createRole(h);
    const creds = await readCreds(h);
    const stored = (await db.query<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [creds.username])).rows[0]!;
    expect(stored.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect((await db.queryAs(creds.username, creds.password, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('leases of credentials: renew, expiry, token revocation (§2.4)', () => {
  it('renewal moves VALID UNTIL and never past max_ttl', async () => {
    const h = await databaseVault();
    await configure(h);
    await createRole(h, { default_ttl: '10m', max_ttl: '30m' });
    const creds = await readCreds(h);
    const issuedSec = Math.floor(h.clock.now() / 1000);
    await h.clock.advanceSec(5 * 60);
    const renewed = await h.req('update', 'sys/leases/renew', { lease_id: creds.leaseId });
    expect(renewed.leaseDurationSec).toBe(600);
    expect(await validUntilMs(creds.username)).toBe((issuedSec + 5 * 60 + 605) * 1000);
    await h.clock.advanceSec(9 * 60);
    const capped = await h.req('update', 'sys/leases/renew', { lease_id: creds.leaseId, increment: '1h' });
    expect(capped.leaseDurationSec).toBe(16 * 60);
    expect(capped.warnings).toEqual(['TTL of "1h" exceeded the effective max_ttl of "16m"; TTL value is capped accordingly']);
    expect(await validUntilMs(creds.username)).toBe((issuedSec + 30 * 60 + 5) * 1000);
  });

  it('the lease expiring on the clock drops the user', async () => {
    const h = await databaseVault();
    await configure(h);
    await createRole(h, { default_ttl: '2m' });
    const creds = await readCreds(h);
    const gone = revoked(h, creds.leaseId);
    await h.clock.advanceSec(121);
    await gone;
    expect(await roleExists(creds.username)).toBe(false);
  });

  it('revoking the token that read the credentials drops them (Step 9)', async () => {
    const h = await databaseVault();
    await configure(h);
    await createRole(h);
    await h.req('update', 'sys/policies/acl/myapp-policy', { policy: 'path "database/creds/myapp-role" { capabilities = ["read"] }' });
    const child = (await h.req('update', 'auth/token/create', { policies: ['myapp-policy'] })).auth!.client_token;
    const creds = await readCreds(h, 'myapp-role', child);
    expect(creds.username).toMatch(/^v-token-myapp-ro-/);
    const gone = revoked(h, creds.leaseId);
    await h.req('update', 'auth/token/revoke', { token: child });
    await gone;
    expect(await roleExists(creds.username)).toBe(false);
  });

  it('revocation ends the sessions the user has open (vault#8668)', async () => {
    const h = await databaseVault();
    await configure(h);
    await createRole(h);
    const creds = await readCreds(h);
    const session = new pg.Client({ host: db.host, port: db.port, database: db.database, user: creds.username, password: creds.password });
    session.on('error', () => undefined);
    await session.connect();
    await session.query('SELECT 1');
    await h.req('update', 'sys/leases/revoke', { lease_id: creds.leaseId });
    await expect(session.query('SELECT 1')).rejects.toThrow(/terminat|connection/i);
    await session.end().catch(() => undefined);
  });

  it('a failed revocation keeps the lease and is retried until it succeeds (F7)', async () => {
    const h = await databaseVault();
    await configure(h);
    await createRole(h);
    const creds = await readCreds(h);
    // The connection stops working: revocation cannot reach the database.
    await h.req('update', 'database/config/myapp-pg', { connection_url: connectionUrl('127.0.0.1', 1), verify_connection: false });
    await expectVaultError(h.req('update', 'sys/leases/revoke', { lease_id: creds.leaseId }), 500, /failed to revoke entry: .*ECONNREFUSED/);
    expect((await h.req('update', 'sys/leases/lookup', { lease_id: creds.leaseId })).data).toMatchObject({ id: creds.leaseId });
    expect(await roleExists(creds.username)).toBe(true);

    // Lazily revoked: the background retry fails, keeps the lease, and succeeds once the database is back.
    const failed = new Promise<{ irrevocable: boolean }>((resolve) => h.vault.on('lease-revoke-failed', resolve));
    await h.req('update', 'sys/leases/revoke', { lease_id: creds.leaseId, sync: false });
    await h.clock.advance(0);
    expect((await failed).irrevocable).toBe(false);
    await h.req('update', 'database/config/myapp-pg', { connection_url: connectionUrl() });
    const gone = revoked(h, creds.leaseId);
    await h.clock.advanceSec(60);
    await gone;
    expect(await roleExists(creds.username)).toBe(false);
  });

  it('an admin without the right to end sessions still revokes: the user is dropped, and only that step is skipped', async () => {
    const limited = { user: `${admin.user}_l`, password: 'limited-admin' };
    // The usual managed-database admin: CREATEROLE and grantable rights on the tables, no superuser.
    await db.query(`CREATE ROLE "${limited.user}" LOGIN CREATEROLE PASSWORD '${limited.password}'; GRANT ALL ON ALL TABLES IN SCHEMA public TO "${limited.user}" WITH GRANT OPTION`);
    const h = await databaseVault();
    await configure(h, { username: limited.user, password: limited.password });
    await createRole(h, { creation_statements: `CREATE ROLE "{{name}}" LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON items TO "{{name}}";` });
    const creds = await readCreds(h);
    const session = new pg.Client({ host: db.host, port: db.port, database: db.database, user: creds.username, password: creds.password });
    session.on('error', () => undefined);
    await session.connect();
    expect((await h.req('update', 'sys/leases/revoke', { lease_id: creds.leaseId })).status).toBe(204);
    expect(await roleExists(creds.username)).toBe(false);
    await session.end().catch(() => undefined);
    await db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "${limited.user}" CASCADE; DROP ROLE "${limited.user}"`);
  });

  it('revoking a user someone already dropped succeeds, and lease ids with dots work', async () => {
    const h = await databaseVault();
    await configure(h, { allowed_roles: '*' });
    await h.req('update', 'database/roles/app.v1', { db_name: 'myapp-pg', creation_statements: SEED_CREATION });
    const creds = await readCreds(h, 'app.v1');
    expect(creds.leaseId).toMatch(/^database\/creds\/app\.v1\//);
    await db.query(`DROP OWNED BY "${creds.username}"; DROP ROLE "${creds.username}"`);
    expect((await h.req('update', 'sys/leases/revoke', { lease_id: creds.leaseId })).status).toBe(204);
    await expectVaultError(h.req('update', 'sys/leases/lookup', { lease_id: creds.leaseId }), 400, 'invalid lease');
  });

  it('the default revocation takes back grants in other schemas too, so the drop succeeds', async () => {
    await db.query('CREATE SCHEMA IF NOT EXISTS reports; CREATE TABLE IF NOT EXISTS reports.monthly (id int)');
    const h = await databaseVault();
    await configure(h);
    await createRole(h, { creation_statements: [SEED_CREATION, 'GRANT USAGE ON SCHEMA reports TO "{{name}}"; GRANT SELECT ON reports.monthly TO "{{name}}"'] });
    const creds = await readCreds(h);
    await db.queryAs(creds.username, creds.password, 'SELECT * FROM reports.monthly');
    expect((await h.req('update', 'sys/leases/revoke', { lease_id: creds.leaseId })).status).toBe(204);
    expect(await roleExists(creds.username)).toBe(false);
  });

  it('revoke-prefix drops every user of the role', async () => {
    const h = await databaseVault();
    await configure(h);
    await createRole(h);
    const all = [await readCreds(h), await readCreds(h), await readCreds(h)];
    await h.req('update', 'sys/leases/revoke-prefix/database/creds/myapp-role');
    for (const creds of all) expect(await roleExists(creds.username)).toBe(false);
  });
});
