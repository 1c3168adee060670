export { createVault } from './vault.js';
export type { Vault, InitOptions, InitResult, SealStatus } from './vault.js';
export type { KvClient, KvSecret, KvVersionMetadata } from './kv-client.js';
export type { VaultOptions, EngineRegistration, SealOption, DevOptions, CacheOption } from './vault-options.js';
export { VERSION } from './version.js';
export { VaultError, defineBackend, definePath, defineSecret, field } from '@coffer/sdk';
export type { Request, Response } from '@coffer/sdk';
