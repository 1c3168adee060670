// In-memory physical storage (Vault's physical/inmem backend), with all-or-nothing transactions.
import { validateKey, validateListPrefix } from './key.js';
import { pooledCopy } from './pooled-copy.js';
import type { Storage } from './storage.js';

/**
 * A `Storage` held in a `Map`. Values are copied on the way in and out, so a caller mutating
 * its buffer can never change what is stored (the barrier zeroes plaintext buffers after use).
 *
 * `get` is a `Map.get` plus one copy: keys are validated when written, so a hit needs no check.
 * `list` reads a folder index kept up to date by `put`/`delete` (work only when a key appears
 * or disappears), so it costs the folder's children, not the whole store.
 */
export class MemoryStorage implements Storage {
  /**
   * Only this process's code reaches the Map: the barrier may cache what it decrypted. A getter,
   * so a wrapper made by spreading this object does not inherit the claim.
   */
  get exclusive(): boolean {
    return true;
  }
  readonly #data = new Map<string, Uint8Array>();
  /** folder prefix ("" or "a/b/") -> its direct children ("c" or "c/"); a folder is here only while it holds a key */
  readonly #folders = new Map<string, Set<string>>();
  /** Transactions run one at a time: whether one runs, and who waits for it, in order. */
  #transactionRunning = false;
  readonly #transactionWaiters: (() => void)[] = [];
  /** True while a transaction's `fn` runs its synchronous start (see `transaction`). */
  #startingTransaction = false;

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.getNow(key);
  }

  getNow(key: string): Uint8Array | undefined {
    const value = this.#data.get(key);
    if (value !== undefined) return pooledCopy(value);
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
    // An idle store starts at once: no promise is made for the queue on the common path.
    if (this.#transactionRunning) await new Promise<void>((resolve) => this.#transactionWaiters.push(resolve));
    else this.#transactionRunning = true;
    const tx = new MemoryTransaction(this.#committed);
    try {
      this.#startingTransaction = true;
      let running: Promise<T>;
      try {
        running = fn(tx);
      } finally {
        this.#startingTransaction = false;
      }
      const result = await running;
      tx.commit();
      return result;
    } finally {
      tx.done = true;
      // The next waiter inherits the running flag.
      const next = this.#transactionWaiters.shift();
      if (next) next();
      else this.#transactionRunning = false;
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

  /** What a transaction sees of the store, and how it applies its writes. */
  readonly #committed: CommittedState = {
    data: this.#data,
    folders: this.#folders,
    apply: (writes) => {
      // One synchronous loop: no other code can observe a half-applied transaction.
      for (const [key, value] of writes) {
        if (value === null) this.#remove(key);
        else this.#set(key, value);
      }
    },
  };

  #set(key: string, value: Uint8Array): void {
    const isNew = !this.#data.has(key);
    this.#data.set(key, value);
    if (isNew) this.#addToFolders(key);
  }

  #remove(key: string): void {
    if (this.#data.delete(key)) this.#removeFromFolders(key);
  }

  /**
   * Enters `name` (a key, or a folder with its trailing `/`) in its parent folder, and the
   * parent in its own parent only if the parent was empty: a key added next to others costs
   * one folder update, however deep it sits.
   */
  #addToFolders(name: string): void {
    for (;;) {
      const slash = name.lastIndexOf('/', name.length - 2);
      const parent = slash === -1 ? '' : name.slice(0, slash + 1);
      const children = this.#folders.get(parent);
      if (children !== undefined) {
        children.add(name.slice(parent.length));
        return;
      }
      this.#folders.set(parent, new Set([name.slice(parent.length)]));
      if (parent === '') return;
      name = parent;
    }
  }

  /** Takes `name` out of its parent folder, and an emptied parent out of its own parent. */
  #removeFromFolders(name: string): void {
    for (;;) {
      const slash = name.lastIndexOf('/', name.length - 2);
      const parent = slash === -1 ? '' : name.slice(0, slash + 1);
      const children = this.#folders.get(parent);
      if (children === undefined) return;
      children.delete(name.slice(parent.length));
      if (children.size > 0 || parent === '') {
        if (children.size === 0) this.#folders.delete(parent);
        return;
      }
      this.#folders.delete(parent);
      name = parent;
    }
  }
}

/** The committed store as a transaction reads it. */
interface CommittedState {
  readonly data: ReadonlyMap<string, Uint8Array>;
  /** folder prefix -> its direct children */
  readonly folders: ReadonlyMap<string, ReadonlySet<string>>;
  apply(writes: ReadonlyMap<string, Uint8Array | null>): void;
}

/**
 * The `Storage` handed to a transaction's `fn`: writes are buffered, reads see them over the
 * committed store. A class, not closures: one is made per transaction, on every KV write.
 */
class MemoryTransaction implements Storage {
  /** key -> buffered value, or `null` for a buffered delete */
  readonly #writes = new Map<string, Uint8Array | null>();
  readonly #committed: CommittedState;
  /** Set when the transaction ended: a write after that would be silently lost, so it fails loudly. */
  done = false;

  constructor(committed: CommittedState) {
    this.#committed = committed;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.#assertOpen();
    validateKey(key);
    const buffered = this.#writes.get(key);
    const value = buffered === undefined ? this.#committed.data.get(key) : buffered;
    return value === null || value === undefined ? undefined : pooledCopy(value);
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    this.#assertOpen();
    validateKey(key);
    this.#writes.set(key, new Uint8Array(value));
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen();
    validateKey(key);
    this.#writes.set(key, null);
  }

  async list(prefix: string): Promise<string[]> {
    this.#assertOpen();
    validateListPrefix(prefix);
    // Committed children from the folder index, then this transaction's own writes under the
    // prefix: work proportional to the folder and the transaction, never to the store.
    const children = new Set(this.#committed.folders.get(prefix)?.keys());
    for (const [key, value] of this.#writes) {
      if (!key.startsWith(prefix)) continue;
      const slash = key.indexOf('/', prefix.length);
      const child = slash === -1 ? key.slice(prefix.length) : key.slice(prefix.length, slash + 1);
      if (value !== null) children.add(child);
      else if (!this.#hasLiveKeyUnder(prefix + child)) children.delete(child);
    }
    return [...children].sort();
  }

  commit(): void {
    this.#assertOpen();
    this.#committed.apply(this.#writes);
  }

  #assertOpen(): void {
    if (this.done) throw new Error('transaction already finished');
  }

  /**
   * Whether `name` (a key, or a folder ending in `/`) still holds a key once the writes apply.
   * Only a list after deleting inside a folder asks, so walking that folder is fine.
   */
  #hasLiveKeyUnder(name: string): boolean {
    const writes = this.#writes;
    if (!name.endsWith('/')) return writes.has(name) ? writes.get(name) !== null : this.#committed.data.has(name);
    for (const [key, value] of writes) if (value !== null && key.startsWith(name)) return true;
    const stack = [name];
    for (let folder = stack.pop(); folder !== undefined; folder = stack.pop()) {
      for (const child of this.#committed.folders.get(folder)?.keys() ?? []) {
        const path = folder + child;
        if (child.endsWith('/')) stack.push(path);
        else if (writes.get(path) !== null) return true;
      }
    }
    return false;
  }
}
