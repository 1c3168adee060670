// The security barrier (Vault's AESGCMBarrier): every byte written above it is encrypted
// with the keyring's active term before it reaches storage, and checked when read back.
import type { Storage } from '@coffer/storage';
import { VaultError, type Clock, type Crypto, type Random } from '@coffer/sdk';
import { decryptEntry, encryptEntry, entryTerm, integrityError } from './ciphertext.js';
import {
  deserializeKeyring,
  KEY_BYTES,
  MIN_MAX_OPERATIONS,
  newKeyring,
  serializeKeyring,
  validateRotationConfig,
  zeroizeKeyring,
  type Keyring,
  type RotationConfig,
} from './keyring.js';
import { BarrierTransaction, type EntrySealer } from './barrier-transaction.js';
import { closeCacheOver, DEFAULT_CACHE_LIMITS, openCacheOver, PlaintextCache, type PlaintextCacheLimits } from './plaintext-cache.js';

/** The root key did not open the keyring: wrong shares or a tampered keyring. */
export class BarrierInvalidKeyError extends Error {
  override readonly name = 'BarrierInvalidKeyError';
  constructor() {
    super('unseal failed, invalid key');
  }
}

export interface SecurityBarrierOptions {
  storage: Storage;
  crypto: Crypto;
  random: Random;
  clock: Clock;
  /** Lowers the max_operations floor so tests can reach automatic rotation (reliability.md S12). */
  minMaxOperations?: number;
  /**
   * Keeps decrypted entries in memory when the storage is `exclusive` (on by default there,
   * never otherwise); `false` turns it off, as Vault's disable_cache does.
   */
  cache?: false | PlaintextCacheLimits;
}

export interface KeyStatus {
  term: number;
  installTimeMs: number;
  encryptions: number;
}

export interface SecurityBarrier extends Storage {
  isSealed(): boolean;
  /** Creates term 1 and stores the keyring under `keyringPath`, sealed by `rootKey`. Leaves the barrier open. */
  initialize(rootKey: Uint8Array, keyringPath: string): Promise<void>;
  /** Opens the keyring at `keyringPath` with `rootKey`. Throws `BarrierInvalidKeyError` if it does not open. */
  unseal(rootKey: Uint8Array, keyringPath: string): Promise<void>;
  /** Drops and zeroes every key. The encryption count is saved first, best effort. */
  seal(): Promise<void>;
  /** Adds term N+1 and makes it active for new writes; returns the new term. */
  rotate(): Promise<number>;
  keyStatus(): KeyStatus;
  rotationConfig(): RotationConfig;
  setRotationConfig(config: RotationConfig): Promise<void>;
  /**
   * Phase one of a root-key change: the keyring is also written under `keyringPath`,
   * sealed by `rootKey`, and kept in step by later keyring writes until activated or discarded.
   */
  stageRootKey(rootKey: Uint8Array, keyringPath: string): Promise<void>;
  /** Phase two, after the seal has switched its pointer: the staged root key becomes the root key. */
  activateStagedRootKey(): void;
  discardStagedRootKey(): void;
  /** Test hook (reliability.md S11): the live key buffers, to prove they are zeroed on seal. */
  keyMaterialForTests(): Uint8Array[];
}

interface RootKeySlot {
  key: Uint8Array;
  path: string;
}

export function createSecurityBarrier(options: SecurityBarrierOptions): SecurityBarrier {
  const { storage, crypto, random, clock } = options;
  let keyring: Keyring | undefined;
  let root: RootKeySlot | undefined;
  let staged: RootKeySlot | undefined;
  let rotating: Promise<number> | undefined;
  const cache = storage.exclusive && options.cache !== false ? new PlaintextCache(options.cache ?? DEFAULT_CACHE_LIMITS) : undefined;

  // Keyring changes (rotate, config, staging) run one at a time: each rewrites the whole keyring.
  let keyringQueue: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = keyringQueue.then(fn, fn);
    keyringQueue = run.catch(() => undefined);
    return run;
  }

  /** Encrypts `value` for `key` with the active term, counting the encryption. */
  function sealEntry(key: string, value: Uint8Array): Uint8Array {
    const ring = open();
    const active = ring.terms.get(ring.activeTerm)!;
    const sealed = encryptEntry(crypto, random, active.term, active.key, key, value);
    ring.encryptions++;
    return sealed;
  }

  const sealer: EntrySealer = { assertUnsealed: () => void open(), seal: sealEntry, open: openStored };

  /**
   * The adapter's transactions, encrypted: every write inside lands or none does (KV
   * check-and-set, DESIGN.md §4). A rotation the writes make due runs after the commit, never
   * inside the transaction.
   */
  function encryptedTransaction(inner: NonNullable<Storage['transaction']>): NonNullable<Storage['transaction']> {
    return async (fn) => {
      open();
      let attempt: BarrierTransaction | undefined;
      let result;
      try {
        result = await inner((tx) => {
          // An adapter that retries runs fn again: the earlier attempt's writes never landed.
          attempt?.finish(false);
          const current = new BarrierTransaction(tx, sealer, cache);
          attempt = current;
          return fn(current).finally(() => current.refuseWrites());
        });
      } catch (error) {
        attempt?.finish(false);
        throw error;
      }
      attempt?.finish(true);
      if (keyring !== undefined && needsRotation(keyring)) await autoRotate();
      return result;
    };
  }

  /** Decrypts what storage returned for `key`. */
  function openStored(key: string, stored: Uint8Array | undefined): Uint8Array | undefined {
    if (stored === undefined) return undefined;
    // Opened again: the barrier may have been sealed (keys wiped) while storage answered.
    const ring = open();
    const term = entryTerm(key, stored);
    const entry = ring.terms.get(term);
    if (!entry) throw integrityError(key, `no decryption key available for term ${term}`);
    return decryptEntry(crypto, entry.key, key, stored);
  }

  function cachedGet(cache: PlaintextCache, key: string): Promise<Uint8Array | undefined> {
    const hit = cache.lookup(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const ticket = cache.readTicket();
    const remember = (plain: Uint8Array | undefined) => {
      if (plain !== undefined) cache.remember(key, plain, ticket);
      return plain;
    };
    if (storage.getNow) {
      try {
        return Promise.resolve(remember(openStored(key, storage.getNow(key))));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return storage.get(key).then((stored) => remember(openStored(key, stored)));
  }

  /**
   * Tells the cache how a write of `key` ended: `kept` (the cache's own copy of what was written,
   * null for a delete, undefined when not kept) once it landed. Called in the same synchronous step that issued the
   * write, so no read can slip in between and keep the value from before it.
   */
  function cachedWrite(cache: PlaintextCache, key: string, kept: Uint8Array | null | undefined, writing: Promise<void>): Promise<void> {
    cache.beginWrite(key);
    return writing.then(
      () => cache.endWrite(key, kept),
      (error: unknown) => {
        cache.endWrite(key, undefined);
        throw error;
      },
    );
  }

  function open(): Keyring {
    if (!keyring) throw VaultError.sealed();
    return keyring;
  }

  function sealKeyring(rootKey: Uint8Array, path: string, ring: Keyring): Uint8Array {
    const plain = serializeKeyring(ring);
    try {
      return encryptEntry(crypto, random, 1, rootKey, path, plain);
    } finally {
      plain.fill(0);
    }
  }

  /** Writes the keyring to the staged slot first, so a crash never leaves the staged copy behind the live one. */
  async function persist(ring: Keyring): Promise<void> {
    if (staged) await storage.put(staged.path, sealKeyring(staged.key, staged.path, ring));
    if (root) await storage.put(root.path, sealKeyring(root.key, root.path, ring));
  }

  async function readKeyring(rootKey: Uint8Array, path: string): Promise<Keyring> {
    const stored = await storage.get(path);
    if (!stored) throw new Error(`the keyring is missing from storage at ${path}`);
    let plain: Uint8Array;
    try {
      if (entryTerm(path, stored) !== 1) throw new BarrierInvalidKeyError();
      plain = decryptEntry(crypto, rootKey, path, stored);
    } catch (error) {
      if (error instanceof VaultError || error instanceof BarrierInvalidKeyError) throw new BarrierInvalidKeyError();
      throw error;
    }
    try {
      return deserializeKeyring(plain);
    } finally {
      plain.fill(0);
    }
  }

  function needsRotation(ring: Keyring): boolean {
    if (!ring.rotation.enabled) return false;
    if (ring.encryptions >= ring.rotation.maxOperations) return true;
    const active = ring.terms.get(ring.activeTerm)!;
    return ring.rotation.intervalMs > 0 && clock.now() - active.installTimeMs >= ring.rotation.intervalMs;
  }

  function rotate(): Promise<number> {
    return exclusive(async () => {
      const ring = open();
      const term = ring.activeTerm + 1;
      const next: Keyring = {
        ...ring,
        activeTerm: term,
        terms: new Map(ring.terms).set(term, { term, key: random.bytes(KEY_BYTES), installTimeMs: clock.now() }),
        encryptions: 0,
      };
      // The new term becomes active only once the keyring that holds it is durable.
      await persist(next);
      keyring = next;
      return term;
    });
  }

  async function autoRotate(): Promise<void> {
    if (rotating) return;
    rotating = rotate();
    try {
      await rotating;
    } finally {
      rotating = undefined;
    }
  }

  const barrier: SecurityBarrier = {
    isSealed: () => keyring === undefined,

    async initialize(rootKey, keyringPath) {
      if (rootKey.length !== KEY_BYTES) throw new TypeError('the root key must be 32 bytes');
      const ring = newKeyring(random.bytes(KEY_BYTES), clock.now());
      await storage.put(keyringPath, sealKeyring(rootKey, keyringPath, ring));
      root = { key: rootKey.slice(), path: keyringPath };
      keyring = ring;
      if (cache) openCacheOver(storage, cache);
    },

    async unseal(rootKey, keyringPath) {
      if (keyring) return;
      const ring = await readKeyring(rootKey, keyringPath);
      root = { key: rootKey.slice(), path: keyringPath };
      keyring = ring;
      if (cache) openCacheOver(storage, cache);
    },

    async seal() {
      await keyringQueue;
      const ring = keyring;
      if (!ring) return;
      // Sealed before the keyring is saved: nothing may read (and cache) plaintext meanwhile.
      keyring = undefined;
      if (cache) {
        cache.clear();
        closeCacheOver(storage, cache);
      }
      try {
        await persist(ring);
      } catch {
        // Best effort: the count only makes automatic rotation come sooner after a restart.
      }
      zeroizeKeyring(ring);
      root?.key.fill(0);
      staged?.key.fill(0);
      root = undefined;
      staged = undefined;
    },

    // Not `async`: a read is one promise when storage answers at once (memory), two otherwise
    // (bench P1).
    get(key) {
      if (keyring === undefined) return Promise.reject(VaultError.sealed());
      if (cache) return cachedGet(cache, key);
      if (storage.getNow) {
        try {
          return Promise.resolve(openStored(key, storage.getNow(key)));
        } catch (error) {
          return Promise.reject(error);
        }
      }
      return storage.get(key).then((stored) => openStored(key, stored));
    },

    async put(key, value) {
      const sealed = sealEntry(key, value);
      if (cache) await cachedWrite(cache, key, cache.copyForWrite(value), storage.put(key, sealed));
      else await storage.put(key, sealed);
      if (keyring !== undefined && needsRotation(keyring)) await autoRotate();
    },

    async delete(key) {
      open();
      if (cache) await cachedWrite(cache, key, null, storage.delete(key));
      else await storage.delete(key);
    },

    async list(prefix) {
      open();
      return storage.list(prefix);
    },

    ...(storage.transaction ? { transaction: encryptedTransaction(storage.transaction.bind(storage)) } : {}),

    rotate,

    keyStatus() {
      const ring = open();
      const active = ring.terms.get(ring.activeTerm)!;
      return { term: active.term, installTimeMs: active.installTimeMs, encryptions: ring.encryptions };
    },

    rotationConfig: () => ({ ...open().rotation }),

    setRotationConfig(config) {
      const problem = validateRotationConfig(config, options.minMaxOperations ?? MIN_MAX_OPERATIONS);
      if (problem) return Promise.reject(VaultError.invalid(problem));
      return exclusive(async () => {
        const ring = open();
        const next = { ...ring, rotation: { ...config } };
        await persist(next);
        keyring = next;
      });
    },

    stageRootKey(rootKey, keyringPath) {
      return exclusive(async () => {
        const ring = open();
        staged?.key.fill(0);
        staged = { key: rootKey.slice(), path: keyringPath };
        await storage.put(keyringPath, sealKeyring(staged.key, keyringPath, ring));
      });
    },

    activateStagedRootKey() {
      if (!staged) throw new Error('no staged root key');
      root?.key.fill(0);
      root = staged;
      staged = undefined;
    },

    discardStagedRootKey() {
      staged?.key.fill(0);
      staged = undefined;
    },

    keyMaterialForTests() {
      return [...(keyring?.terms.values() ?? [])].map((t) => t.key).concat(root ? [root.key] : [], staged ? [staged.key] : []);
    },
  };
  return barrier;
}
