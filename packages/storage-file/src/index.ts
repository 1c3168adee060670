// The durable file storage adapter (Vault's `storage "file"`).
export { createFileStorage, type FileStorage, type FileStorageOptions } from './file-storage.js';
export { FileStorageLockedError } from './directory-lock.js';
export type { FileSystem } from './file-system.js';
