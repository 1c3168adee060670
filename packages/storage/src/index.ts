// The physical storage layer (Vault's physical package): the contract, its errors, key rules and the in-memory adapter.
export type { Storage } from './storage.js';
export { InvalidStorageKeyError, StorageCorruptionError } from './storage-errors.js';
export { validateKey, validateListPrefix } from './key.js';
export { MemoryStorage } from './memory-storage.js';
export { pooledCopy } from './pooled-copy.js';
