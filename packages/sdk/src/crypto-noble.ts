// The same primitives in pure JavaScript (@noble), for runtimes without node:crypto.
import { gcm } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DecryptionError, type Crypto } from './crypto.js';

export const nobleCrypto: Crypto = {
  name: 'noble',
  aesGcmEncrypt(key, nonce, plaintext, aad, headroom = 0) {
    const sealed = gcm(key, nonce, aad).encrypt(plaintext);
    if (headroom === 0) return sealed;
    const out = new Uint8Array(headroom + sealed.length);
    out.set(sealed, headroom);
    return out;
  },
  aesGcmDecrypt(key, nonce, sealed, aad) {
    try {
      return gcm(key, nonce, aad).decrypt(sealed);
    } catch {
      throw new DecryptionError();
    }
  },
  hmacSha256: (key, message) => hmac(sha256, key, message),
  sha256: (message) => sha256(message),
  pbkdf2Sha256: (password, salt, iterations, length) => pbkdf2Async(sha256, password, salt, { c: iterations, dkLen: length }),
};
