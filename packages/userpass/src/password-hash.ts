// Userpass password hashes: scrypt (memory-hard), computed off the event loop, compared in constant time.
// Vault uses bcrypt; DESIGN.md asks for a memory-hard function, and node:crypto's scrypt runs on libuv's pool.
import { scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Random } from '@coffer/sdk';

export interface ScryptCost {
  /** log2 of scrypt's N. */
  logN: number;
  r: number;
  p: number;
}

/** N = 2^15, r = 8, p = 1: 32 MiB and about as long as Vault's bcrypt cost 10 on these machines. */
export const DEFAULT_SCRYPT_COST: ScryptCost = { logN: 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export interface PasswordHasher {
  /** `$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, base64: the parameters travel with the hash. */
  hash(password: string): Promise<string>;
  /** Whether `password` matches `stored`; a malformed `stored` never matches. */
  verify(password: string, stored: string): Promise<boolean>;
  /**
   * The same work as `verify` against a hash nobody's password matches: an unknown user costs
   * what a wrong password costs (CVE-2025-6011).
   */
  verifyNobody(password: string): Promise<false>;
}

/** Derives a password's key: scrypt on libuv's thread pool. Tests pass their own to count calls. */
export type DeriveKey = (password: string, salt: Uint8Array, cost: ScryptCost) => Promise<Uint8Array>;

const scryptDerive: DeriveKey = (password, salt, cost) => {
  const N = 2 ** cost.logN;
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password, salt, HASH_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))));
};

/** `random` makes the salts (the vault's injected source, DESIGN.md §5). */
export function createPasswordHasher(random: Random, cost: ScryptCost = DEFAULT_SCRYPT_COST, derive: DeriveKey = scryptDerive): PasswordHasher {
  const encode = (salt: Uint8Array, key: Uint8Array) =>
    `$scrypt$ln=${cost.logN},r=${cost.r},p=${cost.p}$${Buffer.from(salt).toString('base64')}$${Buffer.from(key).toString('base64')}`;
  // A well-formed hash at the configured cost whose key is random bytes: no password derives it,
  // and checking one against it costs one derivation, as a real check does.
  const nobody = encode(random.bytes(SALT_BYTES), random.bytes(HASH_BYTES));
  const hasher: PasswordHasher = {
    async hash(password) {
      const salt = random.bytes(SALT_BYTES);
      return encode(salt, await derive(password, salt, cost));
    },
    async verify(password, stored) {
      const parts = FORMAT.exec(stored);
      if (!parts) return false;
      const storedCost = { logN: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]) };
      const expected = Buffer.from(parts[5]!, 'base64');
      const actual = await derive(password, Buffer.from(parts[4]!, 'base64'), storedCost);
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
    async verifyNobody(password) {
      await hasher.verify(password, nobody);
      return false;
    },
  };
  return hasher;
}
