// The database secrets engine through handle(), against a real PostgreSQL cluster (vault-api.md §1.13, §2.14; reliability.md F6, F7, F10).
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createServer, type Socket } from 'node:net';
import { MemoryStorage } from '@coffer/storage';
import { FaultyStorage } from '@coffer/storage/testing';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { createTestDatabase, startChaosProxy, type ChaosProxy, type TestDatabase } from '@coffer/database/testing';
import { expectVaultError, unsealedVault, type Harness } from './testing/helpers.js';
import { createVault } from './vault.js';
import type { VaultOptions } from './vault-options.js';

let db: TestDatabase;
/** A superuser of this file's own, so rotating its password touches no other test file. */
const admin = { user: `admin_${Math.random().toString(36).slice(2, 8)}`, password: 'initial-admin-password' };
const open: Harness[] = [];

beforeAll(async () => {
  db = await createTestDatabase(inject('postgres'), 'engine');
  await db.query(`CREATE ROLE "${admin.user}" LOGIN SUPERUSER PASSWORD '${admin.password}'`);
  await db.query('CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)');
  await db.query(`INSERT INTO items VALUES (1, 'one'), (2, 'two')`);
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.vault.close()));
});

afterAll(async () => {
  // Roles belong to the cluster, not the database: this file's own goes before the database.
  await db.query(`DROP ROLE IF EXISTS "${admin.user}"`).catch(() => undefined);
  await db.drop();
});

/** PostgreSQL checks VALID UNTIL against its own clock, so the vault's clock starts at the real time. */
let vaults = 0;
const wholeSecondNow = (): number => Math.floor(Date.now() / 1000) * 1000;
async function databaseVault(options: VaultOptions = {}): Promise<Harness> {
  // Each vault its own seed: the same seed would generate the same usernames in one database.
  const h = await unsealedVault({ clock: new TestClock(wholeSecondNow()), ...options }, ++vaults);
  open.push(h);
  await h.req('update', 'sys/mounts/database', { type: 'database' });
  return h;
}

function connectionUrl(host = db.host, port = db.port): string {
  return `postgresql://{{username}}:{{password}}@${host}:${port}/${db.database}?sslmode=disable`;
}

async function configure(h: Harness, extra: Record<string, unknown> = {}): Promise<void> {
  await h.req('update', 'database/config/myapp-pg', {
    plugin_name: 'postgresql-database-plugin',
    allowed_roles: 'myapp-role',
    connection_url: connectionUrl(),
    username: admin.user,
    password: admin.password,
    ...extra,
  });
}

/** Seed 002, Step 5.3. */
const SEED_CREATION = `CREATE USER "{{name}}" WITH PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{{name}}";`;

async function createRole(h: Harness, extra: Record<string, unknown> = {}): Promise<void> {
  await h.req('update', 'database/roles/myapp-role', { db_name: 'myapp-pg', creation_statements: SEED_CREATION, default_ttl: '1h', max_ttl: '24h', ...extra });
}

interface Creds {
  leaseId: string;
  leaseDurationSec: number;
  renewable: boolean;
  username: string;
  password: string;
}

async function readCreds(h: Harness, role = 'myapp-role', token = h.token): Promise<Creds> {
  const response = await h.vault.handle({ operation: 'read', path: `database/creds/${role}`, token });
  const data = response.data as { username: string; password: string };
  return { leaseId: response.leaseId, leaseDurationSec: response.leaseDurationSec, renewable: response.renewable, ...data };
}

async function roleExists(username: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).rowCount === 1;
}

async function validUntilMs(username: string): Promise<number> {
  const row = (await db.query<{ until: Date }>('SELECT rolvaliduntil AS until FROM pg_roles WHERE rolname = $1', [username])).rows[0];
  return row!.until.getTime();
}

/** Resolves when the vault reports the lease revoked (background revocations run after the clock moves). */
function revoked(h: Harness, leaseId: string): Promise<void> {
  return new Promise((resolve) => {
    const off = h.vault.on('lease-revoked', (event) => {
      if (event.leaseId === leaseId) {
        off();
        resolve();
      }
    });
  });
}

describe('dynamic credentials: seed 002, Step 5', () => {
  it('issues a working user under a lease, and revoking the lease drops it', async () => {
    const h = await databaseVault();
    await configure(h);
    await createRole(h);
    const creds = await readCreds(h);
    expect(creds.leaseId).toMatch(/^database\/creds\/myapp-role\/[A-Za-z0-9]{24}$/);
    expect(creds).toMatchObject({ leaseDurationSec: 3600, renewable: true });
    expect(creds.username).toMatch(/^v-root-myapp-ro-[A-Za-z0-9]{20}-\d{10}$/);
    expect(creds.password).toMatch(/^[A-Za-z0-9-]{20}$/);

    const who = await db.queryAs(creds.username, creds.password, 'SELECT current_user, current_database()');
    expect(who.rows[0]).toEqual({ current_user: creds.username, current_database: db.database });
    await db.queryAs(creds.username, creds.password, `INSERT INTO items VALUES (3, 'from a dynamic user')`);
    await expect(db.queryAs(creds.username, creds.password, 'DELETE FROM items')).rejects.toThrow(/permission denied/);
    // VALID UNTIL is the lease's end plus Vault's 5 s margin.
    expect(await validUntilMs(creds.username)).toBe(h.clock.now() + 3605_000);

    const lookup = await h.req('update', 'sys/leases/lookup', { lease_id: creds.leaseId });
    expect(lookup.data).toMatchObject({ id: creds.leaseId, renewable: true, ttl: 3600 });

    expect((await h.req('update', 'sys/leases/revoke', { lease_id: creds.leaseId })).status).toBe(204);
    expect(await roleExists(creds.username)).toBe(false);
    await expect(db.queryAs(creds.username, creds.password, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  });
});

describe('connections (D1–D4)', () => {
  it('reads back without the password, lists, and deletes', async () => {
    const h = await databaseVault();
    await configure(h);
    const read = await h.req('read', 'database/config/myapp-pg');
    expect(read.data).toMatchObject({
      plugin_name: 'postgresql-database-plugin',
      allowed_roles: ['myapp-role'],
      verify_connection: true,
      connection_details: { connection_url: connectionUrl(), username: admin.user, max_open_connections: 4 },
    });
    expect(JSON.stringify(read.data)).not.toContain(admin.password);
    expect((await h.req('list', 'database/config')).data).toEqual({ keys: ['myapp-pg'] });
    expect((await h.req('delete', 'database/config/myapp-pg')).status).toBe(204);
    await expectVaultError(h.req('read', 'database/config/myapp-pg'), 404);
  });

  it('refuses an unreachable database unless verify_connection is off, and says why', async () => {
    const h = await databaseVault();
    const unreachable = { connection_url: connectionUrl('127.0.0.1', 1) };
    await expectVaultError(configure(h, unreachable), 400, /^error creating database object: error verifying connection: .*ECONNREFUSED/);
    await expectVaultError(h.req('read', 'database/config/myapp-pg'), 404);
    await configure(h, { ...unreachable, verify_connection: false });
    expect((await h.req('read', 'database/config/myapp-pg')).data).toMatchObject({ verify_connection: false });
  });

  it('without an sslmode tries TLS first, as libpq does, and falls back on a server without it', async () => {
    const h = await databaseVault();
    await configure(h, { connection_url: `postgresql://{{username}}:{{password}}@${db.host}:${db.port}/${db.database}` });
    await createRole(h);
    expect(await roleExists((await readCreds(h)).username)).toBe(true);
  });

  it('refuses a wrong password with the reason, and never echoes the password', async () => {
    const h = await databaseVault();
    const error = await expectVaultError(configure(h, { password: 'not-the-password' }), 400, /password authentication failed/);
    expect(error.message).not.toContain('not-the-password');
  });

  it('warns about a literal password in connection_url and shows it redacted', async () => {
    const h = await databaseVault();
    const literal = `postgresql://${admin.user}:${admin.password}@${db.host}:${db.port}/${db.database}?sslmode=disable`;
    const written = await h.req('update', 'database/config/literal', { plugin_name: 'postgresql-database-plugin', connection_url: literal });
    expect(written.warnings).toEqual(['Password found in connection_url, use a templated url to enable root rotation and prevent read access to password information.']);
    const shown = (await h.req('read', 'database/config/literal')).data!.connection_details as { connection_url: string };
    expect(shown.connection_url).toBe(`postgresql://${admin.user}:xxxxx@${db.host}:${db.port}/${db.database}?sslmode=disable`);
  });

  it('checks plugin_name, templates in credentials and password_authentication', async () => {
    const h = await databaseVault();
    await expectVaultError(h.req('update', 'database/config/x', { connection_url: connectionUrl() }), 400, 'empty plugin name');
    await expectVaultError(h.req('update', 'database/config/x', { plugin_name: 'mysql-database-plugin', connection_url: connectionUrl() }), 400, 'error creating database object');
    await expectVaultError(configure(h, { username: '{{username}}' }), 400, 'username and/or password cannot contain the template variables');
    await expectVaultError(configure(h, { connection_url: '' }), 400, 'connection_url cannot be empty');
    await expectVaultError(configure(h, { password_authentication: 'md5' }), 400, 'is not a valid password authentication type');
    await expectVaultError(configure(h, { username_template: '{{ nosuchfunction }}' }), 400, 'function "nosuchfunction" not defined');
    expect((await h.req('list', 'database/config').catch(() => undefined))?.data?.keys ?? []).toEqual([]);
  });

  it('an update keeps what it does not name, and reset reopens the pool', async () => {
    const h = await databaseVault();
    await configure(h);
    await h.req('update', 'database/config/myapp-pg', { allowed_roles: 'a,b' });
    expect((await h.req('read', 'database/config/myapp-pg')).data).toMatchObject({ allowed_roles: ['a', 'b'], connection_details: { username: admin.user } });
    expect((await h.req('update', 'database/reset/myapp-pg')).status).toBe(204);
    await expectVaultError(h.req('update', 'database/reset/nope'), 500, 'failed to find entry for connection with name: "nope"');
  });
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

describe('root rotation (D5)', () => {
  it('after rotate-root only the vault knows the password, and credentials are still issued', async () => {
    const rotating = { user: `${admin.user}_r`, password: 'root-before-rotation' };
    await db.query(`CREATE ROLE "${rotating.user}" LOGIN SUPERUSER PASSWORD '${rotating.password}'`);
    const h = await databaseVault();
    await configure(h, { username: rotating.user, password: rotating.password });
    await createRole(h);
    expect((await h.req('update', 'database/rotate-root/myapp-pg')).status).toBe(204);
    await expect(db.queryAs(rotating.user, rotating.password, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    const creds = await readCreds(h);
    expect(await roleExists(creds.username)).toBe(true);
    // Nothing of the new password is readable.
    expect(JSON.stringify((await h.req('read', 'database/config/myapp-pg')).data)).not.toMatch(/password"\s*:/);
    await h.req('update', 'sys/leases/revoke', { lease_id: creds.leaseId });
    await db.query(`DROP ROLE "${rotating.user}"`);
  });

  it('needs a username to rotate', async () => {
    const h = await databaseVault();
    const literal = `postgresql://${admin.user}:${admin.password}@${db.host}:${db.port}/${db.database}?sslmode=disable`;
    await h.req('update', 'database/config/literal', { plugin_name: 'postgresql-database-plugin', connection_url: literal });
    await expectVaultError(h.req('update', 'database/rotate-root/literal'), 400, 'unable to rotate root credentials: no username in configuration');
  });
});

describe('static roles (D9–D12)', () => {
  async function staticUser(): Promise<{ user: string; password: string }> {
    const user = `static_${Math.random().toString(36).slice(2, 8)}`;
    await db.query(`CREATE ROLE "${user}" LOGIN PASSWORD 'static-before'`);
    await db.query(`GRANT SELECT ON items TO "${user}"`);
    return { user, password: 'static-before' };
  }

  async function staticCreds(h: Harness, name = 'myapp-static'): Promise<{ username: string; password: string; last_vault_rotation: string; ttl: number; rotation_period?: number }> {
    return (await h.req('read', `database/static-creds/${name}`)).data as never;
  }

  it('takes the user over at creation, rotates on rotate-role, and the old password stops working', async () => {
    const h = await databaseVault();
    const account = await staticUser();
    await configure(h, { allowed_roles: 'myapp-*' });
    expect((await h.req('update', 'database/static-roles/myapp-static', { db_name: 'myapp-pg', username: account.user, rotation_period: '1h' })).status).toBe(204);
    await expect(db.queryAs(account.user, account.password, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    const first = await staticCreds(h);
    expect(first).toMatchObject({ username: account.user, rotation_period: 3600, ttl: 3600 });
    expect(first.password).toMatch(/^[A-Za-z0-9-]{20}$/);
    expect((await db.queryAs(account.user, first.password, 'SELECT count(*)::int AS n FROM items')).rows[0]).toHaveProperty('n');
    expect((await h.req('read', 'database/static-roles/myapp-static')).data).toMatchObject({
      db_name: 'myapp-pg',
      username: account.user,
      rotation_period: 3600,
      rotation_statements: [],
      credential_type: 'password',
      last_vault_rotation: first.last_vault_rotation,
    });

    await h.clock.advanceSec(600);
    expect((await staticCreds(h)).ttl).toBe(3000);
    expect((await h.req('update', 'database/rotate-role/myapp-static')).status).toBe(204);
    const second = await staticCreds(h);
    expect(second.password).not.toBe(first.password);
    expect(second.ttl).toBe(3600);
    await expect(db.queryAs(account.user, first.password, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    await db.queryAs(account.user, second.password, 'SELECT 1');
    expect((await h.req('list', 'database/static-roles')).data).toEqual({ keys: ['myapp-static'] });
  });

  it('rotates on time through the clock', async () => {
    const h = await databaseVault();
    const account = await staticUser();
    await configure(h, { allowed_roles: '*' });
    await h.req('update', 'database/static-roles/myapp-static', { db_name: 'myapp-pg', username: account.user, rotation_period: '10m' });
    const first = await staticCreds(h);
    await h.clock.advanceSec(600);
    await vi.waitFor(async () => expect((await staticCreds(h)).password).not.toBe(first.password));
    const second = await staticCreds(h);
    await db.queryAs(account.user, second.password, 'SELECT 1');
    expect(second.ttl).toBe(600);
  });

  it('a rotation that came due while the vault was down happens at unseal', async () => {
    const storage = new MemoryStorage();
    const clock = new TestClock(wholeSecondNow());
    const account = await staticUser();
    const before = await unsealedVault({ storage, clock }, ++vaults);
    await before.req('update', 'sys/mounts/database', { type: 'database' });
    await configure(before, { allowed_roles: '*' });
    await before.req('update', 'database/static-roles/myapp-static', { db_name: 'myapp-pg', username: account.user, rotation_period: '1h' });
    const first = await staticCreds(before);
    await before.vault.close();

    const later = new TestClock(clock.now() + 2 * 3600_000);
    const after = await createVault({ storage, clock: later, random: seededRandom(++vaults) });
    open.push({ ...before, vault: after });
    await after.unseal(before.keys[0]!);
    await after.unseal(before.keys[1]!);
    // The overdue rotation is queued at once; the test clock runs timers only when told.
    await later.advance(0);
    const read = () => after.handle({ operation: 'read', path: 'database/static-creds/myapp-static', token: before.token });
    await vi.waitFor(async () => expect(((await read()).data as { password: string }).password).not.toBe(first.password));
    await db.queryAs(account.user, ((await read()).data as { password: string }).password, 'SELECT 1');
  });

  it('a scheduled rotation whose window was missed while the vault was down waits for the next time', async () => {
    const storage = new MemoryStorage();
    const start = Date.UTC(2026, 10, 23, 10, 0, 30);
    const account = await staticUser();
    const before = await unsealedVault({ storage, clock: new TestClock(start) }, ++vaults);
    await before.req('update', 'sys/mounts/database', { type: 'database' });
    await configure(before, { allowed_roles: '*' });
    await before.req('update', 'database/static-roles/myapp-cron', { db_name: 'myapp-pg', username: account.user, rotation_schedule: '0 */4 * * *', rotation_window: '1h' });
    const first = await staticCreds(before, 'myapp-cron');
    await before.vault.close();

    // Down from 10:00 to 13:30: the 12:00 time's window (until 13:00) has passed; the next is 16:00.
    const later = new TestClock(start + 3.5 * 3600_000);
    const after = await createVault({ storage, clock: later, random: seededRandom(++vaults) });
    open.push({ ...before, vault: after, clock: later });
    await after.unseal(before.keys[0]!);
    await after.unseal(before.keys[1]!);
    const read = async () => (await after.handle({ operation: 'read', path: 'database/static-creds/myapp-cron', token: before.token })).data as { password: string; ttl: number };
    await later.advance(0);
    expect((await read()).password).toBe(first.password);
    expect((await read()).ttl).toBe(2.5 * 3600 - 30);
    // One timer for the next slot, not a timer re-armed over and over.
    expect(later.pendingTimers).toBeLessThanOrEqual(3);
    await later.advanceSec(2.5 * 3600);
    await vi.waitFor(async () => expect((await read()).password).not.toBe(first.password));
  });

  it('rotates on a cron schedule and reports it', async () => {
    const h = await databaseVault();
    const account = await staticUser();
    await configure(h, { allowed_roles: '*' });
    await h.req('update', 'database/static-roles/myapp-cron', { db_name: 'myapp-pg', username: account.user, rotation_schedule: '0 * * * *', rotation_window: '1h' });
    const creds = await staticCreds(h, 'myapp-cron');
    expect(creds).toMatchObject({ rotation_schedule: '0 * * * *', rotation_window: 3600 });
    expect(creds.ttl).toBeGreaterThan(0);
    expect(creds.ttl).toBeLessThanOrEqual(3600);
    await h.clock.advanceSec(creds.ttl + 1);
    await vi.waitFor(async () => expect((await staticCreds(h, 'myapp-cron')).password).not.toBe(creds.password));
  });

  it('checks its settings with Vault’s messages', async () => {
    const h = await databaseVault();
    const account = await staticUser();
    await configure(h, { allowed_roles: 'myapp-*' });
    const write = (data: Record<string, unknown>, name = 'myapp-static') => h.req('update', `database/static-roles/${name}`, { db_name: 'myapp-pg', username: account.user, ...data });
    await expectVaultError(write({ rotation_period: '4s' }), 400, 'rotation_period must be 5 seconds or more');
    await expectVaultError(write({}), 400, 'one of rotation_schedule or rotation_period must be provided to create a static account');
    await expectVaultError(write({ rotation_period: '1h', rotation_schedule: '0 * * * *' }), 400, 'mutually exclusive fields rotation_period and rotation_schedule');
    await expectVaultError(write({ rotation_schedule: 'every hour' }), 400, 'could not parse rotation_schedule');
    await expectVaultError(write({ rotation_schedule: '0 0 30 2 *' }), 400, 'could not parse rotation_schedule: "0 0 30 2 *" never matches');
    await expectVaultError(write({ rotation_period: '1h', rotation_window: '2h' }), 400, 'rotation_window is invalid with use of rotation_period');
    await expectVaultError(write({ rotation_period: '1h' }, 'other'), 400, '"other" is not an allowed role');
    await expectVaultError(h.req('update', 'database/static-roles/myapp-static', { db_name: 'myapp-pg', rotation_period: '1h' }), 400, 'username is a required field to create a static account');
    await write({ rotation_period: '1h' });
    await expectVaultError(write({ username: 'someone-else' }), 400, 'cannot update static account username');
    await createRole(h);
    await expectVaultError(write({ rotation_period: '1h' }, 'myapp-role'), 400, 'Role and Static Role names must be unique');
    await expectVaultError(h.req('read', 'database/static-creds/nope'), 400, 'unknown role: nope');
  });
});

describe('the mount and its pools', () => {
  async function vaultConnections(): Promise<number> {
    return (await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND application_name = 'vault'`, [admin.user])).rows[0]!.n as number;
  }

  /** A closed connection's server process leaves pg_stat_activity as it exits, which may trail the close a little. */
  async function expectNoVaultConnections(): Promise<void> {
    await vi.waitFor(async () => expect(await vaultConnections()).toBe(0));
  }

  it('unmounting revokes the leases and closes every pool', async () => {
    const h = await databaseVault();
    await configure(h);
    await createRole(h);
    const creds = await readCreds(h);
    expect(await vaultConnections()).toBeGreaterThan(0);
    await h.req('delete', 'sys/mounts/database');
    expect(await roleExists(creds.username)).toBe(false);
    await expectNoVaultConnections();
  });

  it('sealing or closing the vault closes every pool', async () => {
    const h = await databaseVault();
    await configure(h);
    await createRole(h);
    await readCreds(h);
    expect(await vaultConnections()).toBeGreaterThan(0);
    await h.vault.seal();
    await expectNoVaultConnections();
    await h.vault.unseal(h.keys[0]!);
    await h.vault.unseal(h.keys[1]!);
    await readCreds(h);
    expect(await vaultConnections()).toBeGreaterThan(0);
    await h.vault.close();
    await expectNoVaultConnections();
  });

  it('no password reaches the audit log or the logs in plaintext', async () => {
    const lines: string[] = [];
    const logger = { log: (...args: unknown[]) => void lines.push(JSON.stringify(args)), child: () => logger };
    const h = await databaseVault({ logger: logger as never });
    const dir = await mkdtemp(join(tmpdir(), 'coffer-db-audit-'));
    await h.req('update', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, 'audit.log') } });
    await configure(h);
    await createRole(h);
    const creds = await readCreds(h);
    await h.req('update', 'database/config/broken', { plugin_name: 'postgresql-database-plugin', connection_url: connectionUrl('127.0.0.1', 1), username: admin.user, password: admin.password, verify_connection: false, allowed_roles: '*' });
    await h.req('update', 'database/roles/broken', { db_name: 'broken', creation_statements: SEED_CREATION });
    await expectVaultError(readCreds(h, 'broken'), 500);
    const audit = await readFile(join(dir, 'audit.log'), 'utf8');
    for (const secret of [admin.password, creds.password]) {
      expect(audit).not.toContain(secret);
      expect(lines.join('\n')).not.toContain(secret);
    }
    expect(audit).toContain('hmac-sha256:');
  });
});

describe('failures after the user exists: no credential outlives a failed request', () => {
  async function usersOfRole(): Promise<string[]> {
    return (await db.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-root-myapp-ro-%'`)).rows.map((r) => r.rolname);
  }

  it('the lease cannot be stored: the new user is dropped again (F10)', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    const h = await databaseVault({ storage });
    await configure(h);
    await createRole(h);
    const before = await usersOfRole();
    storage.failOnNth('put', 1);
    await expectVaultError(readCreds(h), 500);
    expect(await usersOfRole()).toEqual(before);
    expect((await readCreds(h)).username).toMatch(/^v-root-myapp-ro-/);
  });

  it('the response cannot be audited: the client gets a 500 and the user is dropped (F9)', async () => {
    const h = await databaseVault();
    await configure(h);
    await createRole(h);
    const sockets: Socket[] = [];
    // An audit sink that takes the request entry of a creds read and then goes away.
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (chunk) => {
        if (chunk.toString('utf8').includes('"type":"request"') && chunk.toString('utf8').includes('database/creds/')) {
          for (const s of sockets) s.destroy();
          server.close();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await h.req('update', 'sys/audit/sock', { type: 'socket', options: { address: `127.0.0.1:${port}` } });
    const before = await usersOfRole();
    await expectVaultError(readCreds(h), 500);
    expect(await usersOfRole()).toEqual(before);
  });
});

describe('the connection breaks while a user is being created (F6)', () => {
  let proxy: ChaosProxy;
  beforeAll(async () => {
    proxy = await startChaosProxy(db);
  });
  afterAll(() => proxy.close());

  async function usersOfRole(): Promise<string[]> {
    return (await db.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-root-myapp-ro-%' ORDER BY 1`)).rows.map((r) => r.rolname);
  }

  async function proxiedVault(): Promise<Harness> {
    const h = await databaseVault();
    await configure(h, { connection_url: connectionUrl(proxy.host, proxy.port) });
    await createRole(h);
    return h;
  }

  it('before COMMIT: the client gets an error and the transaction is gone with the connection', async () => {
    const h = await proxiedVault();
    const before = await usersOfRole();
    proxy.cutOn('GRANT', 'before');
    await expectVaultError(readCreds(h), 500, /Connection terminated|connection/i);
    expect(await usersOfRole()).toEqual(before);
    expect((await readCreds(h)).username).toMatch(/^v-root-myapp-ro-/);
  });

  it('after COMMIT, before the answer: the client gets an error and the engine drops the user it cannot vouch for', async () => {
    const h = await proxiedVault();
    const before = await usersOfRole();
    proxy.cutOn('COMMIT', 'after');
    await expectVaultError(readCreds(h), 500);
    expect(await usersOfRole()).toEqual(before);
  });

  it('after COMMIT with the database out of reach: a write-ahead record drops the user once it is back', async () => {
    const h = await proxiedVault();
    const before = await usersOfRole();
    proxy.cutOn('COMMIT', 'after');
    proxy.refuse(true);
    try {
      await expectVaultError(readCreds(h), 500);
    } finally {
      proxy.refuse(false);
    }
    const orphaned = (await usersOfRole()).filter((name) => !before.includes(name));
    expect(orphaned).toHaveLength(1);
    // The clean-up pass runs every minute on the mount's clock and leaves records younger than a
    // minute alone (their work may still be running).
    await h.clock.advanceSec(120);
    await vi.waitFor(async () => expect(await usersOfRole()).toEqual(before));
  });
});

describe('a rotation that fails between the database and storage is finished later', () => {
  it('rotate-root whose new password cannot be stored: the clean-up pass adopts the password the database took', async () => {
    const rotating = { user: `${admin.user}_w`, password: 'root-before-crash' };
    await db.query(`CREATE ROLE "${rotating.user}" LOGIN SUPERUSER PASSWORD '${rotating.password}'`);
    const storage = new FaultyStorage(new MemoryStorage());
    const h = await databaseVault({ storage });
    await configure(h, { username: rotating.user, password: rotating.password });
    await createRole(h);
    // The write-ahead record is written (put 1), the database changes, then storing the config (put 2) fails.
    storage.failOnNth('put', 2);
    await expectVaultError(h.req('update', 'database/rotate-root/myapp-pg'), 500);
    await expect(db.queryAs(rotating.user, rotating.password, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    // Until the pass runs, the stored config still has the old password: a fresh pool cannot log in.
    await h.req('update', 'database/reset/myapp-pg');
    await expectVaultError(readCreds(h), 500, /password authentication failed/);
    // The pass settles records a minute old, on the mount's clock: the new password logs in, so it is kept.
    await h.clock.advanceSec(120);
    await vi.waitFor(async () => expect(await roleExists((await readCreds(h)).username)).toBe(true));
    await db.query(`DROP ROLE IF EXISTS "${rotating.user}"`).catch(() => undefined);
  });

  it('a static rotation whose new password cannot be stored is finished with the same password', async () => {
    const user = `static_w_${Math.random().toString(36).slice(2, 8)}`;
    await db.query(`CREATE ROLE "${user}" LOGIN PASSWORD 'static-before'`);
    const storage = new FaultyStorage(new MemoryStorage());
    const h = await databaseVault({ storage });
    await configure(h, { allowed_roles: '*' });
    await h.req('update', 'database/static-roles/app-static', { db_name: 'myapp-pg', username: user, rotation_period: '1h' });
    const first = (await h.req('read', 'database/static-creds/app-static')).data as { password: string };
    storage.failOnNth('put', 2);
    await expectVaultError(h.req('update', 'database/rotate-role/app-static'), 500);
    // The database has a password the vault has not stored yet: the old one no longer works.
    await expect(db.queryAs(user, first.password, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    expect(((await h.req('read', 'database/static-creds/app-static')).data as { password: string }).password).toBe(first.password);
    // The pass (a minute on) sets the written-ahead password again and stores it.
    await h.clock.advanceSec(120);
    await vi.waitFor(async () => expect(((await h.req('read', 'database/static-creds/app-static')).data as { password: string }).password).not.toBe(first.password));
    const settled = (await h.req('read', 'database/static-creds/app-static')).data as { password: string };
    await db.queryAs(user, settled.password, 'SELECT 1');
  });
});
