// One storage transaction seen through the barrier: values sealed on the way down, opened on the way up.
import { pooledCopy, type Storage } from '@coffer/storage';
import type { PlaintextCache } from './plaintext-cache.js';

/** What a transaction needs of the barrier. */
export interface EntrySealer {
  /** Throws Vault's sealed error once the barrier is sealed. */
  assertUnsealed(): void;
  seal(key: string, plaintext: Uint8Array): Uint8Array;
  open(key: string, stored: Uint8Array | undefined): Uint8Array | undefined;
}

/**
 * The `Storage` a barrier transaction's `fn` gets. A class, not closures: one is made per
 * transaction, on every KV write.
 *
 * With a plaintext cache, reads see this transaction's own writes first, then the cache; the
 * cache hears of the writes before they can reach storage and learns their values only once
 * the commit succeeded (`finish`).
 */
export class BarrierTransaction implements Storage {
  readonly #tx: Storage;
  readonly #sealer: EntrySealer;
  readonly #cache: PlaintextCache | undefined;
  /** key -> plaintext written here, `null` for a delete, `undefined` once a write of it was refused */
  readonly #written = new Map<string, Uint8Array | null | undefined>();
  /** Keys with a write the adapter has not answered yet: storage may or may not get it. */
  readonly #pending = new Map<string, number>();
  /** Set once fn settled: a write after that could land in storage after the cache was told the outcome. */
  #closed = false;
  #finished = false;

  constructor(tx: Storage, sealer: EntrySealer, cache: PlaintextCache | undefined) {
    this.#tx = tx;
    this.#sealer = sealer;
    this.#cache = cache;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const cache = this.#cache;
    if (cache === undefined) return this.#sealer.open(key, await this.#tx.get(key));
    // The values written here now belong to the cache.
    if (this.#finished) throw new Error('transaction already finished');
    if (this.#written.has(key)) {
      const own = this.#written.get(key);
      if (own === undefined) return this.#sealer.open(key, await this.#tx.get(key));
      this.#sealer.assertUnsealed();
      return own === null ? undefined : pooledCopy(own);
    }
    const hit = cache.lookup(key);
    if (hit !== undefined) {
      this.#sealer.assertUnsealed();
      return hit;
    }
    const ticket = cache.readTicket();
    const plain = this.#sealer.open(key, await this.#tx.get(key));
    if (plain !== undefined) cache.remember(key, plain, ticket);
    return plain;
  }

  put(key: string, value: Uint8Array): Promise<void> {
    const sealed = this.#sealer.seal(key, value);
    return this.#write(key, this.#cache?.copyForWrite(value), () => this.#tx.put(key, sealed));
  }

  delete(key: string): Promise<void> {
    this.#sealer.assertUnsealed();
    return this.#write(key, null, () => this.#tx.delete(key));
  }

  list(prefix: string): Promise<string[]> {
    this.#sealer.assertUnsealed();
    return this.#tx.list(prefix);
  }

  /** Refuses further writes: fn has settled, and what it wrote is what the adapter commits or drops. */
  refuseWrites(): void {
    this.#closed = true;
  }

  /**
   * Tells the cache how the transaction ended: on commit its writes are what storage holds,
   * except those the adapter had not answered yet, which the cache forgets.
   */
  finish(committed: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#closed = true;
    const cache = this.#cache;
    if (cache === undefined) return;
    for (const [key, value] of this.#written) {
      const known = committed && !this.#pending.has(key);
      if (!known) value?.fill(0);
      cache.endWrite(key, known ? value : undefined);
    }
  }

  /** `value`: the cache's copy of what is written, null for a delete, undefined when not kept (read back through the transaction). */
  async #write(key: string, value: Uint8Array | null | undefined, apply: () => Promise<void>): Promise<void> {
    const cache = this.#cache;
    if (cache === undefined) return apply();
    // A write after fn settled would reach the cache's bookkeeping after the commit; the adapter refuses it too.
    if (this.#closed) throw new Error('transaction already finished');
    if (this.#written.has(key)) this.#written.get(key)?.fill(0);
    else cache.beginWrite(key);
    this.#written.set(key, value);
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
    try {
      await apply();
    } catch (error) {
      this.#written.get(key)?.fill(0);
      this.#written.set(key, undefined);
      throw error;
    } finally {
      const left = this.#pending.get(key)! - 1;
      if (left === 0) this.#pending.delete(key);
      else this.#pending.set(key, left);
    }
  }
}
