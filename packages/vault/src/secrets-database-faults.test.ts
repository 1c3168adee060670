// The database engine when things fail, against a real PostgreSQL cluster: pools, audit and lease failures, broken connections, interrupted rotations (reliability.md F6, F9, F10).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Socket } from 'node:net';
import { MemoryStorage } from '@coffer/storage';
import { FaultyStorage } from '@coffer/storage/testing';
import { startChaosProxy, type ChaosProxy, type TestDatabase } from '@coffer/database/testing';
import { expectVaultError, type Harness } from './testing/helpers.js';
import { SEED_CREATION, useDatabaseFixture } from './testing/database-fixture.js';

const fixture = useDatabaseFixture('faults');
const { admin, databaseVault, connectionUrl, configure, createRole, readCreds, roleExists } = fixture;
let db: TestDatabase;
beforeAll(() => {
  db = fixture.db;
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
