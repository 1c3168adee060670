// A prefix-chrooted view of a storage (Vault's BarrierView): each mount sees only its own keys.
import type { Storage } from '@coffer/storage';

/** Keys are stored under `prefix` (which ends in `/`); the view's callers never see it. */
export function createStorageView(inner: Storage, prefix: string): Storage {
  if (prefix !== '' && !prefix.endsWith('/')) throw new TypeError(`view prefix must end in '/': ${prefix}`);
  return inner.transaction ? new TransactionalStorageView(inner, prefix) : new StorageView(inner, prefix);
}

/**
 * Classes, not closures: a view is made for every transaction (on every KV write), and a
 * prototype method costs nothing to make.
 */
class StorageView implements Storage {
  constructor(
    protected readonly inner: Storage,
    protected readonly prefix: string,
  ) {}

  get(key: string): Promise<Uint8Array | undefined> {
    return this.inner.get(this.prefix + key);
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.inner.put(this.prefix + key, value);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(this.prefix + key);
  }

  list(sub: string): Promise<string[]> {
    return this.inner.list(this.prefix + sub);
  }
}

class TransactionalStorageView extends StorageView {
  transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> {
    return this.inner.transaction!((tx) => fn(new StorageView(tx, this.prefix)));
  }
}

/** Deletes every key below `prefix` (used when a mount is disabled). */
export async function clearStorage(storage: Storage, prefix = ''): Promise<void> {
  for (const child of await storage.list(prefix)) {
    if (child.endsWith('/')) await clearStorage(storage, prefix + child);
    else await storage.delete(prefix + child);
  }
}
