// The physical storage contract every adapter implements (Vault's physical.Backend, trimmed).

/**
 * A flat key/value store. Keys are `/`-separated paths; values are opaque bytes.
 * Adapters stay this small: encryption, prefixes and caching are layered on top as
 * further `Storage` implementations (barrier, view).
 */
export interface Storage {
  /** The stored bytes, or `undefined` when the key is absent. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Stores `value` under `key`, replacing any previous value. Durable once resolved. */
  put(key: string, value: Uint8Array): Promise<void>;
  /** Removes `key`. Deleting an absent key succeeds. */
  delete(key: string): Promise<void>;
  /**
   * The direct children of `prefix` (which is `""` or ends in `/`), sorted by code unit:
   * leaf names as they are, sub-folders once each with a trailing `/`.
   */
  list(prefix: string): Promise<string[]>;
  /**
   * Runs `fn` against a transactional view: either every write inside it lands or none
   * does. Adapters that cannot offer this leave it undefined.
   */
  transaction?<T>(fn: (tx: Storage) => Promise<T>): Promise<T>;
  /**
   * The stored bytes at once, for adapters whose reads need no I/O (memory). The barrier uses
   * it to answer with one promise instead of two on its hottest path. Same contract as `get`.
   */
  getNow?(key: string): Uint8Array | undefined;
  /**
   * True when nothing but this object changes the stored data (a process's own memory, a
   * directory it holds the lock of) and its transactions run one at a time. What was read then
   * stays true until written through this object, so the barrier may keep decrypted entries in
   * memory (Vault's physical cache). Storage shared by several processes leaves it unset.
   */
  readonly exclusive?: boolean;
  /** Releases files, sockets or pools. Further calls fail. */
  close?(): Promise<void>;
}
