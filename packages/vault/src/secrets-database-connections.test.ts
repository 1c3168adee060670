// The database engine's connections through handle(), against a real PostgreSQL cluster: seed 002 Step 5, config, reset, rotate-root (vault-api.md D1–D5, D8).
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@coffer/database/testing';
import { expectVaultError } from './testing/helpers.js';
import { useDatabaseFixture } from './testing/database-fixture.js';

const fixture = useDatabaseFixture('conn');
const { admin, databaseVault, connectionUrl, configure, createRole, readCreds, roleExists, validUntilMs } = fixture;
let db: TestDatabase;
beforeAll(() => {
  db = fixture.db;
});

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
