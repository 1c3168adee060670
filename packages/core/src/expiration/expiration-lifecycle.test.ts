// The expiration manager across its life (reliability.md B7, F5, S7): restore after a restart, stop, listing, token leases, tidy.
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '@coffer/storage';
import { nodeCrypto, toHex, utf8 } from '@coffer/sdk';
import { TestClock } from '@coffer/sdk/testing';
import { HOUR, gate, setup, secret, caught, expectVaultError, keys, tick } from './testing/expiration-harness.js';

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
    // The secret whose lease was refused is taken back at once, not left untracked (F10).
    expect(revokeCalls).toHaveLength(1);
    await expectVaultError(manager.lookup('x'), 503, 'Vault is sealed');
    // Unseal again: the same instance reloads from storage and revokes what is now due.
    expect(await manager.restore()).toMatchObject({ leases: 20, queued: 20 });
    await manager.settled();
    expect(revokeCalls).toHaveLength(21);
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
