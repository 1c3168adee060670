export { createCore, DEFAULT_LEASE_TTL_SEC } from './core.js';
export type { Core, CoreOptions } from './core.js';
export type { VaultEventMap, VaultEvents } from './events.js';
export type { BackendRegistration } from './mounts/backend-registry.js';
export { createStorageView } from './storage-view.js';
