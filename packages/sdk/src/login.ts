// What an auth method hands the core when a login succeeds, and how the token's renewal comes back to it (Vault's logical.Auth, pathLoginRenew).

/** The token kinds an auth method may ask for (Vault's token_type). */
export const LOGIN_TOKEN_TYPES = ['default', 'service', 'batch', 'default-service', 'default-batch'] as const;
export type LoginTokenType = (typeof LOGIN_TOKEN_TYPES)[number];

/**
 * A successful login: the core turns it into an orphan token of the auth mount, with a lease,
 * and answers with Vault's `auth` block. Policies are the method's; `default` is added unless
 * `noDefaultPolicy`.
 */
export interface LoginGrant {
  policies: readonly string[];
  noDefaultPolicy: boolean;
  /** Shown as `auth.metadata` and kept on the token (`username`, `role_name`). */
  metadata: Record<string, string>;
  /** Appended to the mount path for the token's display name: `userpass-alice`; empty for just the mount (`approle`). */
  displayName: string;
  ttlSec: number;
  maxTtlSec: number;
  explicitMaxTtlSec: number;
  periodSec: number;
  numUses: number;
  /** CIDR blocks the token may be used from; empty for anywhere. */
  boundCidrs: readonly string[];
  tokenType: LoginTokenType;
  /** The identity alias the login maps to (the username, the role id): one entity per alias. */
  aliasName: string;
  /** Kept with the token, never shown, and handed back to `renewLogin`. */
  internal: Record<string, unknown>;
}

/** A login token's renewal, asked of the auth method that issued it. */
export interface LoginRenewRequest {
  /** What the grant's `internal` held. */
  internal: Readonly<Record<string, unknown>>;
  /** The policies the token holds, as the method granted them (without `default` when the core added it). */
  policies: readonly string[];
  incrementSec: number;
}

/**
 * The method's answer: the lifetime settings that apply now (Vault's backends set TTL, MaxTTL and
 * Period; the token keeps the explicit max it was issued with). Throw a VaultError to refuse.
 */
export interface LoginRenewal {
  ttlSec: number;
  maxTtlSec: number;
  periodSec: number;
}

/** Vault's policyutil.EquivalentPolicies: the same policy set once `default`, case, order and duplicates are set aside. */
export function equivalentPolicies(a: readonly string[], b: readonly string[]): boolean {
  const norm = (list: readonly string[]) => [...new Set(list.map((p) => p.trim().toLowerCase()).filter((p) => p !== '' && p !== 'default'))].sort().join('\n');
  return norm(a) === norm(b);
}
