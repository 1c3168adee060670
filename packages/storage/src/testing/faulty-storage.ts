// Fault injection around any Storage (Vault's inmem Fail* flags, ErrorInjector, LatencyInjector).
// Also records every operation, for the reliability tests of reliability.md §5.
import type { Storage } from '../storage.js';

export const STORAGE_OPERATIONS = ['get', 'put', 'delete', 'list', 'transaction'] as const;
export type StorageOperation = (typeof STORAGE_OPERATIONS)[number];

/** One call that reached the FaultyStorage, in call order. */
export interface RecordedOperation {
  op: StorageOperation;
  /** The key, or the prefix for `list`; `""` for `transaction`. */
  key: string;
  /** A copy of the value written by `put`. */
  value?: Uint8Array;
  /** True when the call was made on the `tx` of a transaction. */
  inTransaction: boolean;
  /** Filled in when the call settles: `injected` means a fault of this harness failed it. */
  outcome?: 'ok' | 'injected' | 'error';
}

/** What an `onOp` hook sees, before the operation runs. */
export interface OperationEvent {
  op: StorageOperation;
  key: string;
  value?: Uint8Array;
  inTransaction: boolean;
  /** 1-based count of calls of this `op` so far, this one included. */
  count: number;
}

/** Awaited before the operation runs; throwing fails the operation with that error. */
export type OperationHook = (event: OperationEvent) => void | Promise<void>;

/** The failure every injected fault raises, so tests can tell it from a real adapter error. */
export class InjectedStorageError extends Error {
  override readonly name = 'InjectedStorageError';
  constructor(
    readonly op: StorageOperation,
    readonly key: string,
    reason: string,
  ) {
    super(`injected ${op} failure on ${JSON.stringify(key)} (${reason})`);
  }
}

/**
 * Wraps a `Storage` and fails, delays or observes its operations on demand. With nothing
 * switched on it is transparent (it passes the conformance suite). Transactions of the inner
 * storage are wrapped too: the same flags and hooks apply to the `tx` handed to `fn`.
 */
export class FaultyStorage implements Storage {
  /** While true, every `get` fails (like inmem `FailGet(true)`). */
  failGet = false;
  /** While true, every `put` fails. */
  failPut = false;
  /** While true, every `delete` fails. */
  failDelete = false;
  /** While true, every `list` fails. */
  failList = false;
  /** While true, every `transaction` fails before `fn` runs. */
  failTransaction = false;

  /** Every operation, in call order. */
  readonly operations: RecordedOperation[] = [];

  transaction?: <T>(fn: (tx: Storage) => Promise<T>) => Promise<T>;

  readonly #inner: Storage;
  readonly #counts = new Map<StorageOperation, number>();
  /** op -> the call counts (1-based, absolute) that must fail */
  readonly #nth = new Map<StorageOperation, Set<number>>();
  readonly #hooks = new Set<OperationHook>();
  #errorPercent = 0;
  #errorRandom: () => number = () => 1;
  #latencyMs = 0;
  #jitterPercent = 0;
  #latencyRandom: () => number = () => 0.5;

  constructor(inner: Storage) {
    this.#inner = inner;
    const innerTransaction = inner.transaction?.bind(inner);
    if (innerTransaction) {
      this.transaction = <T>(fn: (tx: Storage) => Promise<T>) =>
        this.#run('transaction', '', undefined, false, () => innerTransaction((tx) => fn(this.#wrapTransaction(tx))));
    }
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#run('get', key, undefined, false, () => this.#inner.get(key));
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.#run('put', key, value, false, () => this.#inner.put(key, value));
  }

  delete(key: string): Promise<void> {
    return this.#run('delete', key, undefined, false, () => this.#inner.delete(key));
  }

  list(prefix: string): Promise<string[]> {
    return this.#run('list', prefix, undefined, false, () => this.#inner.list(prefix));
  }

  async close(): Promise<void> {
    await this.#inner.close?.();
  }

  /**
   * Fails the `n`th call of `op` counted from now (1 = the next one), once. Several may be
   * pending at the same time.
   */
  failOnNth(op: StorageOperation, n: number): this {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`failOnNth: n must be a positive integer, got ${n}`);
    let pending = this.#nth.get(op);
    if (pending === undefined) this.#nth.set(op, (pending = new Set()));
    pending.add((this.#counts.get(op) ?? 0) + n);
    return this;
  }

  /**
   * Fails about `percent`% of all operations, chosen by a PRNG seeded with `seed` so a failing
   * run can be replayed (Vault's ErrorInjector, which defaults to 20%). 0 switches it off.
   */
  errorPercent(percent: number, seed = 1): this {
    if (!(percent >= 0 && percent <= 100)) throw new RangeError(`errorPercent: percent must be in 0..100, got ${percent}`);
    this.#errorPercent = percent;
    this.#errorRandom = mulberry32(seed);
    return this;
  }

  /**
   * Delays every operation by `ms` plus or minus `jitterPercent`% (seeded), in real time (Vault's
   * LatencyInjector). Used by timing tests that must see storage cost on every path.
   */
  latency(ms: number, jitterPercent = 0, seed = 1): this {
    if (!(ms >= 0)) throw new RangeError(`latency: ms must be >= 0, got ${ms}`);
    this.#latencyMs = ms;
    this.#jitterPercent = jitterPercent;
    this.#latencyRandom = mulberry32(seed);
    return this;
  }

  /** Calls `hook` before every operation (for example to SIGKILL a crash-test child). Returns an unsubscribe function. */
  onOp(hook: OperationHook): () => void {
    this.#hooks.add(hook);
    return () => this.#hooks.delete(hook);
  }

  /** The recorded operations of one kind. */
  recorded(op: StorageOperation): RecordedOperation[] {
    return this.operations.filter((entry) => entry.op === op);
  }

  /** Forgets the recorded operations (call counts for `failOnNth` are kept). */
  clearRecord(): void {
    this.operations.length = 0;
  }

  /** Clears every flag, pending `failOnNth`, error percentage, latency and hook. */
  reset(): void {
    this.failGet = this.failPut = this.failDelete = this.failList = this.failTransaction = false;
    this.#nth.clear();
    this.#errorPercent = 0;
    this.#latencyMs = 0;
    this.#hooks.clear();
  }

  #wrapTransaction(tx: Storage): Storage {
    return {
      get: (key) => this.#run('get', key, undefined, true, () => tx.get(key)),
      put: (key, value) => this.#run('put', key, value, true, () => tx.put(key, value)),
      delete: (key) => this.#run('delete', key, undefined, true, () => tx.delete(key)),
      list: (prefix) => this.#run('list', prefix, undefined, true, () => tx.list(prefix)),
    };
  }

  async #run<T>(op: StorageOperation, key: string, value: Uint8Array | undefined, inTransaction: boolean, call: () => Promise<T>): Promise<T> {
    const count = (this.#counts.get(op) ?? 0) + 1;
    this.#counts.set(op, count);
    const record: RecordedOperation = { op, key, inTransaction };
    if (value !== undefined) record.value = new Uint8Array(value);
    this.operations.push(record);
    try {
      const reason = this.#injectedFailure(op, count);
      if (reason !== undefined) {
        record.outcome = 'injected';
        throw new InjectedStorageError(op, key, reason);
      }
      if (this.#latencyMs > 0) await this.#delay();
      for (const hook of [...this.#hooks]) await hook({ op, key, value: record.value, inTransaction, count });
      const result = await call();
      record.outcome = 'ok';
      return result;
    } catch (error) {
      record.outcome ??= 'error';
      throw error;
    }
  }

  #injectedFailure(op: StorageOperation, count: number): string | undefined {
    const flag = { get: this.failGet, put: this.failPut, delete: this.failDelete, list: this.failList, transaction: this.failTransaction }[op];
    if (flag) return `fail${op[0]!.toUpperCase()}${op.slice(1)} is set`;
    const pending = this.#nth.get(op);
    if (pending?.delete(count)) return `failOnNth(${op}) at call ${count}`;
    if (this.#errorPercent > 0 && this.#errorRandom() * 100 < this.#errorPercent) return `errorPercent ${this.#errorPercent}`;
    return undefined;
  }

  #delay(): Promise<void> {
    const jitter = this.#latencyMs * (this.#jitterPercent / 100) * (this.#latencyRandom() * 2 - 1);
    const ms = Math.max(0, this.#latencyMs + jitter);
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** A small seeded PRNG (mulberry32): reproducible fault patterns without Math.random. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
