// The seal's entries outside the barrier and the rules for share counts (Vault's SealConfig).
import { VaultError } from '@coffer/sdk';

/** The pointer entry: which keyring generation is live and how its root key is wrapped. */
export const SEAL_CONFIG_KEY = 'core/seal-config';
export const RECOVERY_CONFIG_KEY = 'core/recovery-config';
export const RECOVERY_KEY_KEY = 'core/recovery-key';
export const KEYRING_PREFIX = 'core/keyring/';

export type SealType = 'shamir' | 'static';

export interface SharesConfig {
  secret_shares: number;
  secret_threshold: number;
}

/** What `core/seal-config` holds. One put of this entry switches a rekey over. */
export interface StoredSealConfig extends SharesConfig {
  type: SealType;
  stored_shares: number;
  pgp_keys: null;
  backup: false;
  nonce: '';
  /** The keyring generation: it lives at `core/keyring/<generation>`. */
  generation: number;
  /** The root key sealed by the unseal key (Shamir) or by the host's key (static), base64. */
  wrapped_root_key: string;
}

export function keyringPath(generation: number): string {
  return `${KEYRING_PREFIX}${generation}`;
}

/** Vault's SealConfig.Validate, with its messages. */
export function validateShares(config: SharesConfig): string | undefined {
  const { secret_shares: shares, secret_threshold: threshold } = config;
  if (!Number.isInteger(shares) || shares < 1) return 'shares must be at least one';
  if (!Number.isInteger(threshold) || threshold < 1) return 'threshold must be at least one';
  if (shares > 1 && threshold === 1) return 'threshold must be greater than one for multiple shares';
  if (shares > 255) return 'shares must be less than 256';
  if (threshold > 255) return 'threshold must be less than 256';
  if (threshold > shares) return 'threshold cannot be larger than shares';
  return undefined;
}

export function checkShares(config: SharesConfig, context: string): void {
  const problem = validateShares(config);
  if (problem) throw VaultError.invalid(`${context}: ${problem}`);
}
