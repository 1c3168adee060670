// password_authentication = scram-sha-256: the password reaches PostgreSQL only as a SCRAM verifier (RFC 5802/7677), never in clear.
import { toBase64, utf8, type Crypto, type Random } from '@coffer/sdk';

/** PostgreSQL's own iteration count and salt size (scram_iterations, SCRAM_DEFAULT_SALT_LEN). */
const ITERATIONS = 4096;
const SALT_BYTES = 16;

/**
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, the form PostgreSQL stores and
 * accepts in `PASSWORD '...'`. Vault's generated passwords are ASCII, so SASLprep leaves them as they are.
 */
export async function scramSha256Verifier(password: string, random: Random, crypto: Crypto): Promise<string> {
  const salt = random.bytes(SALT_BYTES);
  const salted = await crypto.pbkdf2Sha256(utf8(password), salt, ITERATIONS, 32);
  const clientKey = crypto.hmacSha256(salted, utf8('Client Key'));
  const serverKey = crypto.hmacSha256(salted, utf8('Server Key'));
  return `SCRAM-SHA-256$${ITERATIONS}:${toBase64(salt)}$${toBase64(crypto.sha256(clientKey))}:${toBase64(serverKey)}`;
}
