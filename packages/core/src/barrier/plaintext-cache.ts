// Decrypted entries kept in memory above exclusive storage (the role of Vault's physical cache, cache_size / disable_cache).
import { pooledCopy } from '@coffer/storage';

export interface PlaintextCacheLimits {
  /** Entries kept at most (Vault's cache_size); the least used go first. */
  maxEntries: number;
  /** Plaintext bytes kept at most, so a few large entries cannot hold the heap. */
  maxBytes: number;
}

/** Vault's default cache_size (physical.DefaultCacheSize), and a byte bound Vault leaves to the entry count. */
export const DEFAULT_CACHE_LIMITS: PlaintextCacheLimits = { maxEntries: 131_072, maxBytes: 64 * 1024 * 1024 };

/**
 * Writes keep their value in the cache only up to this size: copying a large value on every put
 * cost more than the decrypt it saves (a 64 KiB put took 1.5x as long), while metadata, tokens
 * and typical secrets are a few hundred bytes. Larger entries are cached by the next read.
 */
const WRITE_THROUGH_MAX_BYTES = 1024;

interface WriteState {
  inFlight: number;
  /** Two writes of the key overlapped: storage holds one of them, nobody knows which. */
  contended: boolean;
}

/**
 * Every GCM open costs 5–9 µs on Node 20 (OpenSSL 3 sets up a context per call), more than the
 * rest of a KV read together; an entry read again while nothing wrote it is answered from here.
 *
 * Only sound when this process is the only writer (`Storage.exclusive`), and only if it can never
 * keep a value storage no longer holds. So:
 * - a write forgets the key when it starts, and when it ends stores its own value only if no
 *   other write of the key overlapped it (with overlap, the storage order is unknown);
 * - a read that missed stores what it decrypted only if no write started or ended anywhere while
 *   it ran (`readTicket` / `remember`), since storage may have answered with the older value.
 *
 * Values go in and out as copies: callers zero or mutate plaintext buffers. `clear` (at seal)
 * zeroes everything held.
 */
export class PlaintextCache {
  readonly #limits: PlaintextCacheLimits;
  /**
   * Two generations, each up to half the limits: new entries go to the young one, which becomes
   * the old one when full, the previous old one being zeroed and dropped whole; a hit in the old
   * generation moves the entry back to the young one. That keeps what is used, like an LRU,
   * without the per-entry eviction a single Map would need: V8 leaves deleted entries as holes at
   * the front of a Map and `keys().next()` walks them all, ~12 µs per eviction once full.
   */
  #young = new Map<string, Uint8Array>();
  #youngBytes = 0;
  #old = new Map<string, Uint8Array>();
  #oldBytes = 0;
  readonly #writing = new Map<string, WriteState>();
  /** Moves at every write's start and end. */
  #writeEpoch = 0;
  /** While another barrier opened over the same storage, nothing is kept (`suspend`). */
  #suspended = false;

  constructor(limits: PlaintextCacheLimits = DEFAULT_CACHE_LIMITS) {
    if (!(limits.maxEntries >= 2 && limits.maxBytes >= 2)) throw new RangeError('plaintext cache: maxEntries and maxBytes must be at least 2');
    this.#limits = limits;
  }

  /** A copy of the cached plaintext of `key`, or undefined on a miss. */
  lookup(key: string): Uint8Array | undefined {
    if (this.#suspended) return undefined;
    let value = this.#young.get(key);
    if (value === undefined) {
      value = this.#old.get(key);
      if (value === undefined) return undefined;
      this.#old.delete(key);
      this.#oldBytes -= value.length;
      this.#keepYoung(key, value);
    }
    return pooledCopy(value);
  }

  /** Taken before a read goes to storage; `remember` needs it back. */
  readTicket(): number {
    return this.#writeEpoch;
  }

  /** Keeps what a read decrypted, unless some write ran while the read did. */
  remember(key: string, plaintext: Uint8Array, ticket: number): void {
    if (ticket !== this.#writeEpoch || this.#writing.has(key)) return;
    // The reader keeps its buffer, so the cache keeps a copy.
    this.#store(key, new Uint8Array(plaintext));
  }

  /** The cache's own copy of a value being written, or undefined when the value is too large to keep from a write. */
  copyForWrite(value: Uint8Array): Uint8Array | undefined {
    return value.length <= WRITE_THROUGH_MAX_BYTES ? new Uint8Array(value) : undefined;
  }

  /** Called before a write of `key` can reach storage. */
  beginWrite(key: string): void {
    this.#writeEpoch++;
    this.#forget(key);
    const state = this.#writing.get(key);
    if (state === undefined) this.#writing.set(key, { inFlight: 1, contended: false });
    else {
      state.inFlight++;
      state.contended = true;
    }
  }

  /**
   * Called once the write settled: `value` is the plaintext it stored, `null` for a delete,
   * `undefined` when it failed (storage may or may not hold it) or the value is not to be kept.
   * The cache takes `value` over: the caller passes a copy nobody else holds.
   */
  endWrite(key: string, value: Uint8Array | null | undefined): void {
    this.#writeEpoch++;
    const state = this.#writing.get(key);
    if (state === undefined) throw new Error(`plaintext cache: no write of ${key} in flight`);
    this.#forget(key);
    if (--state.inFlight > 0) {
      // Another write of the key is still out: this one's value is not kept.
      value?.fill(0);
      return;
    }
    this.#writing.delete(key);
    if (!state.contended && value) this.#store(key, value);
    else value?.fill(0);
  }

  /**
   * Zeroes and drops every entry (seal). Reads and writes in flight when it runs keep nothing:
   * the epoch moves for the reads, and every write in flight counts as contended.
   */
  clear(): void {
    for (const generation of [this.#young, this.#old]) for (const value of generation.values()) value.fill(0);
    this.#young = new Map();
    this.#old = new Map();
    this.#youngBytes = 0;
    this.#oldBytes = 0;
    this.#writeEpoch++;
    for (const state of this.#writing.values()) state.contended = true;
  }

  /**
   * Another writer appeared on the storage (a second vault opened over the same in-memory
   * store): everything held is dropped and nothing is kept until `resume`.
   */
  suspend(): void {
    this.#suspended = true;
    this.clear();
  }

  /** This barrier is the only writer again; what it reads from now on can be kept. */
  resume(): void {
    this.#suspended = false;
  }

  /** Entries held, for tests. */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** Plaintext bytes held, for tests. */
  get bytes(): number {
    return this.#youngBytes + this.#oldBytes;
  }

  /** Keeps `plaintext` itself, not a copy. */
  #store(key: string, plaintext: Uint8Array): void {
    this.#forget(key);
    if (this.#suspended || plaintext.length > this.#limits.maxBytes / 2) {
      plaintext.fill(0);
      return;
    }
    this.#keepYoung(key, plaintext);
  }

  /**
   * Adds to the young generation. One that cannot take the entry within half the limits first
   * becomes the old one, the old one's entries being zeroed and dropped: each generation stays
   * within half, so the whole cache within the limits.
   */
  #keepYoung(key: string, plaintext: Uint8Array): void {
    if (this.#young.size + 1 > Math.floor(this.#limits.maxEntries / 2) || this.#youngBytes + plaintext.length > this.#limits.maxBytes / 2) {
      for (const value of this.#old.values()) value.fill(0);
      this.#old = this.#young;
      this.#oldBytes = this.#youngBytes;
      this.#young = new Map();
      this.#youngBytes = 0;
    }
    this.#young.set(key, plaintext);
    this.#youngBytes += plaintext.length;
  }

  #forget(key: string): void {
    let value = this.#young.get(key);
    if (value !== undefined) {
      this.#young.delete(key);
      this.#youngBytes -= value.length;
    } else {
      value = this.#old.get(key);
      if (value === undefined) return;
      this.#old.delete(key);
      this.#oldBytes -= value.length;
    }
    value.fill(0);
  }
}

/** The caches of the barriers open over each storage object. */
const cachesByStorage = new WeakMap<object, Set<PlaintextCache>>();

/**
 * Records that a barrier with `cache` opened over `storage`. `exclusive` promises no other
 * process writes it, but two vaults in one process can still share one in-memory store (a test
 * reopening a vault without closing the first): while more than one is open, none caches.
 */
export function openCacheOver(storage: object, cache: PlaintextCache): void {
  let caches = cachesByStorage.get(storage);
  if (caches === undefined) cachesByStorage.set(storage, (caches = new Set()));
  caches.add(cache);
  if (caches.size > 1) for (const open of caches) open.suspend();
}

/** The barrier with `cache` sealed: a barrier left alone over the storage caches again. */
export function closeCacheOver(storage: object, cache: PlaintextCache): void {
  const caches = cachesByStorage.get(storage);
  if (caches === undefined || !caches.delete(cache)) return;
  if (caches.size === 1) for (const open of caches) open.resume();
}
