// Vault's expiration manager (vault/expiration.go): registers leases, renews them within their max,
// revokes them on expiry, on request, by prefix or by token, and survives restarts through storage.
import { validateKey } from '@coffer/storage';
import { calculateTtl, nobleCrypto, randomBase62, VaultError } from '@coffer/sdk';
import { createExpirySchedule } from './expiry-schedule.js';
import { createKeyedLock } from './keyed-lock.js';
import { leaseLookupData } from './lease-lookup-response.js';
import { renewBlocker, type LeaseRecord } from './lease-record.js';
import { createLeaseStore, isIndexableTokenHash } from './lease-store.js';
import { createRevocationQueue } from './revocation-queue.js';
import {
  DEFAULT_RETRY_POLICY,
  type ExpirationManager,
  type ExpirationManagerOptions,
  type RestoreReport,
  type TidyReport,
} from './expiration-api.js';

/** Vault's system default and max lease TTL (768h), used when no mountTtl hook is given. */
const SYSTEM_LEASE_TTL_SEC = 768 * 3600;
/** Lease ids end in 24 base62 characters, like tokens (vault-api.md §4). */
const LEASE_RANDOM_CHARS = 24;
/** Vault's maxIrrevocableErrorLength: a stored revocation error is cut to this. */
const MAX_REVOKE_ERROR_CHARS = 240;

/** A lease id becomes a storage key; one that cannot is the caller's bug, not the client's. */
function assertStorableId(leaseId: string): void {
  try {
    validateKey(leaseId);
  } catch (error) {
    throw new RangeError(`not a storable lease id: ${JSON.stringify(leaseId)}`, { cause: error });
  }
}

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text === '' ? 'unknown' : text;
}

export function createExpirationManager(options: ExpirationManagerOptions): ExpirationManager {
  const { clock, random, hooks } = options;
  const retry = options.retry ?? DEFAULT_RETRY_POLICY;
  if (!(retry.baseDelayMs > 0) || !(retry.maxDelayMs >= retry.baseDelayMs) || !Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new RangeError('retry needs baseDelayMs > 0, maxDelayMs >= baseDelayMs and an integer maxAttempts >= 1');
  }
  const logger = options.logger.child({ subsystem: 'expiration' });
  const store = createLeaseStore(options.storage, options.crypto ?? nobleCrypto);
  const lock = createKeyedLock();

  let running = true;
  // Bumped by stop() and restore(): work begun before must not touch the new in-memory state.
  let generation = 0;
  /** Every lease known to exist: lease id -> irrevocable. Only ids, so memory stays small. */
  const known = new Map<string, boolean>();
  /** Failed attempts in the current round (a restart starts a new round). */
  const attempts = new Map<string, number>();
  /** Leases whose revoke hook is running right now (see revokeByToken). */
  const hookRunning = new Set<string>();

  const schedule = createExpirySchedule(clock, (leaseId) => queue.add(leaseId));
  const queue = createRevocationQueue(options.revocationConcurrency ?? 32, (leaseId) => expire(leaseId));

  function ensureRunning(): void {
    if (!running) throw VaultError.sealed();
  }

  async function load(leaseId: string): Promise<LeaseRecord | undefined> {
    try {
      return await store.read(leaseId);
    } catch (error) {
      if (error instanceof TypeError || error instanceof SyntaxError) throw VaultError.internal(`failed to decode lease entry ${leaseId}`, error);
      throw error;
    }
  }

  function forget(leaseId: string): void {
    schedule.delete(leaseId);
    known.delete(leaseId);
    attempts.delete(leaseId);
  }

  /** Arms the lease's expiry, or queues it at once when already due. */
  function track(lease: LeaseRecord): void {
    known.set(lease.leaseId, lease.irrevocable === true);
    if (lease.expireTimeMs === 0 || lease.irrevocable) {
      schedule.delete(lease.leaseId);
      return;
    }
    if (lease.expireTimeMs <= clock.now()) {
      schedule.delete(lease.leaseId);
      queue.add(lease.leaseId);
    } else {
      schedule.set(lease.leaseId, lease.expireTimeMs);
    }
  }

  async function runHook(lease: LeaseRecord): Promise<void> {
    hookRunning.add(lease.leaseId);
    try {
      await hooks.revoke(lease);
    } finally {
      hookRunning.delete(lease.leaseId);
    }
  }

  function backoffMs(failures: number): number {
    return Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (failures - 1));
  }

  /** A background revocation: expiry, lazy revoke, or a retry. Never rejects. */
  async function expire(leaseId: string): Promise<void> {
    const gen = generation;
    try {
      await lock.run(leaseId, async () => {
        if (gen !== generation) return;
        const lease = await load(leaseId);
        if (lease === undefined) {
          // Revoked meanwhile (explicitly, by prefix, or by a concurrent expiry): nothing to do.
          forget(leaseId);
          return;
        }
        if (!lease.irrevocable && (lease.expireTimeMs === 0 || lease.expireTimeMs > clock.now())) {
          // Renewed after it was queued: wait for the new expiry.
          track(lease);
          return;
        }
        try {
          await runHook(lease);
        } catch (error) {
          await recordFailure(lease, error, gen);
          return;
        }
        await store.remove(lease);
        if (gen === generation) forget(leaseId);
        logger.log('info', 'revoked lease', { lease_id: leaseId });
        options.onRevoked?.(leaseId);
      });
    } catch (error) {
      // Storage failed (sealed, disk error): try again later, without counting it against the lease.
      logger.log('error', 'lease revocation could not run', { lease_id: leaseId, error: errorMessage(error) });
      if (gen === generation && running) schedule.set(leaseId, clock.now() + backoffMs(Math.max(1, attempts.get(leaseId) ?? 1)));
    }
  }

  async function recordFailure(lease: LeaseRecord, error: unknown, gen: number): Promise<void> {
    const failures = (attempts.get(lease.leaseId) ?? 0) + 1;
    const outOfRetries = failures >= retry.maxAttempts;
    const message = errorMessage(error);
    const updated: LeaseRecord = {
      ...lease,
      revokeError: (outOfRetries ? `out of retries: ${message}` : message).slice(0, MAX_REVOKE_ERROR_CHARS),
      revokeAttempts: (lease.revokeAttempts ?? 0) + 1,
      ...(outOfRetries ? { irrevocable: true } : {}),
    };
    // Any revocation error keeps the lease: dropping it would leave the credential live (Vault 0.5.3).
    await store.update(updated);
    options.onRevokeFailed?.(lease.leaseId, updated.revokeError!, outOfRetries);
    if (gen !== generation) return;
    if (outOfRetries) {
      attempts.delete(lease.leaseId);
      track(updated);
      logger.log('error', 'maximum revoke attempts reached; lease is irrevocable', { lease_id: lease.leaseId, error: message, attempts: failures });
    } else {
      attempts.set(lease.leaseId, failures);
      known.set(lease.leaseId, lease.irrevocable === true);
      const delayMs = backoffMs(failures);
      schedule.set(lease.leaseId, clock.now() + delayMs);
      logger.log('error', 'failed to revoke lease', { lease_id: lease.leaseId, error: message, attempts: failures, next_attempt_ms: delayMs });
    }
  }

  /** Revokes now, under the lease's lock. Unknown ids are a no-op. */
  async function revokeNow(leaseId: string, force: boolean): Promise<boolean> {
    return lock.run(leaseId, async () => {
      const lease = await load(leaseId);
      if (lease === undefined) return false;
      try {
        await runHook(lease);
      } catch (error) {
        if (!force) throw new VaultError('internal', `failed to revoke entry: ${errorMessage(error)}`, undefined, { cause: error });
        logger.log('warn', 'revocation from the backend failed, but in force mode so ignoring', { lease_id: leaseId, error: errorMessage(error) });
      }
      await store.remove(lease);
      forget(leaseId);
      options.onRevoked?.(leaseId);
      return true;
    });
  }

  /** Vault's lazy revoke: the lease expires now and the background queue revokes it. */
  async function expireNow(leaseId: string): Promise<boolean> {
    return lock.run(leaseId, async () => {
      const lease = await load(leaseId);
      if (lease === undefined) return false;
      const nowMs = clock.now();
      let current = lease;
      if (lease.expireTimeMs === 0 || lease.expireTimeMs > nowMs) {
        // Persisted, so a crash before the revocation still finds it due on restore.
        current = { ...lease, expireTimeMs: nowMs };
        await store.update(current);
      }
      known.set(leaseId, current.irrevocable === true);
      schedule.delete(leaseId);
      queue.add(leaseId);
      return true;
    });
  }

  async function mountTtl(lease: LeaseRecord): Promise<{ defaultTtlSec: number; maxTtlSec: number }> {
    return (await hooks.mountTtl?.(lease)) ?? { defaultTtlSec: SYSTEM_LEASE_TTL_SEC, maxTtlSec: SYSTEM_LEASE_TTL_SEC };
  }

  /** The expiry a TTL gives, never past issue + max nor the absolute end (CVE-2021-32923). */
  function cappedExpiry(nowMs: number, ttlSec: number, issueTimeMs: number, maxTtlSec: number, notAfterMs: number | undefined): number {
    let expireTimeMs = nowMs + ttlSec * 1000;
    // calculateTtl works in whole seconds from truncated times, which can overshoot by < 1 s.
    if (maxTtlSec > 0) expireTimeMs = Math.min(expireTimeMs, issueTimeMs + maxTtlSec * 1000);
    if (notAfterMs !== undefined) expireTimeMs = Math.min(expireTimeMs, notAfterMs);
    return expireTimeMs;
  }

  const grantedTtlSec = (expireTimeMs: number, nowMs: number): number => Math.ceil((expireTimeMs - nowMs) / 1000);

  async function lookup(leaseId: string): Promise<LeaseRecord> {
    ensureRunning();
    const lease = await load(leaseId);
    if (lease === undefined) throw VaultError.invalid('invalid lease');
    return lease;
  }

  return {
    async register(input) {
      const path = input.path.replace(/\/+$/, '');
      const leaseId = `${path}/${randomBase62(random, LEASE_RANDOM_CHARS)}`;
      const nowMs = clock.now();
      const expireTimeMs = cappedExpiry(nowMs, input.ttlSec, nowMs, input.maxTtlSec, input.notAfterMs);
      const lease: LeaseRecord = {
        leaseId,
        path,
        kind: 'secret',
        mountAccessor: input.mountAccessor,
        ...(input.secretType !== undefined ? { secretType: input.secretType } : {}),
        ...(input.internal !== undefined ? { internal: input.internal } : {}),
        tokenHash: input.tokenHash,
        issueTimeMs: nowMs,
        expireTimeMs,
        lastRenewalTimeMs: null,
        ttlSec: grantedTtlSec(expireTimeMs, nowMs),
        maxTtlSec: input.maxTtlSec,
        ...(input.notAfterMs !== undefined ? { notAfterMs: input.notAfterMs } : {}),
        renewable: input.renewable,
      };
      let stage: 'check' | 'store' = 'check';
      try {
        ensureRunning();
        if (!(input.ttlSec > 0) || !Number.isFinite(input.ttlSec)) throw new RangeError(`a lease needs a positive TTL, got ${input.ttlSec}`);
        if (!(input.maxTtlSec >= 0)) throw new RangeError(`maxTtlSec must be >= 0, got ${input.maxTtlSec}`);
        if (input.tokenHash !== '' && !isIndexableTokenHash(input.tokenHash)) throw new RangeError(`token hash is not one storage segment: ${input.tokenHash}`);
        assertStorableId(leaseId);
        // A batch token that expired while the backend worked: the secret must not outlive it.
        if (expireTimeMs <= nowMs) throw VaultError.invalid('past the max TTL, cannot renew');
        stage = 'store';
        await lock.run(leaseId, async () => {
          await store.create(lease);
          track(lease);
        });
        return lease;
      } catch (error) {
        // The backend already created the secret and nothing would track it: take it back,
        // whatever kept the lease from being stored (Vault's deferred compensating revoke in
        // Register; reliability.md F10).
        let compensation = '';
        try {
          await hooks.revoke(lease);
        } catch (revokeError) {
          compensation = `; an additional error was encountered revoking the newly-generated secret: ${errorMessage(revokeError)}`;
          logger.log('error', 'failed to revoke a secret whose lease could not be stored', { lease_id: leaseId, error: errorMessage(revokeError) });
        }
        if (stage === 'check') throw error;
        await store.remove(lease).catch(() => undefined);
        throw VaultError.internal(`failed to persist lease entry: ${errorMessage(error)}${compensation}`, error);
      }
    },

    async registerToken(input) {
      ensureRunning();
      if (!isIndexableTokenHash(input.tokenHash)) throw new RangeError(`token hash is not one storage segment: ${input.tokenHash}`);
      assertStorableId(input.leaseId);
      return lock.run(input.leaseId, async () => {
        const existing = await load(input.leaseId);
        const lease: LeaseRecord = {
          leaseId: input.leaseId,
          path: input.path,
          kind: 'token',
          mountAccessor: input.mountAccessor,
          tokenHash: input.tokenHash,
          issueTimeMs: existing?.issueTimeMs ?? input.issueTimeMs,
          expireTimeMs: input.expireTimeMs,
          lastRenewalTimeMs: input.lastRenewalTimeMs ?? (existing ? clock.now() : null),
          ttlSec: input.ttlSec,
          maxTtlSec: input.maxTtlSec,
          renewable: input.renewable,
        };
        if (existing) await store.update(lease);
        else await store.create(lease);
        track(lease);
        return lease;
      });
    },

    lookup,

    async lookupResponse(leaseId) {
      return leaseLookupData(await lookup(leaseId), clock.now());
    },

    async renew(leaseId, incrementSec) {
      ensureRunning();
      return lock.run(leaseId, async () => {
        const lease = await load(leaseId);
        if (lease === undefined) throw VaultError.invalid('lease not found');
        const blocker = renewBlocker(lease, clock.now());
        if (blocker !== undefined) throw VaultError.invalid(blocker);
        if (lease.kind === 'token') throw VaultError.invalid('tokens cannot be renewed through this endpoint');

        const increment = Number.isFinite(incrementSec) && incrementSec > 0 ? incrementSec : 0;
        const backend = await hooks.renew(lease, increment);
        const mount = await mountTtl(lease);
        const nowMs = clock.now();
        // Vault's expiration.Renew: CalculateTTL(increment, backend ttl, backend max) from the
        // unchanged issue time, so no chain of renewals can pass issue time + max.
        const computed = calculateTtl({
          nowMs,
          issueTimeMs: lease.issueTimeMs,
          incrementSec: increment,
          requestedTtlSec: backend.ttlSec,
          periodSec: 0,
          explicitMaxTtlSec: 0,
          backendMaxTtlSec: backend.maxTtlSec,
          mountDefaultTtlSec: mount.defaultTtlSec,
          mountMaxTtlSec: mount.maxTtlSec,
        });
        const expireTimeMs = cappedExpiry(nowMs, computed.ttlSec, lease.issueTimeMs, computed.maxTtlSec, lease.notAfterMs);
        // A zero TTL must never read as "no expiry" (CVE-2021-32923): it is an error.
        if (expireTimeMs <= nowMs) throw VaultError.invalid('past the max TTL, cannot renew');
        const renewed: LeaseRecord = {
          ...lease,
          ...(backend.internal !== undefined ? { internal: backend.internal } : {}),
          expireTimeMs,
          lastRenewalTimeMs: nowMs,
          ttlSec: grantedTtlSec(expireTimeMs, nowMs),
          maxTtlSec: computed.maxTtlSec,
        };
        await store.update(renewed);
        track(renewed);
        return { lease: renewed, warnings: [...(backend.warnings ?? []), ...computed.warnings] };
      });
    },

    async revoke(leaseId, revokeOptions = {}) {
      ensureRunning();
      if (revokeOptions.sync === false) await expireNow(leaseId);
      else await revokeNow(leaseId, false);
    },

    async revokePrefix(prefix, prefixOptions = {}) {
      ensureRunning();
      const sync = prefixOptions.sync !== false;
      const force = prefixOptions.force === true;
      if (prefix === '' || prefix === '/') throw VaultError.invalid('prefix is required');
      if (!prefix.endsWith('/')) {
        // A full lease id names just that lease (Vault's revokePrefixCommon).
        if ((await load(prefix)) !== undefined) {
          if (!sync) await expireNow(prefix);
          else {
            try {
              await revokeNow(prefix, force);
            } catch (error) {
              throw new VaultError('internal', `failed to revoke "${prefix}": ${errorMessage(error)}`, undefined, { cause: error });
            }
          }
          return 1;
        }
        prefix += '/';
      }
      const ids = await store.collectIds(prefix);
      for (const [index, leaseId] of ids.entries()) {
        if (!sync) {
          await expireNow(leaseId);
          continue;
        }
        try {
          await revokeNow(leaseId, force);
        } catch (error) {
          throw new VaultError('internal', `failed to revoke "${leaseId}" (${index + 1} / ${ids.length}): ${errorMessage(error)}`, undefined, { cause: error });
        }
      }
      return ids.length;
    },

    async revokeByToken(tokenHash) {
      ensureRunning();
      for (const { leaseId } of await store.byToken(tokenHash)) {
        const lease = await load(leaseId);
        if (lease === undefined) continue;
        if (lease.kind === 'token' && lease.tokenHash === tokenHash) {
          // The token's own lease: the token is being revoked already, so drop the lease without
          // calling back into the token store (Vault's skipToken). If its revoke hook is what
          // brought us here, that revocation deletes the lease itself when it succeeds.
          if (hookRunning.has(leaseId)) continue;
          await lock.run(leaseId, async () => {
            const current = await load(leaseId);
            if (current === undefined) return;
            await store.remove(current);
            forget(leaseId);
          });
          continue;
        }
        await expireNow(leaseId);
      }
    },

    settled: () => queue.settled(),

    async listIds(prefix) {
      ensureRunning();
      return store.children(prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`);
    },

    async listIrrevocable() {
      ensureRunning();
      const out: LeaseRecord[] = [];
      for (const [leaseId, irrevocable] of known) {
        if (!irrevocable) continue;
        const lease = await load(leaseId);
        if (lease !== undefined) out.push(lease);
      }
      return out;
    },

    count() {
      let irrevocable = 0;
      for (const flag of known.values()) if (flag) irrevocable++;
      return { total: known.size, irrevocable };
    },

    async tidy() {
      ensureRunning();
      const report: TidyReport = { scanned: 0, revoked: 0, indexesRepaired: 0, indexesRemoved: 0, unreadable: 0 };
      const tokenAlive = new Map<string, boolean>();
      for (const leaseId of await store.collectIds('')) {
        report.scanned++;
        let lease: LeaseRecord | undefined;
        try {
          lease = await load(leaseId);
        } catch (error) {
          report.unreadable++;
          logger.log('error', 'tidy: unreadable lease entry', { lease_id: leaseId, error: errorMessage(error) });
          continue;
        }
        if (lease === undefined || lease.tokenHash === '') continue;
        if (hooks.tokenExists) {
          let alive = tokenAlive.get(lease.tokenHash);
          if (alive === undefined) {
            alive = await hooks.tokenExists(lease.tokenHash);
            tokenAlive.set(lease.tokenHash, alive);
          }
          if (!alive) {
            // Vault's tidy: a lease whose token is gone is revoked by force. A token's own lease
            // is just removed: its token is gone already.
            if (lease.kind === 'token') {
              await lock.run(leaseId, async () => {
                const current = await load(leaseId);
                if (current === undefined) return;
                await store.remove(current);
                forget(leaseId);
              });
            } else {
              await revokeNow(leaseId, true);
            }
            report.revoked++;
            continue;
          }
        }
        if (!(await store.hasIndex(lease.tokenHash, leaseId))) {
          await store.addIndex(lease.tokenHash, leaseId);
          report.indexesRepaired++;
        }
      }
      for (const tokenHash of await store.indexedTokens()) {
        for (const entry of await store.byToken(tokenHash)) {
          let exists: boolean;
          try {
            exists = (await load(entry.leaseId)) !== undefined;
          } catch {
            exists = true;
          }
          if (!exists) {
            await store.removeIndexKey(tokenHash, entry.indexKey);
            report.indexesRemoved++;
          }
        }
      }
      logger.log('info', 'lease tidy finished', { ...report });
      return report;
    },

    async restore() {
      generation++;
      schedule.clear();
      known.clear();
      attempts.clear();
      running = true;
      const report: RestoreReport = { leases: 0, queued: 0, unreadable: 0 };
      for (const leaseId of await store.collectIds('')) {
        let lease: LeaseRecord | undefined;
        try {
          lease = await load(leaseId);
        } catch (error) {
          // One torn entry must not make the vault unsealable (vault#18577).
          report.unreadable++;
          logger.log('error', 'skipping unreadable lease entry', { lease_id: leaseId, error: errorMessage(error) });
          continue;
        }
        if (lease === undefined) continue;
        report.leases++;
        if (lease.irrevocable) {
          // A restart gives irrevocable leases one more round of attempts.
          known.set(leaseId, true);
          queue.add(leaseId);
          report.queued++;
          continue;
        }
        track(lease);
        if (lease.expireTimeMs !== 0 && lease.expireTimeMs <= clock.now()) report.queued++;
      }
      logger.log('info', 'restored leases', { leases: report.leases, queued: report.queued });
      return report;
    },

    async stop() {
      running = false;
      generation++;
      schedule.clear();
      await queue.drain();
      await lock.idle();
      known.clear();
      attempts.clear();
    },
  };
}
