// One-at-a-time work per lease id (Vault's lockPerLease): renew, revoke and expiry of one lease never interleave.

export interface KeyedLock {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Keys with work queued or running (empty when idle: nothing is kept per lease). */
  readonly size: number;
  /** Resolves when no key has work queued or running. */
  idle(): Promise<void>;
}

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, fn) {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(fn, fn);
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    get size() {
      return tails.size;
    },
    async idle() {
      while (tails.size > 0) await Promise.all(tails.values());
    },
  };
}
