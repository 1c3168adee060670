// The expiration manager against vault-api.md §1.4/§2.4 and reliability.md (B7, F5, F7, F10, F11, L3, S7).
import { describe, expect, it } from 'vitest';
import { MemoryStorage, type Storage } from '@coffer/storage';
import { FaultyStorage } from '@coffer/storage/testing';
import { nodeCrypto, toHex, utf8, VaultError, type Logger, type LogLevel } from '@coffer/sdk';
import { seededRandom, TestClock } from '@coffer/sdk/testing';
import type { ExpirationManagerOptions, LeaseHooks, LeaseRenewal, RegisterLeaseInput } from './expiration-api.js';
import { createExpirationManager } from './expiration-manager.js';
import type { LeaseRecord } from './lease-record.js';

const HOUR = 3600;
const RETRY = { baseDelayMs: 1000, maxDelayMs: 8000, maxAttempts: 4 };

interface Gate {
  promise: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Fake backend hooks that record every call and fail or block on demand. */
function fakeHooks() {
  const revokeCalls: string[] = [];
  const revokedKinds: string[] = [];
  const renewCalls: Array<[string, number]> = [];
  const state = {
    /** Returns the error to throw for this lease, if any. */
    failRevoke: undefined as ((lease: LeaseRecord) => Error | undefined) | undefined,
    /** While set, revocations wait for it. */
    revokeGate: undefined as Gate | undefined,
    renewAnswer: ((_lease: LeaseRecord, _increment: number): LeaseRenewal => ({ ttlSec: 0, maxTtlSec: 0 })) as (lease: LeaseRecord, increment: number) => LeaseRenewal,
    failRenew: undefined as Error | undefined,
    /** While set, renewals wait for it. */
    renewGate: undefined as Gate | undefined,
    mountTtl: { defaultTtlSec: 768 * HOUR, maxTtlSec: 768 * HOUR },
    /** Called inside revoke, after the gate (re-entrancy tests). */
    onRevoke: undefined as ((lease: LeaseRecord) => Promise<void>) | undefined,
    liveTokens: undefined as Set<string> | undefined,
  };
  const hooks: LeaseHooks = {
    async revoke(lease) {
      revokeCalls.push(lease.leaseId);
      revokedKinds.push(lease.kind);
      if (state.revokeGate) await state.revokeGate.promise;
      const error = state.failRevoke?.(lease);
      if (error) throw error;
      await state.onRevoke?.(lease);
    },
    async renew(lease, incrementSec) {
      renewCalls.push([lease.leaseId, incrementSec]);
      if (state.renewGate) await state.renewGate.promise;
      if (state.failRenew) throw state.failRenew;
      return state.renewAnswer(lease, incrementSec);
    },
    mountTtl: () => state.mountTtl,
    tokenExists: async (tokenHash) => state.liveTokens?.has(tokenHash) ?? true,
  };
  return { hooks, state, revokeCalls, revokedKinds, renewCalls };
}

function recordingLogger() {
  const lines: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> = [];
  const logger: Logger = {
    log: (level, message, fields) => lines.push({ level, message, ...(fields ? { fields } : {}) }),
    child: () => logger,
  };
  return { logger, lines };
}

function setup(options: { storage?: Storage; clock?: TestClock; seed?: number; extra?: Partial<ExpirationManagerOptions> } = {}) {
  const storage = options.storage ?? new MemoryStorage();
  const clock = options.clock ?? new TestClock();
  const fake = fakeHooks();
  const { logger, lines } = recordingLogger();
  const manager = createExpirationManager({
    storage,
    clock,
    random: seededRandom(options.seed ?? 7),
    logger,
    hooks: fake.hooks,
    retry: RETRY,
    crypto: nodeCrypto,
    ...options.extra,
  });
  return { storage, clock, manager, logs: lines, ...fake };
}

function secret(overrides: Partial<RegisterLeaseInput> = {}): RegisterLeaseInput {
  return { path: 'database/creds/ro', mountAccessor: 'database_1a2b', tokenHash: 'htokenA', ttlSec: 60, maxTtlSec: HOUR, renewable: true, ...overrides };
}

async function caught(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

async function expectVaultError(promise: Promise<unknown>, status: number, message: string): Promise<void> {
  const error = await caught(promise);
  expect(error.status).toBe(status);
  expect(error.message).toBe(message);
}

async function keys(storage: Storage, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const child of await storage.list(prefix)) {
    if (child.endsWith('/')) out.push(...(await keys(storage, prefix + child)));
    else out.push(prefix + child);
  }
  return out;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

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

describe('revoke', () => {
  it('sync: runs the hook before returning and deletes the lease and its index', async () => {
    const { manager, storage, revokeCalls } = setup();
    const lease = await manager.register(secret());
    const other = await manager.register(secret());
    await manager.revoke(lease.leaseId);
    expect(revokeCalls).toEqual([lease.leaseId]);
    await expectVaultError(manager.lookup(lease.leaseId), 400, 'invalid lease');
    expect((await keys(storage)).filter((key) => key.startsWith('expire/id/'))).toEqual([`expire/id/${other.leaseId}`]);
    expect((await keys(storage)).filter((key) => key.startsWith('expire/token/'))).toHaveLength(1);
  });

  it('revoking an unknown or malformed id succeeds without calling the backend', async () => {
    const { manager, revokeCalls } = setup();
    await manager.revoke('database/creds/ro/unknown');
    await manager.revoke('../../etc');
    await manager.revoke('');
    await manager.revoke('x', { sync: false });
    expect(revokeCalls).toEqual([]);
  });

  it('handles lease ids with dots (Vault 0.11.3)', async () => {
    const { manager } = setup();
    const lease = await manager.register(secret({ path: 'db.prod/creds/r.o' }));
    await manager.revoke(lease.leaseId);
    await expectVaultError(manager.lookup(lease.leaseId), 400, 'invalid lease');
  });

  it('sync failure throws a 500 and keeps the lease, whose expiry still revokes it later', async () => {
    const { manager, clock, state, revokeCalls } = setup();
    const lease = await manager.register(secret({ ttlSec: 60 }));
    state.failRevoke = () => new Error('connection refused');
    await expectVaultError(manager.revoke(lease.leaseId), 500, 'failed to revoke entry: connection refused');
    expect((await manager.lookup(lease.leaseId)).leaseId).toBe(lease.leaseId);
    state.failRevoke = undefined;
    await clock.advanceSec(60);
    await manager.settled();
    expect(revokeCalls).toEqual([lease.leaseId, lease.leaseId]);
    await expectVaultError(manager.lookup(lease.leaseId), 400, 'invalid lease');
  });

  it('async: marks the lease expired now and returns before the backend has revoked it', async () => {
    const { manager, clock, state, revokeCalls, storage } = setup();
    const lease = await manager.register(secret({ ttlSec: 600 }));
    state.revokeGate = gate();
    await manager.revoke(lease.leaseId, { sync: false });
    const marked = await manager.lookup(lease.leaseId);
    expect(marked.expireTimeMs).toBe(clock.now());
    expect(await manager.lookupResponse(lease.leaseId)).toMatchObject({ renewable: false, ttl: 0 });
    state.revokeGate.open();
    await manager.settled();
    expect(revokeCalls).toEqual([lease.leaseId]);
    expect(await keys(storage)).toEqual([]);
  });

  it('async with a failing backend retries in the background like an expiry', async () => {
    const { manager, clock, state, revokeCalls } = setup();
    const lease = await manager.register(secret({ ttlSec: 600 }));
    let failures = 2;
    state.failRevoke = () => (failures-- > 0 ? new Error('busy') : undefined);
    await manager.revoke(lease.leaseId, { sync: false });
    await manager.settled();
    expect(revokeCalls).toHaveLength(1);
    await clock.advance(1000);
    await clock.advance(2000);
    await manager.settled();
    expect(revokeCalls).toHaveLength(3);
    await expectVaultError(manager.lookup(lease.leaseId), 400, 'invalid lease');
  });
});

describe('revocation failures', () => {
  it('retries with doubling backoff, then marks the lease irrevocable and keeps it (F7)', async () => {
    const { manager, clock, state, revokeCalls, storage, logs } = setup();
    state.failRevoke = () => new Error('backend down');
    const lease = await manager.register(secret({ ttlSec: 10 }));
    await clock.advanceSec(10);
    expect(revokeCalls).toHaveLength(1);
    expect(await manager.lookup(lease.leaseId)).toMatchObject({ revokeError: 'backend down', revokeAttempts: 1 });
    expect(await manager.lookup(lease.leaseId)).not.toHaveProperty('irrevocable');
    // Retries after 1 s, 2 s, 4 s, and not a millisecond earlier.
    for (const [delayMs, calls] of [
      [1000, 2],
      [2000, 3],
      [4000, 4],
    ] as const) {
      await clock.advance(delayMs - 1);
      expect(revokeCalls).toHaveLength(calls - 1);
      await clock.advance(1);
      expect(revokeCalls).toHaveLength(calls);
    }
    await manager.settled();
    const kept = await manager.lookup(lease.leaseId);
    expect(kept).toMatchObject({ irrevocable: true, revokeAttempts: 4, revokeError: 'out of retries: backend down' });
    expect(await keys(storage)).toContain(`expire/id/${lease.leaseId}`);
    expect(manager.count()).toEqual({ total: 1, irrevocable: 1 });
    expect((await manager.listIrrevocable()).map((l) => l.leaseId)).toEqual([lease.leaseId]);
    expect(logs.some((line) => line.level === 'error' && line.message.includes('irrevocable'))).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    await clock.advanceSec(24 * HOUR);
    expect(revokeCalls).toHaveLength(4);
    // An operator can still revoke it once the backend is back.
    state.failRevoke = undefined;
    await manager.revoke(lease.leaseId);
    expect(manager.count()).toEqual({ total: 0, irrevocable: 0 });
  });

  it('caps the backoff at maxDelayMs', async () => {
    const { manager, clock, state, revokeCalls } = setup({ extra: { retry: { baseDelayMs: 1000, maxDelayMs: 2000, maxAttempts: 6 } } });
    state.failRevoke = () => new Error('down');
    await manager.register(secret({ ttlSec: 1 }));
    await clock.advanceSec(1);
    const callTimes: number[] = [];
    let seen = revokeCalls.length;
    const start = clock.now();
    for (let i = 0; i < 200 && revokeCalls.length < 6; i++) {
      await clock.advance(100);
      if (revokeCalls.length > seen) {
        seen = revokeCalls.length;
        callTimes.push(clock.now() - start);
      }
    }
    expect(callTimes).toEqual([1000, 3000, 5000, 7000, 9000]);
  });

  it('recovers when the backend comes back before the retries run out', async () => {
    const { manager, clock, state, revokeCalls } = setup();
    let failures = 2;
    state.failRevoke = () => (failures-- > 0 ? new Error('flaky') : undefined);
    const lease = await manager.register(secret({ ttlSec: 5 }));
    await clock.advanceSec(5);
    expect(await manager.lookupResponse(lease.leaseId)).toMatchObject({ revoke_error: 'flaky' });
    await clock.advanceSec(3);
    await manager.settled();
    expect(revokeCalls).toHaveLength(3);
    await expectVaultError(manager.lookup(lease.leaseId), 400, 'invalid lease');
  });

  it('retries later, without counting an attempt, when storage itself fails', async () => {
    const faulty = new FaultyStorage(new MemoryStorage());
    const { manager, clock, revokeCalls } = setup({ storage: faulty });
    const lease = await manager.register(secret({ ttlSec: 5 }));
    faulty.failGet = true;
    await clock.advanceSec(5);
    await manager.settled();
    expect(revokeCalls).toEqual([]);
    faulty.failGet = false;
    await clock.advanceSec(1);
    await manager.settled();
    expect(revokeCalls).toEqual([lease.leaseId]);
    expect(manager.count().total).toBe(0);
  });
});

describe('restore', () => {
  it('re-arms future leases and promptly revokes those that expired while down (F11)', async () => {
    const storage = new MemoryStorage();
    const clock = new TestClock();
    const first = setup({ storage, clock });
    const shortLived = await first.manager.register(secret({ ttlSec: 10 }));
    const longLived = await first.manager.register(secret({ ttlSec: 300 }));
    await first.manager.stop();
    // Down for a minute: the short lease expired meanwhile.
    await clock.advanceSec(60);
    expect(first.revokeCalls).toEqual([]);

    const second = setup({ storage, clock });
    expect(await second.manager.restore()).toEqual({ leases: 2, queued: 1, unreadable: 0 });
    await second.manager.settled();
    expect(second.revokeCalls).toEqual([shortLived.leaseId]);
    expect(second.manager.count().total).toBe(1);
    await clock.advance(longLived.expireTimeMs - clock.now() - 1);
    expect(second.revokeCalls).toEqual([shortLived.leaseId]);
    await clock.advance(1);
    expect(second.revokeCalls).toEqual([shortLived.leaseId, longLived.leaseId]);
  });

  it('gives irrevocable leases another round of attempts', async () => {
    const storage = new MemoryStorage();
    const clock = new TestClock();
    const first = setup({ storage, clock });
    first.state.failRevoke = () => new Error('down');
    const lease = await first.manager.register(secret({ ttlSec: 1 }));
    await clock.advanceSec(60);
    await first.manager.settled();
    expect((await first.manager.lookup(lease.leaseId)).irrevocable).toBe(true);
    await first.manager.stop();

    const second = setup({ storage, clock });
    await second.manager.restore();
    await second.manager.settled();
    expect(second.revokeCalls).toEqual([lease.leaseId]);
    expect(second.manager.count().total).toBe(0);
  });

  it('skips a corrupt entry instead of failing the unseal (vault#18577)', async () => {
    const storage = new MemoryStorage();
    const first = setup({ storage });
    const good = await first.manager.register(secret({ ttlSec: 100 }));
    await storage.put('expire/id/database/creds/ro/torn', new Uint8Array(16));
    const second = setup({ storage });
    expect(await second.manager.restore()).toEqual({ leases: 1, queued: 0, unreadable: 1 });
    expect(second.logs.some((line) => line.level === 'error' && line.fields?.lease_id === 'database/creds/ro/torn')).toBe(true);
    expect((await second.manager.lookup(good.leaseId)).leaseId).toBe(good.leaseId);
    const error = await caught(second.manager.lookup('database/creds/ro/torn'));
    expect(error.status).toBe(500);
  });

  it('keeps non-expiring token leases without a timer', async () => {
    const storage = new MemoryStorage();
    const clock = new TestClock();
    const first = setup({ storage, clock });
    await first.manager.registerToken({ leaseId: 'auth/token/root/hroot', path: 'auth/token/root', mountAccessor: 'a', tokenHash: 'hroot', issueTimeMs: clock.now(), expireTimeMs: 0, ttlSec: 0, maxTtlSec: 0, renewable: false });
    expect(clock.pendingTimers).toBe(0);
    const second = setup({ storage, clock });
    expect(await second.manager.restore()).toEqual({ leases: 1, queued: 0, unreadable: 0 });
    expect(second.manager.count().total).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('stop', () => {
  it('leaves no timer armed, forgets everything, and refuses calls until restored', async () => {
    const { manager, clock, revokeCalls } = setup();
    for (let i = 0; i < 20; i++) await manager.register(secret({ ttlSec: 10 + i }));
    expect(clock.pendingTimers).toBe(1);
    await manager.stop();
    expect(clock.pendingTimers).toBe(0);
    expect(manager.count()).toEqual({ total: 0, irrevocable: 0 });
    await clock.advanceSec(3600);
    expect(revokeCalls).toEqual([]);
    await expectVaultError(manager.register(secret()), 503, 'Vault is sealed');
    await expectVaultError(manager.lookup('x'), 503, 'Vault is sealed');
    // Unseal again: the same instance reloads from storage and revokes what is now due.
    expect(await manager.restore()).toMatchObject({ leases: 20, queued: 20 });
    await manager.settled();
    expect(revokeCalls).toHaveLength(20);
  });

  it('waits for a revocation in flight before resolving', async () => {
    const { manager, clock, state, revokeCalls } = setup();
    state.revokeGate = gate();
    const lease = await manager.register(secret({ ttlSec: 1 }));
    await clock.advanceSec(1);
    expect(revokeCalls).toEqual([lease.leaseId]);
    let stopped = false;
    const stopping = manager.stop().then(() => (stopped = true));
    await tick();
    await tick();
    expect(stopped).toBe(false);
    state.revokeGate.open();
    await stopping;
    expect(stopped).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a failure in flight during stop schedules no retry', async () => {
    const { manager, clock, state } = setup();
    state.revokeGate = gate();
    state.failRevoke = () => new Error('down');
    await manager.register(secret({ ttlSec: 1 }));
    await clock.advanceSec(1);
    const stopping = manager.stop();
    state.revokeGate.open();
    await stopping;
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('revokePrefix', () => {
  async function fill(manager: ReturnType<typeof setup>['manager']) {
    const ro = [await manager.register(secret({ path: 'database/creds/ro' })), await manager.register(secret({ path: 'database/creds/ro' }))];
    const nested = await manager.register(secret({ path: 'database/creds/ro/deeper' }));
    const roAdmin = await manager.register(secret({ path: 'database/creds/ro-admin' }));
    const pki = await manager.register(secret({ path: 'pki/issue/web' }));
    return { ro, nested, roAdmin, pki };
  }

  it('an exact lease id revokes only that lease', async () => {
    const { manager, state, revokeCalls } = setup();
    const { ro } = await fill(manager);
    state.failRevoke = () => new Error('db down');
    await expectVaultError(manager.revokePrefix(ro[0]!.leaseId), 500, `failed to revoke "${ro[0]!.leaseId}": failed to revoke entry: db down`);
    state.failRevoke = undefined;
    expect(await manager.revokePrefix(ro[0]!.leaseId)).toBe(1);
    expect(revokeCalls).toEqual([ro[0]!.leaseId, ro[0]!.leaseId]);
    expect(manager.count().total).toBe(4);
  });

  it('otherwise revokes every lease below `prefix/`, not siblings that merely share the text', async () => {
    for (const prefix of ['database/creds/ro', 'database/creds/ro/']) {
      const { manager, revokeCalls } = setup();
      const { ro, nested, roAdmin, pki } = await fill(manager);
      expect(await manager.revokePrefix(prefix)).toBe(3);
      expect([...revokeCalls].sort()).toEqual([ro[0]!.leaseId, ro[1]!.leaseId, nested.leaseId].sort());
      expect((await manager.lookup(roAdmin.leaseId)).leaseId).toBe(roAdmin.leaseId);
      expect((await manager.lookup(pki.leaseId)).leaseId).toBe(pki.leaseId);
    }
  });

  it('stops at the first failure and keeps the lease; force deletes them all anyway (revoke-force)', async () => {
    const { manager, state, revokeCalls } = setup();
    await fill(manager);
    state.failRevoke = () => new Error('db down');
    const error = await caught(manager.revokePrefix('database/creds/ro'));
    expect(error.status).toBe(500);
    expect(error.message).toMatch(/^failed to revoke "database\/creds\/ro\/[^"]+" \(1 \/ 3\): failed to revoke entry: db down$/);
    expect(revokeCalls).toHaveLength(1);
    expect(manager.count().total).toBe(5);
    expect(await manager.revokePrefix('database/', { force: true })).toBe(4);
    expect(revokeCalls).toHaveLength(5);
    expect(manager.count().total).toBe(1);
    expect(await manager.listIds('database/')).toEqual([]);
  });

  it('sync false queues the revocations and returns first', async () => {
    const { manager, state, revokeCalls } = setup();
    await fill(manager);
    state.revokeGate = gate();
    expect(await manager.revokePrefix('database', { sync: false })).toBe(4);
    expect(manager.count().total).toBe(5);
    state.revokeGate.open();
    await manager.settled();
    expect(revokeCalls).toHaveLength(4);
    expect(manager.count().total).toBe(1);
  });

  it('refuses an empty prefix', async () => {
    const { manager } = setup();
    await expectVaultError(manager.revokePrefix(''), 400, 'prefix is required');
  });
});

describe('revokeByToken', () => {
  async function tokenWithLeases(manager: ReturnType<typeof setup>['manager'], clock: TestClock) {
    const a1 = await manager.register(secret({ tokenHash: 'hA' }));
    const a2 = await manager.register(secret({ tokenHash: 'hA', path: 'aws/creds/deploy' }));
    const b1 = await manager.register(secret({ tokenHash: 'hB', ttlSec: 120 }));
    const none = await manager.register(secret({ tokenHash: '' }));
    await manager.registerToken({ leaseId: 'auth/token/create/hA', path: 'auth/token/create', mountAccessor: 'auth_token_1', tokenHash: 'hA', issueTimeMs: clock.now(), expireTimeMs: clock.now() + HOUR * 1000, ttlSec: HOUR, maxTtlSec: 0, renewable: true });
    return { a1, a2, b1, none };
  }

  it('expires that token\'s leases now and revokes them in the background, leaving other tokens\' alone', async () => {
    const { manager, clock, state, revokeCalls, revokedKinds } = setup();
    const { a1, a2, b1, none } = await tokenWithLeases(manager, clock);
    state.revokeGate = gate();
    await manager.revokeByToken('hA');
    // Not inside the call (vault-api.md §5 #8): both are still there, marked expired.
    expect((await manager.lookup(a1.leaseId)).expireTimeMs).toBe(clock.now());
    expect((await manager.lookup(a2.leaseId)).expireTimeMs).toBe(clock.now());
    // The token's own lease is dropped without calling back into the token store.
    await expectVaultError(manager.lookup('auth/token/create/hA'), 400, 'invalid lease');
    state.revokeGate.open();
    await manager.settled();
    expect([...revokeCalls].sort()).toEqual([a1.leaseId, a2.leaseId].sort());
    expect(revokedKinds).toEqual(['secret', 'secret']);
    expect(manager.count().total).toBe(2);
    expect((await manager.lookup(b1.leaseId)).expireTimeMs).toBe(b1.expireTimeMs);
    expect((await manager.lookup(none.leaseId)).leaseId).toBe(none.leaseId);
    await clock.advanceSec(120);
    expect(revokeCalls).toContain(b1.leaseId);
  });

  it('an unknown token is a no-op', async () => {
    const { manager, clock, revokeCalls } = setup();
    await tokenWithLeases(manager, clock);
    await manager.revokeByToken('hnobody');
    await manager.revokeByToken('');
    await manager.settled();
    expect(revokeCalls).toEqual([]);
    expect(manager.count().total).toBe(5);
  });

  it('a token lease whose expiry revokes the token (and so its leases) does not deadlock', async () => {
    const { manager, clock, state, revokeCalls } = setup();
    const { a1, a2 } = await tokenWithLeases(manager, clock);
    // The core's token revocation calls back into revokeByToken from inside the hook.
    state.onRevoke = async (lease) => {
      if (lease.kind === 'token') await manager.revokeByToken(lease.tokenHash);
    };
    await manager.revoke('auth/token/create/hA');
    await manager.settled();
    expect(revokeCalls[0]).toBe('auth/token/create/hA');
    expect([...revokeCalls.slice(1)].sort()).toEqual([a1.leaseId, a2.leaseId].sort());
    await expectVaultError(manager.lookup('auth/token/create/hA'), 400, 'invalid lease');
    expect(manager.count().total).toBe(2);
  });
});

describe('exactly once', () => {
  it('a lease revoked by expiry and explicitly at the same time runs the hook once', async () => {
    const { manager, clock, state, revokeCalls } = setup();
    const lease = await manager.register(secret({ ttlSec: 5 }));
    state.revokeGate = gate();
    await clock.advanceSec(5);
    expect(revokeCalls).toEqual([lease.leaseId]);
    const explicit = manager.revoke(lease.leaseId);
    const prefix = manager.revokePrefix('database/creds');
    const lazy = manager.revoke(lease.leaseId, { sync: false });
    state.revokeGate.open();
    await Promise.all([explicit, prefix, lazy]);
    await manager.settled();
    expect(revokeCalls).toEqual([lease.leaseId]);
  });

  it('concurrent explicit revokes run the hook once', async () => {
    const { manager, state, revokeCalls } = setup();
    const lease = await manager.register(secret());
    state.revokeGate = gate();
    const all = Promise.all([manager.revoke(lease.leaseId), manager.revoke(lease.leaseId), manager.revokeByToken('htokenA')]);
    await tick();
    state.revokeGate.open();
    await all;
    await manager.settled();
    expect(revokeCalls).toEqual([lease.leaseId]);
  });

  it('a renewal racing an expiry is serialised: the lease is either renewed or revoked, never both', async () => {
    const { manager, clock, state, revokeCalls, renewCalls } = setup();
    const lease = await manager.register(secret({ ttlSec: 5 }));
    await clock.advance(4999);
    state.renewGate = gate();
    const renewal = manager.renew(lease.leaseId, 60);
    while (renewCalls.length === 0) await tick();
    // The expiry fires while the backend is still renewing.
    await clock.advance(1);
    await tick();
    // The expiry waits for the lease's lock, so the backend has not been asked to revoke.
    expect(revokeCalls).toEqual([]);
    state.renewGate.open();
    await renewal;
    await manager.settled();
    expect(revokeCalls).toEqual([]);
    expect((await manager.lookup(lease.leaseId)).expireTimeMs).toBe(lease.issueTimeMs + 5000 + 60_000);
    await clock.advanceSec(60);
    expect(revokeCalls).toEqual([lease.leaseId]);
  });
});

describe('listIds', () => {
  it('lists direct children like storage, with or without the trailing slash', async () => {
    const { manager } = setup();
    const ro = [await manager.register(secret()), await manager.register(secret())];
    await manager.register(secret({ path: 'database/creds/rw' }));
    await manager.register(secret({ path: 'pki/issue/web' }));
    expect(await manager.listIds('')).toEqual(['database/', 'pki/']);
    expect(await manager.listIds('database')).toEqual(['creds/']);
    expect(await manager.listIds('database/creds/')).toEqual(['ro/', 'rw/']);
    expect(await manager.listIds('database/creds/ro')).toEqual(ro.map((l) => l.leaseId.split('/').pop()).sort());
    expect(await manager.listIds('nothing/here')).toEqual([]);
    expect(await manager.listIds('../')).toEqual([]);
  });
});

describe('registerToken', () => {
  it('creates, then mirrors renewals keeping the issue time, and expiry revokes it through the hook', async () => {
    const { manager, clock, revokeCalls, revokedKinds, storage } = setup();
    const issued = clock.now();
    const base = { leaseId: 'auth/userpass/login/alice/habc', path: 'auth/userpass/login/alice', mountAccessor: 'auth_userpass_1', tokenHash: 'habc', maxTtlSec: HOUR, renewable: true };
    const created = await manager.registerToken({ ...base, issueTimeMs: issued, expireTimeMs: issued + 60_000, ttlSec: 60 });
    expect(created).toMatchObject({ kind: 'token', lastRenewalTimeMs: null, issueTimeMs: issued });
    expect((await keys(storage)).some((key) => key.startsWith('expire/token/habc/'))).toBe(true);
    await clock.advanceSec(50);
    const renewed = await manager.registerToken({ ...base, issueTimeMs: clock.now(), expireTimeMs: clock.now() + 60_000, ttlSec: 60 });
    expect(renewed).toMatchObject({ issueTimeMs: issued, lastRenewalTimeMs: clock.now(), expireTimeMs: clock.now() + 60_000 });
    await clock.advanceSec(59);
    expect(revokeCalls).toEqual([]);
    await clock.advanceSec(1);
    expect(revokeCalls).toEqual([base.leaseId]);
    expect(revokedKinds).toEqual(['token']);
  });

  it('refuses an empty token hash', async () => {
    const { manager, clock } = setup();
    await expect(
      manager.registerToken({ leaseId: 'auth/token/create/h1', path: 'auth/token/create', mountAccessor: 'a', tokenHash: '', issueTimeMs: clock.now(), expireTimeMs: 0, ttlSec: 0, maxTtlSec: 0, renewable: false }),
    ).rejects.toThrow(RangeError);
  });
});

describe('tidy', () => {
  it('drops dangling index entries, restores missing ones, and force-revokes leases of vanished tokens', async () => {
    const { manager, storage, state, revokeCalls, clock } = setup();
    const kept = await manager.register(secret({ tokenHash: 'hlive' }));
    const orphaned = await manager.register(secret({ tokenHash: 'hgone' }));
    const unindexed = await manager.register(secret({ tokenHash: 'hlive' }));
    await manager.registerToken({ leaseId: 'auth/token/create/hgone', path: 'auth/token/create', mountAccessor: 'a', tokenHash: 'hgone', issueTimeMs: clock.now(), expireTimeMs: clock.now() + 60_000, ttlSec: 60, maxTtlSec: 0, renewable: true });
    // A crash left an index entry without its lease, and a lease without its index entry.
    await storage.put('expire/token/hlive/0000', utf8('database/creds/ro/vanished'));
    await storage.delete(`expire/token/hlive/${toHex(nodeCrypto.sha256(utf8(unindexed.leaseId)))}`);
    state.liveTokens = new Set(['hlive']);
    state.failRevoke = (lease) => (lease.leaseId === orphaned.leaseId ? new Error('already gone') : undefined);

    const report = await manager.tidy();
    expect(report).toEqual({ scanned: 4, revoked: 2, indexesRepaired: 1, indexesRemoved: 1, unreadable: 0 });
    // The orphaned secret went through the backend (force), the token's own lease did not.
    expect(revokeCalls).toEqual([orphaned.leaseId]);
    expect((await manager.lookup(kept.leaseId)).leaseId).toBe(kept.leaseId);
    expect((await manager.lookup(unindexed.leaseId)).leaseId).toBe(unindexed.leaseId);
    expect(await keys(storage, 'expire/token/')).toHaveLength(2);
    await expectVaultError(manager.lookup(orphaned.leaseId), 400, 'invalid lease');
    // Revoking the live token now finds both of its leases through the repaired index.
    await manager.revokeByToken('hlive');
    await manager.settled();
    expect([...revokeCalls.slice(1)].sort()).toEqual([kept.leaseId, unindexed.leaseId].sort());
  });
});
