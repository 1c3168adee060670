// The root key as stored in the seal config: sealed by the unseal key or the host's key.
import { fromUtf8, utf8, VaultError, type Crypto, type Random } from '@coffer/sdk';
import { decryptEntry, encryptEntry } from '../barrier/ciphertext.js';
import { SEAL_CONFIG_KEY } from './seal-config.js';

export function wrapRootKey(crypto: Crypto, random: Random, wrappingKey: Uint8Array, rootKey: Uint8Array, generation: number): string {
  return Buffer.from(encryptEntry(crypto, random, generation, wrappingKey, SEAL_CONFIG_KEY, rootKey)).toString('base64');
}

/** Vault's error for shares that combine to the wrong key (a 500, as in Vault ≥ 1.3). */
export function unwrapRootKey(crypto: Crypto, wrappingKey: Uint8Array, wrapped: string): Uint8Array {
  try {
    return decryptEntry(crypto, wrappingKey, SEAL_CONFIG_KEY, new Uint8Array(Buffer.from(wrapped, 'base64')));
  } catch (error) {
    if (error instanceof VaultError) {
      throw VaultError.internal('unable to retrieve stored keys: failed to decrypt encrypted stored keys: cipher: message authentication failed');
    }
    throw error;
  }
}

export function encodeJson(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value));
}

export function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(fromUtf8(bytes)) as T;
}
