// What the database engine's test files share: a database of their own on the run's PostgreSQL cluster, a superuser, and request shorthands.
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { TestClock } from '@coffer/sdk/testing';
import { createTestDatabase, type TestDatabase } from '@coffer/database/testing';
import { unsealedVault, type Harness } from './helpers.js';
import type { VaultOptions } from '../vault-options.js';

/** Seed 002, Step 5.3. */
export const SEED_CREATION = `CREATE USER "{{name}}" WITH PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{{name}}";`;

/** PostgreSQL checks VALID UNTIL against its own clock, so the vaults' clocks start at the real time. */
export const wholeSecondNow = (): number => Math.floor(Date.now() / 1000) * 1000;

export interface Creds {
  leaseId: string;
  leaseDurationSec: number;
  renewable: boolean;
  username: string;
  password: string;
}

export interface DatabaseFixture {
  /** Set once the file's beforeAll hooks have run. */
  readonly db: TestDatabase;
  /** A superuser of this file's own, so rotating its password touches no other test file. */
  readonly admin: { user: string; password: string };
  /** Vaults closed after each test. */
  readonly open: Harness[];
  /** A seed no other vault of the file had: the same seed would generate the same usernames in one database. */
  nextSeed(): number;
  databaseVault(options?: VaultOptions): Promise<Harness>;
  connectionUrl(host?: string, port?: number): string;
  configure(h: Harness, extra?: Record<string, unknown>): Promise<void>;
  createRole(h: Harness, extra?: Record<string, unknown>): Promise<void>;
  readCreds(h: Harness, role?: string, token?: string): Promise<Creds>;
  roleExists(username: string): Promise<boolean>;
  validUntilMs(username: string): Promise<number>;
  /** Resolves when the vault reports the lease revoked (background revocations run after the clock moves). */
  revoked(h: Harness, leaseId: string): Promise<void>;
}

/** Registers the file's hooks: its database with an `items` table, its superuser, and closing its vaults. */
export function useDatabaseFixture(prefix: string): DatabaseFixture {
  let database: TestDatabase | undefined;
  let seeds = 0;
  const admin = { user: `${prefix}_admin_${Math.random().toString(36).slice(2, 8)}`, password: 'initial-admin-password' };
  const open: Harness[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(inject('postgres'), prefix);
    await database.query(`CREATE ROLE "${admin.user}" LOGIN SUPERUSER PASSWORD '${admin.password}'`);
    await database.query('CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)');
    await database.query(`INSERT INTO items VALUES (1, 'one'), (2, 'two')`);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.vault.close()));
  });
  afterAll(async () => {
    // Roles belong to the cluster, not the database: this file's own goes before the database.
    await database?.query(`DROP ROLE IF EXISTS "${admin.user}"`).catch(() => undefined);
    await database?.drop();
  });

  const fixture: DatabaseFixture = {
    get db() {
      if (!database) throw new Error('the database fixture is used before its beforeAll ran');
      return database;
    },
    admin,
    open,
    nextSeed: () => ++seeds,
    async databaseVault(options = {}) {
      const h = await unsealedVault({ clock: new TestClock(wholeSecondNow()), ...options }, fixture.nextSeed());
      open.push(h);
      await h.req('update', 'sys/mounts/database', { type: 'database' });
      return h;
    },
    connectionUrl(host = fixture.db.host, port = fixture.db.port) {
      return `postgresql://{{username}}:{{password}}@${host}:${port}/${fixture.db.database}?sslmode=disable`;
    },
    async configure(h, extra = {}) {
      await h.req('update', 'database/config/myapp-pg', {
        plugin_name: 'postgresql-database-plugin',
        allowed_roles: 'myapp-role',
        connection_url: fixture.connectionUrl(),
        username: admin.user,
        password: admin.password,
        ...extra,
      });
    },
    async createRole(h, extra = {}) {
      await h.req('update', 'database/roles/myapp-role', { db_name: 'myapp-pg', creation_statements: SEED_CREATION, default_ttl: '1h', max_ttl: '24h', ...extra });
    },
    async readCreds(h, role = 'myapp-role', token = h.token) {
      const response = await h.vault.handle({ operation: 'read', path: `database/creds/${role}`, token });
      const data = response.data as { username: string; password: string };
      return { leaseId: response.leaseId, leaseDurationSec: response.leaseDurationSec, renewable: response.renewable, ...data };
    },
    async roleExists(username) {
      return (await fixture.db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).rowCount === 1;
    },
    async validUntilMs(username) {
      const row = (await fixture.db.query<{ until: Date }>('SELECT rolvaliduntil AS until FROM pg_roles WHERE rolname = $1', [username])).rows[0];
      return row!.until.getTime();
    },
    revoked(h, leaseId) {
      return new Promise((resolve) => {
        const off = h.vault.on('lease-revoked', (event) => {
          if (event.leaseId === leaseId) {
            off();
            resolve();
          }
        });
      });
    },
  };
  return fixture;
}
