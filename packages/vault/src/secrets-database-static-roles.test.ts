// Static roles through handle(), against a real PostgreSQL cluster: rotation by period, schedule and across restarts (vault-api.md D9–D12).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryStorage } from '@coffer/storage';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import type { TestDatabase } from '@coffer/database/testing';
import { expectVaultError, unsealedVault, type Harness } from './testing/helpers.js';
import { useDatabaseFixture, wholeSecondNow } from './testing/database-fixture.js';
import { createVault } from './vault.js';

const fixture = useDatabaseFixture('static');
const { open, databaseVault, configure, createRole } = fixture;
let db: TestDatabase;
beforeAll(() => {
  db = fixture.db;
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
    const before = await unsealedVault({ storage, clock }, fixture.nextSeed());
    await before.req('update', 'sys/mounts/database', { type: 'database' });
    await configure(before, { allowed_roles: '*' });
    await before.req('update', 'database/static-roles/myapp-static', { db_name: 'myapp-pg', username: account.user, rotation_period: '1h' });
    const first = await staticCreds(before);
    await before.vault.close();

    const later = new TestClock(clock.now() + 2 * 3600_000);
    const after = await createVault({ storage, clock: later, random: seededRandom(fixture.nextSeed()) });
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
    const before = await unsealedVault({ storage, clock: new TestClock(start) }, fixture.nextSeed());
    await before.req('update', 'sys/mounts/database', { type: 'database' });
    await configure(before, { allowed_roles: '*' });
    await before.req('update', 'database/static-roles/myapp-cron', { db_name: 'myapp-pg', username: account.user, rotation_schedule: '0 */4 * * *', rotation_window: '1h' });
    const first = await staticCreds(before, 'myapp-cron');
    await before.vault.close();

    // Down from 10:00 to 13:30: the 12:00 time's window (until 13:00) has passed; the next is 16:00.
    const later = new TestClock(start + 3.5 * 3600_000);
    const after = await createVault({ storage, clock: later, random: seededRandom(fixture.nextSeed()) });
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
