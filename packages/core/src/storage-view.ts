// A prefix-chrooted view of a storage (Vault's BarrierView): each mount sees only its own keys.
import type { Storage } from '@coffer/storage';

/** Keys are stored under `prefix` (which ends in `/`); the view's callers never see it. */
export function createStorageView(inner: Storage, prefix: string): Storage {
  if (prefix !== '' && !prefix.endsWith('/')) throw new TypeError(`view prefix must end in '/': ${prefix}`);
  const view: Storage = {
    get: (key) => inner.get(prefix + key),
    put: (key, value) => inner.put(prefix + key, value),
    delete: (key) => inner.delete(prefix + key),
    list: (sub) => inner.list(prefix + sub),
  };
  if (inner.transaction) {
    const transaction = inner.transaction.bind(inner);
    view.transaction = (fn) => transaction((tx) => fn(createStorageView(tx, prefix)));
  }
  return view;
}

/** Deletes every key below `prefix` (used when a mount is disabled). */
export async function clearStorage(storage: Storage, prefix = ''): Promise<void> {
  for (const child of await storage.list(prefix)) {
    if (child.endsWith('/')) await clearStorage(storage, prefix + child);
    else await storage.delete(prefix + child);
  }
}
