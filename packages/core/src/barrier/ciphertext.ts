// The barrier's wire format (Vault's aes_gcm.go, version 2):
// term (uint32 BE) ‖ version 0x02 ‖ nonce (12) ‖ AES-256-GCM ciphertext ‖ tag (16),
// sealed with the storage key as associated data so a value copied to another key fails.
import { DecryptionError, GCM_NONCE_BYTES, VaultError, type Crypto, type Random } from '@coffer/sdk';

export const CIPHERTEXT_VERSION = 0x02;
const TERM_BYTES = 4;
const HEADER_BYTES = TERM_BYTES + 1;
const PREFIX_BYTES = HEADER_BYTES + GCM_NONCE_BYTES;

/** Storage bytes that do not open: tampered, truncated, moved, or from an unknown key. */
export function integrityError(key: string, reason: string): VaultError {
  return VaultError.internal(`failed to decrypt "${key}": ${reason}`);
}

/**
 * The storage key as GCM associated data. It lives for one call, so it is cut from Node's
 * shared buffer pool: TextEncoder's fresh ArrayBuffer costs ~0.3 µs more per barrier op.
 */
function associatedData(key: string): Uint8Array {
  return Buffer.from(key, 'utf8');
}

export function encryptEntry(crypto: Crypto, random: Random, term: number, termKey: Uint8Array, key: string, plaintext: Uint8Array): Uint8Array {
  // A fresh random nonce per object; if the RNG fails, Random.bytes throws and nothing is written.
  const nonce = random.bytes(GCM_NONCE_BYTES);
  if (nonce.length !== GCM_NONCE_BYTES) throw new Error('random source returned too few bytes for a nonce');
  const out = crypto.aesGcmEncrypt(termKey, nonce, plaintext, associatedData(key), PREFIX_BYTES);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(0, term);
  out[TERM_BYTES] = CIPHERTEXT_VERSION;
  out.set(nonce, HEADER_BYTES);
  return out;
}

/** The term a stored value claims; the caller looks its key up and then calls `decryptEntry`. */
export function entryTerm(key: string, stored: Uint8Array): number {
  if (stored.length <= HEADER_BYTES) throw integrityError(key, 'invalid cipher length');
  return ((stored[0]! << 24) | (stored[1]! << 16) | (stored[2]! << 8) | stored[3]!) >>> 0;
}

export function decryptEntry(crypto: Crypto, termKey: Uint8Array, key: string, stored: Uint8Array): Uint8Array {
  if (stored.length <= HEADER_BYTES) throw integrityError(key, 'invalid cipher length');
  if (stored[TERM_BYTES] !== CIPHERTEXT_VERSION) throw integrityError(key, 'version bytes mis-match');
  if (stored.length < PREFIX_BYTES) throw integrityError(key, 'invalid cipher length');
  try {
    return crypto.aesGcmDecrypt(termKey, stored.subarray(HEADER_BYTES, PREFIX_BYTES), stored.subarray(PREFIX_BYTES), associatedData(key));
  } catch (error) {
    if (error instanceof DecryptionError) throw integrityError(key, error.message);
    throw error;
  }
}
