// The database secrets engine through handle(), against a real PostgreSQL cluster (vault-api.md §1.13, §2.14; reliability.md F6, F7, F10).
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import pg from 'pg';
import { TestClock } from '@coffer/sdk/testing';
import { createTestDatabase, type TestDatabase } from '@coffer/database/testing';
import { expectVaultError, unsealedVault, type Harness } from './testing/helpers.js';
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
  await db.drop();
  await db.query(`DROP ROLE IF EXISTS "${admin.user}"`).catch(() => undefined);
});

/** PostgreSQL checks VALID UNTIL against its own clock, so the vault's clock starts at the real time. */
async function databaseVault(options: VaultOptions = {}): Promise<Harness> {
  const h = await unsealedVault({ clock: new TestClock(Date.now()), ...options });
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
    expect(await validUntilMs(creds.username)).toBe(Math.floor(h.clock.now() / 1000) * 1000 + 3605_000);

    const lookup = await h.req('update', 'sys/leases/lookup', { lease_id: creds.leaseId });
    expect(lookup.data).toMatchObject({ id: creds.leaseId, renewable: true, ttl: 3600 });

    expect((await h.req('update', 'sys/leases/revoke', { lease_id: creds.leaseId })).status).toBe(204);
    expect(await roleExists(creds.username)).toBe(false);
    await expect(db.queryAs(creds.username, creds.password, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  });
});
