// Vault's CalculateTTL (sdk/framework/lease.go): one rule for token creation, logins, leases and renewals.
import { VaultError } from './errors.js';

export interface TtlInput {
  nowMs: number;
  /** When the token or lease was first issued: maxima count from here, renewals included. */
  issueTimeMs: number;
  /** A renewal's requested extension; 0 = none. */
  incrementSec: number;
  /** The TTL asked for, or the backend's; 0 = the mount's default. */
  requestedTtlSec: number;
  periodSec: number;
  explicitMaxTtlSec: number;
  /** A backend's own cap (a role's max_ttl); 0 = none. */
  backendMaxTtlSec: number;
  /** The mount's TTLs, already resolved against the system defaults. */
  mountDefaultTtlSec: number;
  mountMaxTtlSec: number;
}

export interface TtlResult {
  ttlSec: number;
  warnings: string[];
  /** The effective max TTL the result was capped by: the smallest non-zero cap. */
  maxTtlSec: number;
}

/**
 * Vault's humanDuration (sdk/framework/lease.go): Go's Duration.String with a trailing "0s" after
 * minutes and a "0m" after hours dropped, so 768h0m0s prints "768h" and 1h0m5s "1h5s". Vault's
 * capping warnings use this form, not the plain Go form of `formatDuration`.
 */
export function humanDuration(sec: number): string {
  if (sec === 0) return '0s';
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 ? `${s}s` : ''}`;
}

/**
 * The TTL to grant. Periodic: the period (capped at the max), and no absolute limit but the
 * explicit max. Otherwise increment, else requested, else the mount default, cut so that it never
 * ends after issue time + max TTL: renewing near expiry cannot stretch a lease (CVE-2021-32923).
 */
export function calculateTtl(input: TtlInput): TtlResult {
  const warnings: string[] = [];
  // Vault truncates every time to the second.
  const nowSec = Math.floor(input.nowMs / 1000);
  // Like Vault, a missing issue time means "issued now".
  const startSec = input.issueTimeMs > 0 ? Math.floor(input.issueTimeMs / 1000) : nowSec;
  // The smallest of the caps that are set. The mount max is always set once resolved against the
  // system max; a zero one is treated as unset rather than as "nothing may live at all".
  const caps = [input.mountMaxTtlSec, input.backendMaxTtlSec, input.explicitMaxTtlSec].filter((sec) => sec > 0);
  const maxTtlSec = caps.length > 0 ? Math.min(...caps) : 0;
  if (maxTtlSec <= 0) throw VaultError.internal('max TTL must be greater than zero');

  let ttlSec: number;
  let maxValidSec: number | undefined;
  if (input.periodSec > 0) {
    let period = input.periodSec;
    if (period > maxTtlSec) {
      warnings.push(`period of "${humanDuration(period)}" exceeded the effective max_ttl of "${humanDuration(maxTtlSec)}"; period value is capped accordingly`);
      period = maxTtlSec;
    }
    ttlSec = period;
    if (input.explicitMaxTtlSec > 0) maxValidSec = startSec + input.explicitMaxTtlSec;
  } else {
    ttlSec = input.incrementSec > 0 ? input.incrementSec : input.requestedTtlSec > 0 ? input.requestedTtlSec : input.mountDefaultTtlSec;
    maxValidSec = startSec + maxTtlSec;
  }
  if (maxValidSec !== undefined) {
    const remainingSec = maxValidSec - nowSec;
    if (remainingSec <= 0) throw VaultError.invalid('past the max TTL, cannot renew');
    if (remainingSec < ttlSec) {
      warnings.push(`TTL of "${humanDuration(ttlSec)}" exceeded the effective max_ttl of "${humanDuration(remainingSec)}"; TTL value is capped accordingly`);
      ttlSec = remainingSec;
    }
  }
  return { ttlSec, warnings, maxTtlSec };
}
