// Typed lifecycle events of one vault (sealed, unsealed, mounts, key rotation), on eventemitter3.
import { EventEmitter } from 'eventemitter3';

export interface VaultEventMap {
  sealed: [];
  unsealed: [];
  initialized: [];
  mounted: [{ path: string; type: string; table: 'secret' | 'auth' }];
  unmounted: [{ path: string; type: string; table: 'secret' | 'auth' }];
  'key-rotated': [{ term: number }];
  rekeyed: [];
}

export type VaultEvents = EventEmitter<VaultEventMap>;

export function createVaultEvents(): VaultEvents {
  return new EventEmitter<VaultEventMap>();
}
