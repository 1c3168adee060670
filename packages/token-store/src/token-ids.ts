// Token ids and accessors (vault-api.md §2.3): `hvs.` + 24 base62 characters, custom ids checked, ids hashed with a salt.
import { randomBase62, toHex, utf8, VaultError, type Crypto, type Random } from '@coffer/sdk';

/** Vault 1.10+ service tokens. Legacy `s.` tokens are still accepted on input. */
export const SERVICE_TOKEN_PREFIX = 'hvs.';
/** Batch tokens: the token is its own (encrypted) entry, never stored. */
export const BATCH_TOKEN_PREFIX = 'hvb.';

export function isBatchTokenId(id: string): boolean {
  return id.startsWith(BATCH_TOKEN_PREFIX) || id.startsWith('b.');
}
/** 24 base62 characters carry 142.9 bits. */
const TOKEN_RANDOM_CHARS = 24;
const ACCESSOR_CHARS = 24;

export function newTokenId(random: Random): string {
  return SERVICE_TOKEN_PREFIX + randomBase62(random, TOKEN_RANDOM_CHARS);
}

export function newAccessor(random: Random): string {
  return randomBase62(random, ACCESSOR_CHARS);
}

/** The rules for a caller-chosen `id` (sudo only): Vault refuses ids that look like its own. */
export function checkCustomTokenId(id: string): void {
  if (id.includes('.')) throw VaultError.invalid('token IDs can not contain periods');
  if (id.startsWith(SERVICE_TOKEN_PREFIX) || id.startsWith('s.') || id.startsWith('hvb.') || id.startsWith('b.')) {
    throw VaultError.invalid('custom token ID cannot have the \'s.\' or \'hvs.\' prefix');
  }
}

/** Keyed hash naming a token (or an accessor) in storage: `h` + hex HMAC-SHA256(salt, value). */
export function saltedHash(crypto: Crypto, salt: Uint8Array, value: string): string {
  return 'h' + toHex(crypto.hmacSha256(salt, utf8(value)));
}
