// The expiration manager's contract: what it takes, what the core provides as hooks, what it answers.
import type { Storage } from '@coffer/storage';
import type { Clock, Crypto, Logger, Random } from '@coffer/sdk';
import type { LeaseLookupData } from './lease-lookup-response.js';
import type { LeaseRecord } from './lease-record.js';

/** A backend's answer to a renewal: its TTL and max as Vault's resp.Secret carries them (0 = use the mount's). */
export interface LeaseRenewal {
  ttlSec: number;
  maxTtlSec: number;
  warnings?: string[];
  /** Replaces the lease's internal data when given (Vault stores resp.Data again). */
  internal?: Record<string, unknown>;
}

/** What the core provides so the manager can act on backends and tokens. */
export interface LeaseHooks {
  /** Revokes the secret (or, for a token lease, the token tree). Throwing keeps the lease; it is retried with backoff. */
  revoke(lease: LeaseRecord): Promise<void>;
  /** Asks the backend to renew. The manager then applies CalculateTTL against issue time + max. */
  renew(lease: LeaseRecord, incrementSec: number): Promise<LeaseRenewal>;
  /** The lease's mount TTLs, resolved against the system defaults. Without it: 768h and 768h. */
  mountTtl?(lease: LeaseRecord): { defaultTtlSec: number; maxTtlSec: number } | Promise<{ defaultTtlSec: number; maxTtlSec: number }>;
  /** Used by tidy: whether the token behind a token hash still exists. Without it tidy only repairs indexes. */
  tokenExists?(tokenHash: string): Promise<boolean>;
}

export interface RetryPolicy {
  /** Delay after the first failed attempt; it doubles with each further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failed attempts in a row after which the lease is marked irrevocable. */
  maxAttempts: number;
}

/** Vault's maxRevokeAttempts (6) and revokeRetryBase (10s), with the doubling capped at 5 minutes. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 10_000, maxDelayMs: 5 * 60_000, maxAttempts: 6 };

export interface ExpirationManagerOptions {
  /** The sys/ view behind the barrier; leases live under `expire/`. */
  storage: Storage;
  clock: Clock;
  random: Random;
  logger: Logger;
  hooks: LeaseHooks;
  retry?: RetryPolicy;
  /** Background revocations running at once (default 32). */
  revocationConcurrency?: number;
  /** Hashes lease ids into token index keys (default: the portable implementation). */
  crypto?: Crypto;
  /** Told when a lease's secret has been revoked and the lease removed. */
  onRevoked?(leaseId: string): void;
  /** Told when a revocation failed and the lease was kept; `irrevocable` once retries are used up. */
  onRevokeFailed?(leaseId: string, error: string, irrevocable: boolean): void;
}

export interface RegisterLeaseInput {
  /** Request path, mount prefix included; the lease id is this plus `/` and 24 random characters. */
  path: string;
  mountAccessor: string;
  secretType?: string;
  internal?: Record<string, unknown>;
  /** Keyed hash of the requesting token ('' if none; for a batch token, its parent's). */
  tokenHash: string;
  /** The TTL already computed with calculateTtl; must be positive (0 is never "forever"). */
  ttlSec: number;
  /** Effective max TTL from now (0 = none). */
  maxTtlSec: number;
  renewable: boolean;
  /** An absolute end no renewal may pass (an orphan batch token's expiry). */
  notAfterMs?: number;
}

/** A token's lease, mirrored from the token store on creation and on each renewal. */
export interface TokenLeaseInput {
  /** `<token path>/<salted id>`, as Vault builds it. */
  leaseId: string;
  path: string;
  mountAccessor: string;
  /** The token's own hash: revoking the token by hash removes this lease. */
  tokenHash: string;
  issueTimeMs: number;
  /** 0 = never expires (a root token without TTL). */
  expireTimeMs: number;
  ttlSec: number;
  maxTtlSec: number;
  renewable: boolean;
  lastRenewalTimeMs?: number | null;
}

export interface RevokeOptions {
  /** true (default): the hook runs before the call returns. false: expire now, revoke in the background. */
  sync?: boolean;
}

export interface RevokePrefixOptions extends RevokeOptions {
  /** Delete the lease entries even when the hook throws (sys/leases/revoke-force). */
  force?: boolean;
}

export interface TidyReport {
  scanned: number;
  /** Leases whose token no longer exists, revoked by force. */
  revoked: number;
  /** Leases that were missing from their token's index and were added back. */
  indexesRepaired: number;
  /** Index entries pointing at leases that no longer exist. */
  indexesRemoved: number;
  /** Entries that could not be read or decoded (left in place, logged). */
  unreadable: number;
}

export interface RestoreReport {
  /** Leases found in storage. */
  leases: number;
  /** Of those, already due (expired or irrevocable) and queued for revocation. */
  queued: number;
  unreadable: number;
}

export interface ExpirationManager {
  /** Stores a new secret lease and arms its expiry. If storing fails, the secret is revoked again. */
  register(input: RegisterLeaseInput): Promise<LeaseRecord>;
  /** Creates or updates a token's lease (token create and token renew). */
  registerToken(input: TokenLeaseInput): Promise<LeaseRecord>;
  /** Throws 400 `invalid lease` when unknown. */
  lookup(leaseId: string): Promise<LeaseRecord>;
  /** The data of sys/leases/lookup. */
  lookupResponse(leaseId: string): Promise<LeaseLookupData>;
  renew(leaseId: string, incrementSec: number): Promise<{ lease: LeaseRecord; warnings: string[] }>;
  /** Unknown ids succeed without doing anything (Vault answers 204). */
  revoke(leaseId: string, options?: RevokeOptions): Promise<void>;
  /** Returns how many leases were revoked (sync) or queued. */
  revokePrefix(prefix: string, options?: RevokePrefixOptions): Promise<number>;
  /**
   * Marks every lease of the token expired now and queues its revocation; removes the token's
   * own lease. Resolves once marked, not once revoked (Vault's lazy revocation): await
   * `settled()` for that.
   */
  revokeByToken(tokenHash: string): Promise<void>;
  /** Resolves when no background revocation is queued or running. */
  settled(): Promise<void>;
  /** Direct children of a prefix, as LIST sys/leases/lookup/<prefix> shows them. */
  listIds(prefix: string): Promise<string[]>;
  listIrrevocable(): Promise<LeaseRecord[]>;
  count(): { total: number; irrevocable: number };
  tidy(): Promise<TidyReport>;
  /** On unseal: reads every lease, arms the future ones and queues the due and irrevocable ones. */
  restore(): Promise<RestoreReport>;
  /** On seal: cancels every timer, waits for running revocations, forgets everything in memory. */
  stop(): Promise<void>;
}
