// createVault(): one in-process vault, wired from core, storage and the engines (the `coffer` package).
import { MemoryStorage, type Storage } from '@coffer/storage';
import { createSilentLogger, createSystemClock, createSystemRandom, nodeCrypto, type Request, type Response } from '@coffer/sdk';
import { createCore, DEFAULT_CACHE_LIMITS, type BackendRegistration, type CoreSealStatus, type VaultEventMap } from '@coffer/core';
import { createKvBackend } from '@coffer/kv';
import { createUserpassBackend } from '@coffer/userpass';
import { createAppRoleBackend } from '@coffer/approle';
import { createDatabaseBackend } from '@coffer/database';
import { createKvClient, type KvClient } from './kv-client.js';
import { checkVaultOptions, type VaultOptions } from './vault-options.js';
import { VERSION } from './version.js';

export interface InitOptions {
  secretShares?: number;
  secretThreshold?: number;
  recoveryShares?: number;
  recoveryThreshold?: number;
}

export interface InitResult {
  keys: string[];
  keys_base64: string[];
  root_token: string;
  recovery_keys?: string[];
  recovery_keys_base64?: string[];
}

/** sys/seal-status: the seal's state plus version, storage type and, when unsealed, the cluster. */
export interface SealStatus extends CoreSealStatus {
  version: string;
  [key: string]: unknown;
}

export interface Vault {
  /** Handles one request exactly as the HTTP API would; failures are thrown as `VaultError`. */
  handle(request: Request): Promise<Response>;
  /** `sys/init`: Shamir shares (5 of 3 by default) or recovery keys with an auto-unseal seal. */
  init(options?: InitOptions): Promise<InitResult>;
  /** `sys/unseal` with one key share (hex or base64). */
  unseal(key: string): Promise<SealStatus>;
  /** Seals the vault from the host (no token: the embedding process owns the vault). */
  seal(): Promise<void>;
  status(): Promise<SealStatus>;
  /**
   * Typed helpers for the KV mount at `mount` (v1 or v2, found as the Vault CLI finds it), going
   * through `handle()` with `token` (default: the dev root token).
   */
  kv(mount: string, options?: { token?: string }): KvClient;
  /** The root token dev mode created, if any. */
  readonly rootToken: string | undefined;
  /** The unseal key dev mode created, if any. */
  readonly unsealKey: string | undefined;
  on<E extends keyof VaultEventMap>(event: E, listener: (...args: VaultEventMap[E]) => void): () => void;
  /** Seals and releases storage. The vault cannot be used afterwards. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function inferStorageType(storage: Storage, given: string | undefined): string {
  if (given) return given;
  if (storage instanceof MemoryStorage) return 'inmem';
  return (storage as { storageType?: string }).storageType ?? 'custom';
}

export async function createVault(options: VaultOptions = {}): Promise<Vault> {
  checkVaultOptions(options);
  const storage = options.storage ?? new MemoryStorage();
  // Vault's built-in secrets engines; a host may replace one by registering the same type.
  const backends = new Map<string, BackendRegistration>([
    ['kv', { factory: createKvBackend(), table: 'secret', description: 'key/value secret storage' }],
    ['userpass', { factory: createUserpassBackend(), table: 'auth', description: 'username and password logins' }],
    ['approle', { factory: createAppRoleBackend(), table: 'auth', description: 'role id and secret id logins for machines' }],
    ['database', { factory: createDatabaseBackend(), table: 'secret', description: 'dynamic and static database credentials' }],
  ]);
  for (const [type, engine] of Object.entries(options.engines ?? {})) {
    backends.set(type, { factory: engine.factory, table: engine.kind, ...(engine.description ? { description: engine.description } : {}) });
  }
  const core = createCore({
    storage,
    storageType: inferStorageType(storage, options.storageType),
    clock: options.clock ?? createSystemClock(),
    random: options.random ?? createSystemRandom(),
    crypto: options.crypto ?? nodeCrypto,
    logger: options.logger ?? createSilentLogger(),
    backends,
    ...(options.seal?.type === 'static' ? { autoUnsealKey: options.seal.key } : {}),
    systemTtls: {
      ...(options.defaultLeaseTtlSec !== undefined ? { defaultLeaseTtlSec: options.defaultLeaseTtlSec } : {}),
      ...(options.maxLeaseTtlSec !== undefined ? { maxLeaseTtlSec: options.maxLeaseTtlSec } : {}),
    },
    version: VERSION,
    ...(options.clusterName ? { clusterName: options.clusterName } : {}),
    ...(options.cache === false
      ? { cache: false as const }
      : options.cache
        ? { cache: { maxEntries: options.cache.maxEntries ?? DEFAULT_CACHE_LIMITS.maxEntries, maxBytes: options.cache.maxBytes ?? DEFAULT_CACHE_LIMITS.maxBytes } }
        : {}),
  });

  let closed = false;
  let rootToken: string | undefined;
  let unsealKey: string | undefined;

  async function raw<T>(request: Request): Promise<T> {
    if (closed) throw new Error('vault is closed');
    return (await core.handle(request)).raw as T;
  }

  const vault: Vault = {
    handle: (request) => {
      if (closed) return Promise.reject(new Error('vault is closed'));
      return core.handle(request);
    },
    init: (init = {}) =>
      raw<InitResult>({
        operation: 'update',
        path: 'sys/init',
        data:
          options.seal?.type === 'static'
            ? { recovery_shares: init.recoveryShares ?? 5, recovery_threshold: init.recoveryThreshold ?? 3 }
            : { secret_shares: init.secretShares ?? 5, secret_threshold: init.secretThreshold ?? 3 },
      }),
    unseal: (key) => raw<SealStatus>({ operation: 'update', path: 'sys/unseal', data: { key } }),
    seal: () => core.sealFromHost(),
    status: () => raw<SealStatus>({ operation: 'read', path: 'sys/seal-status' }),
    kv(mount, kvOptions = {}) {
      const token = kvOptions.token ?? rootToken;
      if (!token) throw new TypeError(`vault.kv('${mount}'): pass { token } (only dev mode has a default root token)`);
      return createKvClient(vault.handle, mount, token);
    },
    get rootToken() {
      return rootToken;
    },
    get unsealKey() {
      return unsealKey;
    },
    on(event, listener) {
      core.events.on(event, listener as never);
      return () => core.events.off(event, listener as never);
    },
    async close() {
      if (closed) return;
      await core.sealFromHost();
      closed = true;
      await storage.close?.();
    },
    [Symbol.asyncDispose]: () => vault.close(),
  };

  if (options.dev) {
    const dev = typeof options.dev === 'object' ? options.dev : {};
    const result = await core.initDev(dev.rootTokenId);
    rootToken = result.rootToken;
    unsealKey = result.unsealKey;
    // `vault server -dev` serves KV version 2 at secret/ (version 1 with -dev-kv-v1).
    if (backends.get('kv')) {
      const version = dev.kvVersion === 1 ? '1' : '2';
      await core.handle({ operation: 'update', path: 'sys/mounts/secret', token: rootToken, data: { type: 'kv', options: { version }, description: 'key/value secret storage' } });
    }
  } else {
    await core.start();
  }
  return vault;
}
