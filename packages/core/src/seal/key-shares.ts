// Splitting a key into the shares operators hold, and putting them back together.
import { toBase64, toHex, VaultError, type Random } from '@coffer/sdk';
import { combineShares, ShamirError, splitSecret } from './shamir.js';

/** One share means no splitting: the share is the key itself (Vault's 1-of-1 rule). */
export function splitKey(key: Uint8Array, shares: number, threshold: number, random: Random): Uint8Array[] {
  return shares === 1 ? [key.slice()] : splitSecret(key, shares, threshold, random);
}

/** Rebuilds a key from a threshold of shares. Malformed sets are the caller's 400, not a crash. */
export function combineKey(shares: readonly Uint8Array[]): Uint8Array {
  if (shares.length === 1) return shares[0]!.slice();
  try {
    return combineShares(shares);
  } catch (error) {
    if (error instanceof ShamirError) throw VaultError.invalid(`failed to compute combined key: ${error.message}`);
    throw error;
  }
}

export function encodeShares(shares: readonly Uint8Array[]): { keys: string[]; keys_base64: string[] } {
  const encoded = { keys: shares.map(toHex), keys_base64: shares.map(toBase64) };
  for (const share of shares) share.fill(0);
  return encoded;
}
