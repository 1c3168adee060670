// What the auth/token backend's paths are handed by the vault that mounts it.
import type { LoginRenewal } from '@coffer/sdk';
import type { TokenEntry } from './token-entry.js';
import type { TokenStore } from './token-store.js';

/** A login token's renewal as its auth method answers it, with that mount's TTL bounds. */
export interface LoginRenewOutcome {
  renewal: LoginRenewal;
  mountDefaultTtlSec: number;
  mountMaxTtlSec: number;
}

export interface TokenBackendDeps {
  store: TokenStore;
  /** Whether a policy exists, for the `Policy "x" does not exist` warning. */
  policyExists(name: string): Promise<boolean>;
  /** Asks the auth method that issued a login token whether, and how, it renews (throws to refuse). */
  renewLogin(entry: TokenEntry, incrementSec: number): Promise<LoginRenewOutcome>;
}
