// In-memory physical storage (Vault's physical/inmem backend), with all-or-nothing transactions.
import { validateKey, validateListPrefix } from './key.js';
import type { Storage } from './storage.js';

/** Marks the transaction a piece of async work runs inside, so re-entry is refused, not deadlocked. */
interface TransactionScope {
  done: boolean;
}

/**
 * A `Storage` held in a `Map`. Values are copied on the way in and out, so a caller mutating
 * its buffer can never change what is stored (the barrier zeroes plaintext buffers after use).
 *
 * `get` is a `Map.get` plus one copy: keys are validated when written, so a hit needs no check.
 * `list` reads a folder index kept up to date by `put`/`delete` (work only when a key appears
 * or disappears), so it costs the folder's children, not the whole store.
 */
export class MemoryStorage implements Storage {
  readonly #data = new Map<string, Uint8Array>();
  /** folder prefix ("" or "a/b/") -> child ("c" or "c/") -> number of keys under that child */
  readonly #folders = new Map<string, Map<string, number>>();
  /** Transactions run one at a time: the tail of the queue. */
  #transactionQueue: Promise<void> = Promise.resolve();
  /** True while a transaction's `fn` runs its synchronous start (see `transaction`). */
  #startingTransaction = false;

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.getNow(key);
  }

  getNow(key: string): Uint8Array | undefined {
    const value = this.#data.get(key);
    if (value !== undefined) return copyOut(value);
    validateKey(key);
    return undefined;
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    validateKey(key);
    this.#set(key, new Uint8Array(value));
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    this.#remove(key);
  }

  async list(prefix: string): Promise<string[]> {
    validateListPrefix(prefix);
    const children = this.#folders.get(prefix);
    return children === undefined ? [] : [...children.keys()].sort();
  }

  /**
   * Runs `fn` against a transaction: its writes are buffered and applied together, in one
   * synchronous step, only if `fn` resolves. Transactions on one MemoryStorage run one after
   * another, so a read-check-write inside one (check-and-set, use counts) is never interleaved
   * with another transaction's. Plain `put`/`delete` calls are not held back.
   */
  async transaction<T>(fn: (tx: Storage) => Promise<T>): Promise<T> {
    // Waiting for our own enclosing transaction to finish would hang forever. Only a call made
    // while `fn` starts is caught: telling a nested call after an `await` from a concurrent one
    // would need AsyncLocalStorage, whose promise hooks halve every promise's speed in the
    // whole process (measured on Node 20). Inside `fn`, use the `tx` it is given.
    if (this.#startingTransaction) {
      throw new Error('MemoryStorage.transaction() called inside a transaction on the same storage; use the tx passed to fn');
    }
    const previous = this.#transactionQueue;
    let release!: () => void;
    this.#transactionQueue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    const scope: TransactionScope = { done: false };
    const tx = this.#openTransaction(scope);
    try {
      this.#startingTransaction = true;
      let running: Promise<T>;
      try {
        running = fn(tx.storage);
      } finally {
        this.#startingTransaction = false;
      }
      const result = await running;
      tx.commit();
      return result;
    } finally {
      scope.done = true;
      release();
    }
  }

  /** Nothing to release. The data stays, so a test can reopen a vault over it (a restart). */
  async close(): Promise<void> {}

  /** Copies of every stored entry, for tests that scan raw storage (for example for plaintext). */
  *entries(): IterableIterator<[string, Uint8Array]> {
    for (const [key, value] of this.#data) yield [key, new Uint8Array(value)];
  }

  /** The number of stored entries. */
  get size(): number {
    return this.#data.size;
  }

  /** The `Storage` handed to a transaction's `fn` (reads see its own buffered writes), and its commit. */
  #openTransaction(scope: TransactionScope): { storage: Storage; commit(): void } {
    /** key -> buffered value, or `null` for a buffered delete */
    const writes = new Map<string, Uint8Array | null>();
    const assertOpen = () => {
      // A write after the transaction ended would be silently lost; fail loudly instead.
      if (scope.done) throw new Error('transaction already finished');
    };
    const storage: Storage = {
      get: async (key) => {
        assertOpen();
        validateKey(key);
        const buffered = writes.get(key);
        const value = buffered === undefined ? this.#data.get(key) : buffered;
        return value === null || value === undefined ? undefined : copyOut(value);
      },
      put: async (key, value) => {
        assertOpen();
        validateKey(key);
        writes.set(key, new Uint8Array(value));
      },
      delete: async (key) => {
        assertOpen();
        validateKey(key);
        writes.set(key, null);
      },
      list: async (prefix) => {
        assertOpen();
        validateListPrefix(prefix);
        let touched = false;
        for (const key of writes.keys()) {
          if (key.startsWith(prefix)) {
            touched = true;
            break;
          }
        }
        if (!touched) return this.list(prefix);
        // Committed children from the folder index, then this transaction's own writes under the
        // prefix: work proportional to the folder and the transaction, never to the store.
        const children = new Set(this.#folders.get(prefix)?.keys());
        for (const [key, value] of writes) {
          if (!key.startsWith(prefix)) continue;
          const slash = key.indexOf('/', prefix.length);
          const child = slash === -1 ? key.slice(prefix.length) : key.slice(prefix.length, slash + 1);
          if (value !== null) children.add(child);
          else if (!this.#hasLiveKeyUnder(prefix + child, writes)) children.delete(child);
        }
        return [...children].sort();
      },
    };
    const commit = () => {
      assertOpen();
      // One synchronous loop: no other code can observe a half-applied transaction.
      for (const [key, value] of writes) {
        if (value === null) this.#remove(key);
        else this.#set(key, value);
      }
    };
    return { storage, commit };
  }

  /**
   * Whether `name` (a key, or a folder ending in `/`) still holds a key once `writes` apply.
   * Only a transaction's list after deleting inside a folder asks, so walking that folder is fine.
   */
  #hasLiveKeyUnder(name: string, writes: ReadonlyMap<string, Uint8Array | null>): boolean {
    if (!name.endsWith('/')) return writes.has(name) ? writes.get(name) !== null : this.#data.has(name);
    for (const [key, value] of writes) if (value !== null && key.startsWith(name)) return true;
    const stack = [name];
    for (let folder = stack.pop(); folder !== undefined; folder = stack.pop()) {
      for (const child of this.#folders.get(folder)?.keys() ?? []) {
        const path = folder + child;
        if (child.endsWith('/')) stack.push(path);
        else if (writes.get(path) !== null) return true;
      }
    }
    return false;
  }

  #set(key: string, value: Uint8Array): void {
    const isNew = !this.#data.has(key);
    this.#data.set(key, value);
    if (isNew) this.#index(key, 1);
  }

  #remove(key: string): void {
    if (this.#data.delete(key)) this.#index(key, -1);
  }

  /** Adds (`delta` 1) or removes (`delta` -1) `key` from the count of every folder above it. */
  #index(key: string, delta: 1 | -1): void {
    let folder = '';
    let start = 0;
    for (;;) {
      const slash = key.indexOf('/', start);
      const child = slash === -1 ? key.slice(start) : key.slice(start, slash + 1);
      let children = this.#folders.get(folder);
      if (children === undefined) {
        children = new Map();
        this.#folders.set(folder, children);
      }
      const count = (children.get(child) ?? 0) + delta;
      if (count > 0) children.set(child, count);
      else {
        children.delete(child);
        if (children.size === 0) this.#folders.delete(folder);
      }
      if (slash === -1) return;
      folder = key.slice(0, slash + 1);
      start = slash + 1;
    }
  }
}

/**
 * The caller's own copy of a stored value. Reads are short-lived, so small ones are cut from
 * Node's shared 8 KiB pool: a quarter of the cost of a fresh ArrayBuffer, a quarter of a
 * microsecond on every barrier read. Stored values keep their own buffers (see `put`) so a
 * long-lived entry never pins a pool slab.
 */
function copyOut(value: Uint8Array): Uint8Array {
  const pooled = Buffer.allocUnsafe(value.length);
  pooled.set(value);
  return new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.byteLength);
}
