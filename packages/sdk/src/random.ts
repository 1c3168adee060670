// Source of randomness for keys, tokens, nonces and ids, injected so tests can be deterministic.
import { randomFillSync } from 'node:crypto';

export interface Random {
  /** `n` cryptographically strong random bytes. Throws rather than return weak bytes. */
  bytes(n: number): Uint8Array;
}

const POOL_BYTES = 4096;
const POOLED_MAX = 256;

/**
 * The operating system's CSPRNG (OpenSSL's, seeded by the kernel). Small requests — the
 * barrier's 12-byte nonce on every write — are served from a 4 KiB block filled in one call,
 * because a call per nonce costs as much as the AES-GCM it feeds. Served bytes are copied
 * out and wiped from the block, so no key material lingers there.
 */
export function createSystemRandom(): Random {
  const pool = new Uint8Array(POOL_BYTES);
  let offset = POOL_BYTES;
  return {
    bytes(n) {
      if (n > POOLED_MAX) return randomFillSync(new Uint8Array(n));
      if (offset + n > POOL_BYTES) {
        randomFillSync(pool);
        offset = 0;
      }
      const out = pool.slice(offset, offset + n);
      pool.fill(0, offset, offset + n);
      offset += n;
      return out;
    },
  };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * `length` base62 characters without modulo bias (rejection sampling), as Vault's
 * token and lease ids are built. 24 characters carry 142.9 bits.
 */
export function randomBase62(random: Random, length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of random.bytes(length * 2)) {
      // 248 = 4 * 62: bytes at or above it would favour the first characters.
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Two lowercase hex digits per byte value: ids are built on every request, so no per-byte formatting. */
const HEX_PAIRS = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** A random RFC 4122 version 4 UUID (request ids, mount uuids, nonces). */
export function randomUuid(random: Random): string {
  const b = random.bytes(16);
  const h = HEX_PAIRS;
  // Version 4 in the high nibble of byte 6, variant 10xx in byte 8 (RFC 4122 §4.4).
  return (
    `${h[b[0]!]}${h[b[1]!]}${h[b[2]!]}${h[b[3]!]}-${h[b[4]!]}${h[b[5]!]}-${h[(b[6]! & 0x0f) | 0x40]}${h[b[7]!]}-` +
    `${h[(b[8]! & 0x3f) | 0x80]}${h[b[9]!]}-${h[b[10]!]}${h[b[11]!]}${h[b[12]!]}${h[b[13]!]}${h[b[14]!]}${h[b[15]!]}`
  );
}

/** `n` random bytes as lowercase hex (mount accessors use 8 hex characters). */
export function randomHex(random: Random, n: number): string {
  return Array.from(random.bytes(Math.ceil(n / 2)), (x) => HEX_PAIRS[x]!)
    .join('')
    .slice(0, n);
}
