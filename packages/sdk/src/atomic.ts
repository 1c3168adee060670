// A read-modify-write that must have exactly one winner (KV check-and-set, AppRole secret-id uses) runs as one unit (DESIGN.md §4).
import type { Storage } from '@coffer/storage';
import { createKeyedMutex } from './keyed-mutex.js';

/** Runs `fn` against a storage on which its reads and writes of `lockKey` cannot interleave with another unit's. */
export type Atomically = <T>(storage: Storage, lockKey: string, fn: (storage: Storage) => Promise<T>) => Promise<T>;

/**
 * When the storage offers transactions (MemoryStorage, PostgreSQL; the core passes them through
 * the barrier and the mount's view) the whole unit runs in one, which also holds across
 * processes sharing the database. Without them (the file store, a single-process adapter) the
 * unit is serialised per key inside this backend instance: enough there, because such an
 * adapter has exactly one process writing to it. Writes inside a unit are ordered so that a
 * crash between two of them leaves nothing a later read trips over (see the handlers).
 */
export function createAtomically(): Atomically {
  const mutex = createKeyedMutex();
  return (storage, lockKey, fn) => {
    if (storage.transaction) return storage.transaction(fn);
    return mutex.run(lockKey, () => fn(storage));
  };
}
