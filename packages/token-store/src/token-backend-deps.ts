// What the auth/token backend's paths are handed by the vault that mounts it.
import type { TokenStore } from './token-store.js';

export interface TokenBackendDeps {
  store: TokenStore;
  /** Whether a policy exists, for the `Policy "x" does not exist` warning. */
  policyExists(name: string): Promise<boolean>;
}
