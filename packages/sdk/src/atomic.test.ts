// The atomic unit: a storage transaction when the adapter has one, per-key serialisation otherwise.
import { MemoryStorage, type Storage } from '@coffer/storage';
import { describe, expect, it } from 'vitest';
import { createAtomically } from './atomic.js';
import { createKeyedMutex } from './keyed-mutex.js';

/** The same store with its transactions hidden: an adapter that offers none. */
function withoutTransactions(inner: Storage): Storage {
  return {
    get: (key) => inner.get(key),
    put: (key, value) => inner.put(key, value),
    delete: (key) => inner.delete(key),
    list: (prefix) => inner.list(prefix),
  };
}

describe('createAtomically', () => {
  it('runs the unit inside the storage transaction when there is one', async () => {
    const memory = new MemoryStorage();
    let transactions = 0;
    const storage: Storage = {
      ...withoutTransactions(memory),
      transaction: (fn) => {
        transactions++;
        return memory.transaction(fn);
      },
    };
    const atomically = createAtomically();
    await atomically(storage, 'k', async (tx) => {
      expect(tx).not.toBe(storage);
      await tx.put('k', new Uint8Array([1]));
    });
    expect(transactions).toBe(1);
    expect(await memory.get('k')).toEqual(new Uint8Array([1]));
  });

  it('hands the storage itself to the unit when there are no transactions', async () => {
    const storage = withoutTransactions(new MemoryStorage());
    const atomically = createAtomically();
    expect(await atomically(storage, 'k', async (s) => s === storage)).toBe(true);
  });
});

describe('createKeyedMutex', () => {
  it('serialises one key in call order, lets other keys run, and survives a throwing holder', async () => {
    const mutex = createKeyedMutex();
    const events: string[] = [];
    let releaseFirst!: () => void;
    const gate = new Promise<void>((resolve) => (releaseFirst = resolve));
    const first = mutex.run('a', async () => {
      events.push('a1 start');
      await gate;
      events.push('a1 end');
      throw new Error('boom');
    });
    const second = mutex.run('a', async () => {
      events.push('a2');
      return 2;
    });
    const other = mutex.run('b', async () => {
      events.push('b');
      return 'b';
    });
    expect(await other).toBe('b');
    expect(events).toEqual(['a1 start', 'b']);
    releaseFirst();
    await expect(first).rejects.toThrow('boom');
    expect(await second).toBe(2);
    expect(events).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
    expect(mutex.size).toBe(0);
  });
});
