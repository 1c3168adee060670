// The expiration manager (vault/expiration.go) and what it stores and answers.
export { createExpirationManager } from './expiration-manager.js';
export {
  DEFAULT_RETRY_POLICY,
  type ExpirationManager,
  type ExpirationManagerOptions,
  type LeaseHooks,
  type LeaseRenewal,
  type RegisterLeaseInput,
  type RestoreReport,
  type RetryPolicy,
  type RevokeOptions,
  type RevokePrefixOptions,
  type TidyReport,
  type TokenLeaseInput,
} from './expiration-api.js';
export { LEASE_KINDS, type LeaseKind, type LeaseRecord } from './lease-record.js';
export { leaseLookupData, type LeaseLookupData } from './lease-lookup-response.js';
