// password_authentication = scram-sha-256: the password reaches PostgreSQL only as a SCRAM verifier (RFC 5802/7677), never in clear.
import { hmac } from '@noble/hashes/hmac.js';
import { pbkdf2Async } from '@noble/hashes/pbkdf2.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Random } from '@coffer/sdk';

/** PostgreSQL's own iteration count and salt size (scram_iterations, SCRAM_DEFAULT_SALT_LEN). */
const ITERATIONS = 4096;
const SALT_BYTES = 16;

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/**
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, the form PostgreSQL stores and
 * accepts in `PASSWORD '...'`. Vault's generated passwords are ASCII, so SASLprep leaves them as they are.
 */
export async function scramSha256Verifier(password: string, random: Random): Promise<string> {
  const salt = random.bytes(SALT_BYTES);
  const salted = await pbkdf2Async(sha256, new TextEncoder().encode(password), salt, { c: ITERATIONS, dkLen: 32 });
  const clientKey = hmac(sha256, salted, new TextEncoder().encode('Client Key'));
  const serverKey = hmac(sha256, salted, new TextEncoder().encode('Server Key'));
  return `SCRAM-SHA-256$${ITERATIONS}:${base64(salt)}$${base64(sha256(clientKey))}:${base64(serverKey)}`;
}
