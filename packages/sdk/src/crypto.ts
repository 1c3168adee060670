// The primitives Vault's barrier, tokens and audit hashing rest on: AES-256-GCM, HMAC-SHA256, SHA-256, PBKDF2.

/**
 * One implementation of the primitives. `nodeCrypto` is the fast one on Node;
 * `nobleCrypto` is the portable one for runtimes without `node:crypto`. Both produce the
 * same bytes: AES-GCM output is ciphertext followed by the 16-byte tag.
 */
export interface Crypto {
  readonly name: string;
  /**
   * AES-256-GCM seal: returns ciphertext ‖ tag. `nonce` is 12 bytes, `key` 32 bytes. With
   * `headroom`, the result starts with that many zero bytes for the caller's header, so a
   * framed entry is built without copying the ciphertext a second time.
   */
  aesGcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array, headroom?: number): Uint8Array;
  /** AES-256-GCM open of ciphertext ‖ tag. Throws `DecryptionError` on any tampering. */
  aesGcmDecrypt(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array;
  sha256(message: Uint8Array): Uint8Array;
  /** PBKDF2-HMAC-SHA256 (SCRAM verifiers), off the event loop where the runtime allows. */
  pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Promise<Uint8Array>;
}

export const AES_KEY_BYTES = 32;
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** The authentication tag did not verify: wrong key, wrong associated data, or altered bytes. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';
  constructor() {
    super('cipher: message authentication failed');
  }
}

/** Compares two byte strings in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** The parts one after another in one new array; a single part is returned as it is. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
