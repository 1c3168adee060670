// Per-key serialisation inside one backend instance, for storage adapters without transactions.

/** Runs callbacks for the same key one after another, in call order; different keys run freely. */
export interface KeyedMutex {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Keys with a holder or waiters, for tests that check nothing leaks. */
  readonly size: number;
}

export function createKeyedMutex(): KeyedMutex {
  const tails = new Map<string, Promise<void>>();
  return {
    async run(key, fn) {
      const previous = tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const tail = previous.then(() => held);
      tails.set(key, tail);
      await previous;
      try {
        return await fn();
      } finally {
        release();
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
    get size() {
      return tails.size;
    },
  };
}
