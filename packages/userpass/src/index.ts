// The userpass auth method: users with passwords (vault-api.md §1.8, §2.8).
export { createUserpassBackend, type UserpassOptions } from './userpass-backend.js';
export { createPasswordHasher, DEFAULT_SCRYPT_COST, type DeriveKey, type PasswordHasher, type ScryptCost } from './password-hash.js';
