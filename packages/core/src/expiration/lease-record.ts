// A lease entry as the expiration manager stores it (vault/expiration.go leaseEntry), and Vault's renewable() check.

export const LEASE_KINDS = ['secret', 'token'] as const;
export type LeaseKind = (typeof LEASE_KINDS)[number];

export interface LeaseRecord {
  /** Secrets: `<request path>/<24 base62>`; tokens: given by the caller (`<token path>/<salted id>`). */
  leaseId: string;
  /** Request path (mount prefix included) that created it. */
  path: string;
  kind: LeaseKind;
  mountAccessor: string;
  /** The backend's defineSecret type. */
  secretType?: string;
  /** What the backend needs to renew or revoke (stored behind the barrier, never returned by lookup). */
  internal?: Record<string, unknown>;
  /**
   * Keyed hash of the token the lease belongs to ('' if none): the revoke-by-token index. For a
   * secret, the token that created it; for a token lease, the token itself.
   */
  tokenHash: string;
  issueTimeMs: number;
  /** 0 only for a token lease that never expires (a root token without TTL). */
  expireTimeMs: number;
  lastRenewalTimeMs: number | null;
  /** Last granted TTL. */
  ttlSec: number;
  /** Effective max TTL counted from issue time (0 = none). */
  maxTtlSec: number;
  /** An absolute end no renewal may pass (an orphan batch token's expiry, CVE-2020-25816). */
  notAfterMs?: number;
  renewable: boolean;
  /** Last revocation failure, kept so lookup can show why the lease is still there. */
  revokeError?: string;
  /** Failed revocation attempts so far, across restarts. */
  revokeAttempts?: number;
  /** Out of retries: kept in storage (never silently dropped) until a revoke succeeds. */
  irrevocable?: boolean;
}

/**
 * Why the lease cannot be renewed, in Vault's words and order (leaseEntry.renewable), or
 * undefined when it can. A lease is expired from its expire time on, as tokens are.
 */
export function renewBlocker(lease: LeaseRecord, nowMs: number): string | undefined {
  if (lease.irrevocable) return 'lease is expired and has failed previous revocation attempts';
  if (lease.expireTimeMs === 0) return 'lease is not renewable';
  if (lease.expireTimeMs <= nowMs) return 'lease expired';
  if (!lease.renewable) return 'lease is not renewable';
  return undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeLease(lease: LeaseRecord): Uint8Array {
  return encoder.encode(JSON.stringify(lease));
}

/** Throws on anything that is not a lease entry (a torn or corrupt value, reliability.md F5). */
export function decodeLease(bytes: Uint8Array): LeaseRecord {
  const value: unknown = JSON.parse(decoder.decode(bytes));
  if (typeof value !== 'object' || value === null) throw new TypeError('lease entry is not an object');
  const lease = value as Partial<LeaseRecord>;
  if (
    typeof lease.leaseId !== 'string' ||
    typeof lease.path !== 'string' ||
    (lease.kind !== 'secret' && lease.kind !== 'token') ||
    typeof lease.tokenHash !== 'string' ||
    typeof lease.issueTimeMs !== 'number' ||
    typeof lease.expireTimeMs !== 'number' ||
    typeof lease.ttlSec !== 'number' ||
    typeof lease.maxTtlSec !== 'number' ||
    typeof lease.renewable !== 'boolean'
  ) {
    throw new TypeError('lease entry is missing fields');
  }
  return value as LeaseRecord;
}
