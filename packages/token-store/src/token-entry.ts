// A stored token (vault/token_store.go TokenEntry): only its keyed hash ever names it in storage.

export const TOKEN_TYPES = ['service', 'batch'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

export interface TokenEntry {
  /** `h` + HMAC-SHA256 of the token id under the store's salt; the id itself is never stored. */
  idHash: string;
  accessor: string;
  /** Normalised, sorted, without duplicates; `default` included when attached. */
  policies: string[];
  /** Hash of the parent's id; absent for orphans. */
  parentHash?: string;
  /** The request path that created it: `auth/token/create`, `auth/token/root`, `auth/userpass/login/alice`. */
  path: string;
  displayName: string;
  meta: Record<string, string> | null;
  /** Uses left; 0 = unlimited. */
  numUses: number;
  creationTimeMs: number;
  /** The TTL granted at creation, reported as `creation_ttl`. */
  creationTtlSec: number;
  /** The TTL granted by the last creation or renewal: what a renew without increment grants again. */
  ttlSec: number;
  /** When the token stops being valid; 0 = never. */
  expireTimeMs: number;
  lastRenewalTimeMs: number | null;
  explicitMaxTtlSec: number;
  periodSec: number;
  renewable: boolean;
  /** The token role it was created against, if any. */
  role?: string;
  type: TokenType;
  entityId: string;
  /** CIDR blocks the token may be used from; absent or empty for anywhere. */
  boundCidrs?: string[];
  /** Set on tokens an auth method's login issued: renewal goes back through that method. */
  login?: LoginBinding;
}

/** What a login token remembers of the auth method that issued it. */
export interface LoginBinding {
  mountAccessor: string;
  /** The method's `internal` data of the grant, handed back at renewal. */
  internal: Record<string, unknown>;
  /** The policies the method granted, before `default` was added. */
  policies: string[];
}

/** The token the caller presented, resolved. */
export interface ResolvedToken {
  id: string;
  entry: TokenEntry;
  isRoot: boolean;
}

/** A token whose policy set is exactly `root`, as Vault's root checks define it. */
export function isRootEntry(entry: TokenEntry): boolean {
  return entry.policies.length === 1 && entry.policies[0] === 'root';
}

/** The remaining lifetime at `nowMs` in whole seconds (0 for a token that never expires). */
export function remainingTtlSec(entry: TokenEntry, nowMs: number): number {
  if (entry.expireTimeMs === 0) return 0;
  return Math.max(0, Math.floor((entry.expireTimeMs - nowMs) / 1000));
}

export function isExpired(entry: TokenEntry, nowMs: number): boolean {
  return entry.expireTimeMs !== 0 && entry.expireTimeMs <= nowMs;
}
