// Batch tokens (vault-api.md §2.3): `hvb.` + base64url of the token's own entry, sealed with a key behind the barrier; never stored.
import { DecryptionError, fromUtf8, GCM_NONCE_BYTES, utf8, type Crypto, type Random } from '@coffer/sdk';
import { BATCH_TOKEN_PREFIX } from './token-ids.js';
import type { TokenEntry } from './token-entry.js';

/** What a batch token carries: enough to authorise, nothing that changes after issue. */
export type BatchClaims = Pick<TokenEntry, 'policies' | 'path' | 'displayName' | 'meta' | 'creationTimeMs' | 'ttlSec' | 'entityId'> &
  Pick<Partial<TokenEntry>, 'parentHash' | 'role' | 'boundCidrs'>;

const AAD = utf8('coffer batch token v1');

export function encodeBatchToken(crypto: Crypto, random: Random, key: Uint8Array, claims: BatchClaims): string {
  const nonce = random.bytes(GCM_NONCE_BYTES);
  const sealed = crypto.aesGcmEncrypt(key, nonce, utf8(JSON.stringify(claims)), AAD, GCM_NONCE_BYTES);
  sealed.set(nonce, 0);
  return BATCH_TOKEN_PREFIX + Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength).toString('base64url');
}

/** The claims of a batch token this vault issued, or undefined for anything else (forged, mangled, another vault's). */
export function decodeBatchToken(crypto: Crypto, key: Uint8Array, id: string): BatchClaims | undefined {
  const body = id.startsWith(BATCH_TOKEN_PREFIX) ? id.slice(BATCH_TOKEN_PREFIX.length) : id.slice(2);
  const bytes = new Uint8Array(Buffer.from(body, 'base64url'));
  if (bytes.length <= GCM_NONCE_BYTES) return undefined;
  try {
    const plain = crypto.aesGcmDecrypt(key, bytes.subarray(0, GCM_NONCE_BYTES), bytes.subarray(GCM_NONCE_BYTES), AAD);
    return JSON.parse(fromUtf8(plain)) as BatchClaims;
  } catch (error) {
    if (error instanceof DecryptionError) return undefined;
    throw error;
  }
}
