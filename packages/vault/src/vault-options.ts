// The options of createVault(), checked at once: misuse of the library is a TypeError, never a VaultError.
import type { Storage } from '@coffer/storage';
import type { BackendFactory, Clock, Crypto, Logger, Random } from '@coffer/sdk';

export interface EngineRegistration {
  factory: BackendFactory;
  /** `secret` for secrets engines (mounted under sys/mounts), `auth` for auth methods. */
  kind: 'secret' | 'auth';
  description?: string;
}

export type SealOption =
  | { type: 'shamir' }
  /** Vault's static key seal: the host supplies a 32-byte key and the vault unseals itself. */
  | { type: 'static'; key: Uint8Array };

export interface DevOptions {
  /** The root token's id (`vault server -dev -dev-root-token-id`). */
  rootTokenId?: string;
  /** The KV version mounted at `secret/`: 2 (the default) or 1 (`-dev-kv-v1`). */
  kvVersion?: 1 | 2;
}

/** How many decrypted entries the vault keeps in memory (Vault's cache_size), or `false` for none (disable_cache). */
export type CacheOption = false | { maxEntries?: number; maxBytes?: number };

export interface VaultOptions {
  /** Defaults to a fresh in-memory storage. */
  storage?: Storage;
  /** Reported as `storage_type`; inferred for the built-in adapters. */
  storageType?: string;
  seal?: SealOption;
  clock?: Clock;
  random?: Random;
  crypto?: Crypto;
  logger?: Logger;
  /** `true` or options: in-memory, one unseal key, unsealed at once, like `vault server -dev`. */
  dev?: boolean | DevOptions;
  /** Extra mountable types, by mount type name. */
  engines?: Readonly<Record<string, EngineRegistration>>;
  /** System default and maximum lease TTLs in seconds (768h each by default). */
  defaultLeaseTtlSec?: number;
  maxLeaseTtlSec?: number;
  clusterName?: string;
  /**
   * Decrypted entries kept in memory, over storage only this process writes (memory, a locked
   * file directory): by default up to 131072 entries and 64 MiB. Wiped at seal.
   */
  cache?: CacheOption;
}

export function checkVaultOptions(options: VaultOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('createVault: options must be an object');
  const { seal, dev } = options;
  if (seal !== undefined) {
    if (seal.type !== 'shamir' && seal.type !== 'static') throw new TypeError(`createVault: unknown seal type ${JSON.stringify((seal as { type: unknown }).type)}`);
    if (seal.type === 'static' && !(seal.key instanceof Uint8Array && seal.key.length === 32)) {
      throw new RangeError('createVault: a static seal key must be 32 bytes (AES-256)');
    }
  }
  if (dev && seal?.type === 'static') throw new TypeError('createVault: dev mode uses a Shamir seal with one key');
  if (dev && typeof dev === 'object' && dev.rootTokenId !== undefined && (typeof dev.rootTokenId !== 'string' || dev.rootTokenId === '')) {
    throw new TypeError('createVault: dev.rootTokenId must be a non-empty string');
  }
  if (dev && typeof dev === 'object' && dev.kvVersion !== undefined && dev.kvVersion !== 1 && dev.kvVersion !== 2) {
    throw new TypeError('createVault: dev.kvVersion must be 1 or 2');
  }
  for (const name of ['defaultLeaseTtlSec', 'maxLeaseTtlSec'] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) throw new RangeError(`createVault: ${name} must be a positive integer`);
  }
  if (options.defaultLeaseTtlSec !== undefined && options.maxLeaseTtlSec !== undefined && options.defaultLeaseTtlSec > options.maxLeaseTtlSec) {
    throw new RangeError('createVault: defaultLeaseTtlSec cannot exceed maxLeaseTtlSec');
  }
  if (options.cache !== undefined && options.cache !== false) {
    if (typeof options.cache !== 'object' || options.cache === null) throw new TypeError('createVault: cache must be false or an object');
    for (const name of ['maxEntries', 'maxBytes'] as const) {
      const value = options.cache[name];
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 2)) throw new RangeError(`createVault: cache.${name} must be an integer of at least 2`);
    }
  }
  for (const [type, engine] of Object.entries(options.engines ?? {})) {
    if (typeof engine?.factory !== 'function') throw new TypeError(`createVault: engine ${type} needs a factory`);
    if (engine.kind !== 'secret' && engine.kind !== 'auth') throw new TypeError(`createVault: engine ${type} kind must be "secret" or "auth"`);
  }
}
