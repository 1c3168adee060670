// The expiration manager's test harness: hooks that record and can be held, a clock, a seeded random, and small assertions.
import { expect } from 'vitest';
import { MemoryStorage, type Storage } from '@coffer/storage';
import { nodeCrypto, VaultError, type Logger, type LogLevel } from '@coffer/sdk';
import { seededRandom, TestClock } from '@coffer/sdk/testing';
import type { ExpirationManagerOptions, LeaseHooks, LeaseRenewal, RegisterLeaseInput } from '../expiration-api.js';
import { createExpirationManager } from '../expiration-manager.js';
import type { LeaseRecord } from '../lease-record.js';

export const HOUR = 3600;
export const RETRY = { baseDelayMs: 1000, maxDelayMs: 8000, maxAttempts: 4 };

export interface Gate {
  promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Fake backend hooks that record every call and fail or block on demand. */
export function fakeHooks() {
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

export function recordingLogger() {
  const lines: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> = [];
  const logger: Logger = {
    log: (level, message, fields) => lines.push({ level, message, ...(fields ? { fields } : {}) }),
    child: () => logger,
  };
  return { logger, lines };
}

export function setup(options: { storage?: Storage; clock?: TestClock; seed?: number; extra?: Partial<ExpirationManagerOptions> } = {}) {
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

export function secret(overrides: Partial<RegisterLeaseInput> = {}): RegisterLeaseInput {
  return { path: 'database/creds/ro', mountAccessor: 'database_1a2b', tokenHash: 'htokenA', ttlSec: 60, maxTtlSec: HOUR, renewable: true, ...overrides };
}

export async function caught(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

export async function expectVaultError(promise: Promise<unknown>, status: number, message: string): Promise<void> {
  const error = await caught(promise);
  expect(error.status).toBe(status);
  expect(error.message).toBe(message);
}

export async function keys(storage: Storage, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const child of await storage.list(prefix)) {
    if (child.endsWith('/')) out.push(...(await keys(storage, prefix + child)));
    else out.push(prefix + child);
  }
  return out;
}

export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
