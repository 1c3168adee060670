export { createCore, DEFAULT_LEASE_TTL_SEC } from './core.js';
export type { Core, CoreOptions } from './core.js';
export type { VaultEventMap, VaultEvents } from './events.js';
export type { BackendRegistration } from './mounts/backend-registry.js';
export { createStorageView } from './storage-view.js';
export { createSecurityBarrier, BarrierInvalidKeyError } from './barrier/security-barrier.js';
export type { KeyStatus, SecurityBarrier, SecurityBarrierOptions } from './barrier/security-barrier.js';
export type { RotationConfig } from './barrier/keyring.js';
export { combineShares, splitSecret, ShamirError } from './seal/shamir.js';
