// The expiration manager's revocation (reliability.md F7, F10, F11, L3): revoke, failures and retries, irrevocable leases, by prefix and by token, exactly once.
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '@coffer/storage';
import { FaultyStorage } from '@coffer/storage/testing';
import type { TestClock } from '@coffer/sdk/testing';
import { HOUR, gate, setup, secret, caught, expectVaultError, keys, tick } from './testing/expiration-harness.js';

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
