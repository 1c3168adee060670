// Typed lifecycle events of one vault (sealed, unsealed, mounts, key rotation, lease revocations), on eventemitter3.
import { EventEmitter } from 'eventemitter3';

export interface VaultEventMap {
  sealed: [];
  unsealed: [];
  initialized: [];
  mounted: [{ path: string; type: string; table: 'secret' | 'auth' }];
  unmounted: [{ path: string; type: string; table: 'secret' | 'auth' }];
  'key-rotated': [{ term: number }];
  rekeyed: [];
  /** A lease's secret was revoked (explicitly, by prefix or token, or on expiry) and the lease removed. */
  'lease-revoked': [{ leaseId: string }];
  /** A revocation failed and the lease was kept for a retry, or marked irrevocable once retries ran out. */
  'lease-revoke-failed': [{ leaseId: string; error: string; irrevocable: boolean }];
}

export type VaultEvents = EventEmitter<VaultEventMap>;

export function createVaultEvents(): VaultEvents {
  return new EventEmitter<VaultEventMap>();
}
