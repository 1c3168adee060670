// What the sys/ backend's handlers may reach inside the core (Vault's SystemBackend holds *Core).
import type { Clock, Random } from '@coffer/sdk';
import type { BackendRegistry } from '../mounts/backend-registry.js';
import type { SystemTtls } from '../mounts/mount-entry.js';
import type { MountTable } from '../mounts/mount-table.js';
import type { VaultEvents } from '../events.js';
import type { TokenStore } from '@coffer/token-store';
import type { PolicyStore } from '../policy/policy-store.js';
import type { PasswordPolicyStore } from '../policy/password-policy-store.js';
import type { ResponseWrapper } from '../wrapping/response-wrapper.js';
import type { AuditBroker } from '../audit/audit-broker.js';
import type { ExpirationManager } from '../expiration/index.js';

export interface SysDeps {
  mounts: MountTable;
  policies: PolicyStore;
  passwordPolicies: PasswordPolicyStore;
  tokens: TokenStore;
  wrapper: ResponseWrapper;
  broker: AuditBroker;
  expiration: ExpirationManager;
  registry: BackendRegistry;
  clock: Clock;
  random: Random;
  events: VaultEvents;
  version: string;
  systemTtls(): SystemTtls;
  lifecycle: SysLifecycle;
  keyring: SysKeyring;
}

export interface RotationConfig {
  maxOperations: number;
  intervalMs: number;
  enabled: boolean;
}

/** The barrier keyring as sys/rotate and sys/key-status see it. */
export interface SysKeyring {
  rotate(): Promise<number>;
  keyStatus(): { term: number; installTimeMs: number; encryptions: number };
  rotationConfig(): RotationConfig;
  setRotationConfig(config: RotationConfig): Promise<void>;
}

export interface SysLifecycle {
  initialized(): Promise<boolean>;
  sealed(): boolean;
  /** `cluster_name`/`cluster_id`, known once unsealed. */
  cluster(): { name: string; id: string } | undefined;
  /** Whether the caller's policies grant anything under `path` (the UI preflight check). */
  canAccessPath(caller: { policies?: readonly string[] }, path: string): boolean;
}
