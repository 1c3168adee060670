// The expiration manager against vault-api.md §1.4/§2.4: registering leases, expiry, renewal, lookup.
import { describe, expect, it } from 'vitest';
import { MemoryStorage, type Storage } from '@coffer/storage';
import { FaultyStorage } from '@coffer/storage/testing';
import { VaultError } from '@coffer/sdk';
import { TestClock } from '@coffer/sdk/testing';
import { HOUR, setup, secret, caught, expectVaultError, keys } from './testing/expiration-harness.js';

describe('register', () => {
  it('issues `<path>/<24 base62>` ids and stores the lease and its token index behind the view', async () => {
    const { manager, storage, clock } = setup();
    const lease = await manager.register(secret({ secretType: 'creds', internal: { username: 'v-ro-1' } }));
    expect(lease.leaseId).toMatch(/^database\/creds\/ro\/[0-9A-Za-z]{24}$/);
    expect(lease).toMatchObject({
      path: 'database/creds/ro',
      kind: 'secret',
      mountAccessor: 'database_1a2b',
      secretType: 'creds',
      internal: { username: 'v-ro-1' },
      tokenHash: 'htokenA',
      issueTimeMs: clock.now(),
      expireTimeMs: clock.now() + 60_000,
      lastRenewalTimeMs: null,
      ttlSec: 60,
      maxTtlSec: HOUR,
      renewable: true,
    });
    expect(await keys(storage)).toEqual([`expire/id/${lease.leaseId}`, expect.stringMatching(/^expire\/token\/htokenA\/[0-9a-f]{64}$/)]);
    expect(await manager.lookup(lease.leaseId)).toEqual(lease);
    expect(manager.count()).toEqual({ total: 1, irrevocable: 0 });
  });

  it('never issues the same id twice and drops a trailing slash of the path', async () => {
    const { manager } = setup();
    const ids = new Set<string>();
    for (let i = 0; i < 300; i++) ids.add((await manager.register(secret({ path: 'pki/issue/web/' }))).leaseId);
    expect(ids.size).toBe(300);
    for (const id of ids) expect(id).toMatch(/^pki\/issue\/web\/[0-9A-Za-z]{24}$/);
  });

  it('refuses a zero or negative TTL (0 must never mean forever) and a token hash with a slash', async () => {
    const { manager, storage } = setup();
    await expect(manager.register(secret({ ttlSec: 0 }))).rejects.toThrow(RangeError);
    await expect(manager.register(secret({ ttlSec: -5 }))).rejects.toThrow(RangeError);
    await expect(manager.register(secret({ tokenHash: 'a/b' }))).rejects.toThrow(RangeError);
    await expect(manager.register(secret({ path: 'database/../creds' }))).rejects.toThrow(RangeError);
    expect(await keys(storage)).toEqual([]);
  });

  it('caps the first expiry at the max TTL and at an absolute end (batch token expiry)', async () => {
    const { manager, clock } = setup();
    const capped = await manager.register(secret({ ttlSec: 600, maxTtlSec: 120 }));
    expect(capped.expireTimeMs).toBe(clock.now() + 120_000);
    expect(capped.ttlSec).toBe(120);
    const batch = await manager.register(secret({ ttlSec: 600, notAfterMs: clock.now() + 30_000 }));
    expect(batch.expireTimeMs).toBe(clock.now() + 30_000);
    expect(batch.ttlSec).toBe(30);
  });

  it('revokes the new secret when its lease cannot be stored, and leaves nothing behind (F10)', async () => {
    const faulty = new FaultyStorage(new MemoryStorage());
    const { manager, revokeCalls, clock } = setup({ storage: faulty });
    faulty.failPut = true;
    const error = await caught(manager.register(secret()));
    expect(error.status).toBe(500);
    expect(error.message).toMatch(/^failed to persist lease entry: injected put failure/);
    expect(revokeCalls).toHaveLength(1);
    expect(revokeCalls[0]).toMatch(/^database\/creds\/ro\//);
    faulty.failPut = false;
    expect(await keys(faulty)).toEqual([]);
    expect(manager.count().total).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('without transactions, a failed entry write also removes the index written before it', async () => {
    const faulty = new FaultyStorage(new MemoryStorage());
    const plain: Storage = {
      get: (key) => faulty.get(key),
      put: (key, value) => faulty.put(key, value),
      delete: (key) => faulty.delete(key),
      list: (prefix) => faulty.list(prefix),
    };
    const { manager, revokeCalls } = setup({ storage: plain });
    faulty.failOnNth('put', 2);
    const error = await caught(manager.register(secret()));
    expect(error.message).toMatch(/^failed to persist lease entry: injected put failure/);
    expect(faulty.recorded('put').map((op) => op.key.split('/').slice(0, 2).join('/'))).toEqual(['expire/token', 'expire/id']);
    expect(revokeCalls).toHaveLength(1);
    expect(await keys(faulty)).toEqual([]);
  });

  it('reports a failed compensating revoke in the error as well', async () => {
    const faulty = new FaultyStorage(new MemoryStorage());
    const { manager, state } = setup({ storage: faulty });
    faulty.failPut = true;
    state.failRevoke = () => new Error('db unreachable');
    const error = await caught(manager.register(secret()));
    expect(error.message).toMatch(/an additional error was encountered revoking the newly-generated secret: db unreachable$/);
  });
});

describe('expiry', () => {
  it('revokes a lease at its expire time and not a millisecond before', async () => {
    const { manager, clock, storage, revokeCalls } = setup();
    const lease = await manager.register(secret({ ttlSec: 60 }));
    await clock.advance(59_999);
    expect(revokeCalls).toEqual([]);
    expect((await manager.lookup(lease.leaseId)).leaseId).toBe(lease.leaseId);
    await clock.advance(1);
    await manager.settled();
    expect(revokeCalls).toEqual([lease.leaseId]);
    await expectVaultError(manager.lookup(lease.leaseId), 400, 'invalid lease');
    expect(await keys(storage)).toEqual([]);
    expect(manager.count().total).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('revokes many leases in expiry order with a single timer armed', async () => {
    const { manager, clock, revokeCalls } = setup({ extra: { revocationConcurrency: 1 } });
    const byTtl = new Map<number, string>();
    for (const ttlSec of [50, 10, 40, 20, 30]) byTtl.set(ttlSec, (await manager.register(secret({ ttlSec }))).leaseId);
    for (let i = 0; i < 500; i++) await manager.register(secret({ path: 'kv/bulk', ttlSec: 100 + (i % 50) }));
    expect(clock.pendingTimers).toBe(1);
    await clock.advanceSec(25);
    expect(revokeCalls).toEqual([byTtl.get(10), byTtl.get(20)]);
    await clock.advanceSec(30);
    expect(revokeCalls).toEqual([10, 20, 30, 40, 50].map((ttl) => byTtl.get(ttl)));
    await clock.advanceSec(100);
    await manager.settled();
    expect(revokeCalls).toHaveLength(505);
    expect(manager.count().total).toBe(0);
  });

  it('a renewal moves the expiry', async () => {
    const { manager, clock, revokeCalls } = setup();
    const lease = await manager.register(secret({ ttlSec: 60 }));
    await clock.advanceSec(50);
    await manager.renew(lease.leaseId, 60);
    await clock.advanceSec(20);
    expect(revokeCalls).toEqual([]);
    await clock.advanceSec(39);
    expect(revokeCalls).toEqual([]);
    await clock.advanceSec(1);
    expect(revokeCalls).toEqual([lease.leaseId]);
  });
});

describe('renew', () => {
  it('answers Vault\'s errors: lease not found, lease is not renewable, lease expired', async () => {
    const { manager, clock, state } = setup();
    await expectVaultError(manager.renew('database/creds/ro/nope', 60), 400, 'lease not found');
    await expectVaultError(manager.renew('../escape', 60), 400, 'lease not found');
    const fixed = await manager.register(secret({ renewable: false }));
    await expectVaultError(manager.renew(fixed.leaseId, 60), 400, 'lease is not renewable');
    // Expired but still there because its revocation keeps failing.
    state.failRevoke = () => new Error('backend down');
    const lapsed = await manager.register(secret({ ttlSec: 10 }));
    await clock.advanceSec(10);
    await manager.settled();
    expect((await manager.lookup(lapsed.leaseId)).revokeError).toBe('backend down');
    await expectVaultError(manager.renew(lapsed.leaseId, 60), 400, 'lease expired');
  });

  it('refuses token leases with Vault\'s message, after the renewable checks as Vault orders them', async () => {
    const { manager, clock } = setup();
    const base = { path: 'auth/token/create', mountAccessor: 'auth_token_1', issueTimeMs: clock.now(), ttlSec: 60, maxTtlSec: HOUR };
    await manager.registerToken({ ...base, leaseId: 'auth/token/create/hrenewable', tokenHash: 'hrenewable', expireTimeMs: clock.now() + 60_000, renewable: true });
    await expectVaultError(manager.renew('auth/token/create/hrenewable', 60), 400, 'tokens cannot be renewed through this endpoint');
    await manager.registerToken({ ...base, leaseId: 'auth/token/create/hfixed', tokenHash: 'hfixed', expireTimeMs: clock.now() + 60_000, renewable: false });
    await expectVaultError(manager.renew('auth/token/create/hfixed', 60), 400, 'lease is not renewable');
    await manager.registerToken({ ...base, leaseId: 'auth/token/root/hroot', tokenHash: 'hroot', expireTimeMs: 0, ttlSec: 0, renewable: false });
    await expectVaultError(manager.renew('auth/token/root/hroot', 60), 400, 'lease is not renewable');
  });

  it('refuses an irrevocable lease', async () => {
    const { manager, clock, state } = setup();
    state.failRevoke = () => new Error('gone');
    const lease = await manager.register(secret({ ttlSec: 10 }));
    await clock.advanceSec(60);
    await manager.settled();
    expect((await manager.lookup(lease.leaseId)).irrevocable).toBe(true);
    await expectVaultError(manager.renew(lease.leaseId, 60), 400, 'lease is expired and has failed previous revocation attempts');
  });

  it('grants the increment, passes it to the backend, and records the renewal', async () => {
    const { manager, clock, renewCalls } = setup();
    const lease = await manager.register(secret({ ttlSec: 60, internal: { username: 'u1' } }));
    await clock.advanceSec(30);
    const { lease: renewed, warnings } = await manager.renew(lease.leaseId, 120);
    expect(renewCalls).toEqual([[lease.leaseId, 120]]);
    expect(warnings).toEqual([]);
    expect(renewed).toMatchObject({
      issueTimeMs: lease.issueTimeMs,
      lastRenewalTimeMs: clock.now(),
      expireTimeMs: clock.now() + 120_000,
      ttlSec: 120,
      internal: { username: 'u1' },
    });
    expect(await manager.lookup(lease.leaseId)).toEqual(renewed);
  });

  it('without increment uses the backend TTL, else the mount default; the backend may replace internal data', async () => {
    const { manager, clock, state } = setup();
    const lease = await manager.register(secret({ ttlSec: 60 }));
    state.renewAnswer = () => ({ ttlSec: 300, maxTtlSec: 0, internal: { rotated: true } });
    expect((await manager.renew(lease.leaseId, 0)).lease).toMatchObject({ ttlSec: 300, internal: { rotated: true } });
    state.renewAnswer = () => ({ ttlSec: 0, maxTtlSec: 0 });
    state.mountTtl = { defaultTtlSec: 900, maxTtlSec: HOUR };
    const { lease: renewed } = await manager.renew(lease.leaseId, 0);
    expect(renewed.ttlSec).toBe(900);
    expect(renewed.expireTimeMs).toBe(clock.now() + 900_000);
    expect(renewed.maxTtlSec).toBe(HOUR);
  });

  it('caps at issue time + max with Vault\'s warning, then refuses past the max', async () => {
    const { manager, clock, state } = setup();
    state.renewAnswer = () => ({ ttlSec: 0, maxTtlSec: 100, warnings: ['backend says hi'] });
    const lease = await manager.register(secret({ ttlSec: 60, maxTtlSec: 100 }));
    await clock.advanceSec(50);
    await manager.renew(lease.leaseId, 30);
    await clock.advanceSec(20);
    const { lease: capped, warnings } = await manager.renew(lease.leaseId, 60);
    expect(capped.ttlSec).toBe(30);
    expect(capped.expireTimeMs).toBe(lease.issueTimeMs + 100_000);
    expect(warnings).toEqual(['backend says hi', 'TTL of "1m" exceeded the effective max_ttl of "30s"; TTL value is capped accordingly']);
  });

  it('can never extend a lease past issue + max, however often it is renewed near expiry (CVE-2021-32923)', async () => {
    // Issued at a fraction of a second, so second truncation would overshoot if not capped.
    const clock = new TestClock(Date.UTC(2026, 0, 1) + 700);
    const { manager, state, revokeCalls } = setup({ clock });
    state.renewAnswer = () => ({ ttlSec: 10, maxTtlSec: 100 });
    const lease = await manager.register(secret({ ttlSec: 10, maxTtlSec: 100 }));
    const maxEndMs = lease.issueTimeMs + 100_000;
    let renewals = 0;
    let refusal: VaultError | undefined;
    for (let step = 0; step < 500 && refusal === undefined; step++) {
      const current = await manager.lookup(lease.leaseId);
      // Renew just before the current expiry: 1 ms, 250 ms or 999 ms before it.
      await clock.advance(current.expireTimeMs - clock.now() - [1, 250, 999][step % 3]!);
      try {
        const { lease: renewed } = await manager.renew(lease.leaseId, 10);
        renewals++;
        expect(renewed.expireTimeMs).toBeLessThanOrEqual(maxEndMs);
        expect(renewed.expireTimeMs).toBeGreaterThan(clock.now());
        expect(renewed.ttlSec).toBeGreaterThanOrEqual(1);
      } catch (error) {
        refusal = error as VaultError;
      }
    }
    expect(renewals).toBeGreaterThan(9);
    expect(refusal).toBeInstanceOf(VaultError);
    expect(refusal!.message).toMatch(/^(past the max TTL, cannot renew|lease expired)$/);
    expect(revokeCalls).toEqual([]);
    await clock.advance(maxEndMs - clock.now());
    expect(revokeCalls).toEqual([lease.leaseId]);
  });

  it('refuses with `past the max TTL, cannot renew` once the max has run out', async () => {
    const { manager, clock, state } = setup();
    // The backend lowers the max below the age of the lease: nothing is left to grant.
    const lease = await manager.register(secret({ ttlSec: 600, maxTtlSec: HOUR }));
    await clock.advanceSec(120);
    state.renewAnswer = () => ({ ttlSec: 0, maxTtlSec: 100 });
    await expectVaultError(manager.renew(lease.leaseId, 60), 400, 'past the max TTL, cannot renew');
    expect((await manager.lookup(lease.leaseId)).expireTimeMs).toBe(lease.expireTimeMs);
  });

  it('never renews past an absolute end (an orphan batch token\'s expiry)', async () => {
    const { manager, clock } = setup();
    const lease = await manager.register(secret({ ttlSec: 30, notAfterMs: clock.now() + 45_000 }));
    await clock.advanceSec(20);
    const { lease: renewed } = await manager.renew(lease.leaseId, 600);
    expect(renewed.expireTimeMs).toBe(lease.issueTimeMs + 45_000);
    expect(renewed.ttlSec).toBe(25);
  });

  it('leaves the lease untouched when the backend refuses', async () => {
    const { manager, clock, state } = setup();
    const lease = await manager.register(secret());
    state.failRenew = VaultError.invalid('role deleted');
    await clock.advanceSec(10);
    await expectVaultError(manager.renew(lease.leaseId, 60), 400, 'role deleted');
    expect(await manager.lookup(lease.leaseId)).toEqual(lease);
  });
});

describe('lookupResponse', () => {
  it('has Vault\'s L1 shape with RFC3339Nano times and whole-second ttl', async () => {
    const clock = new TestClock(Date.UTC(2026, 2, 4, 5, 6, 7, 250));
    const { manager } = setup({ clock });
    const lease = await manager.register(secret({ ttlSec: 60 }));
    expect(await manager.lookupResponse(lease.leaseId)).toEqual({
      id: lease.leaseId,
      issue_time: '2026-03-04T05:06:07.25Z',
      expire_time: '2026-03-04T05:07:07.25Z',
      last_renewal: null,
      renewable: true,
      ttl: 60,
    });
    await clock.advance(10_750);
    await manager.renew(lease.leaseId, 120);
    // Vault: expire time minus now rounded to the second, truncated.
    await clock.advance(400);
    expect(await manager.lookupResponse(lease.leaseId)).toMatchObject({ last_renewal: '2026-03-04T05:06:18Z', expire_time: '2026-03-04T05:08:18Z', ttl: 120 });
    await clock.advance(200);
    expect((await manager.lookupResponse(lease.leaseId)).ttl).toBe(119);
    await expectVaultError(manager.lookupResponse('database/creds/ro/unknown'), 400, 'invalid lease');
  });

  it('shows an expired lease as not renewable, with negative ttl and its revoke error', async () => {
    const { manager, clock, state } = setup();
    state.failRevoke = () => new Error('permission denied for role');
    const lease = await manager.register(secret({ ttlSec: 10 }));
    await clock.advanceSec(12);
    await manager.settled();
    expect(await manager.lookupResponse(lease.leaseId)).toMatchObject({ renewable: false, ttl: -2, revoke_error: 'permission denied for role' });
  });

  it('shows a non-expiring token lease with expire_time null and ttl 0', async () => {
    const { manager, clock } = setup();
    await manager.registerToken({
      leaseId: 'auth/token/root/hroot',
      path: 'auth/token/root',
      mountAccessor: 'auth_token_1',
      tokenHash: 'hroot',
      issueTimeMs: clock.now(),
      expireTimeMs: 0,
      ttlSec: 0,
      maxTtlSec: 0,
      renewable: false,
    });
    expect(await manager.lookupResponse('auth/token/root/hroot')).toMatchObject({ expire_time: null, ttl: 0, renewable: false, last_renewal: null });
  });
});
