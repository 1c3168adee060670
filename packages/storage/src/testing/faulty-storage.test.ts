// FaultyStorage: fault flags, nth-call failures, hooks and the recorder behave as documented.
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../memory-storage.js';
import { FaultyStorage, InjectedStorageError } from './faulty-storage.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('FaultyStorage', () => {
  it('fails operations while a flag is set, without touching the inner storage', async () => {
    const inner = new MemoryStorage();
    const storage = new FaultyStorage(inner);
    storage.failPut = true;
    await expect(storage.put('k', bytes('v'))).rejects.toBeInstanceOf(InjectedStorageError);
    expect(inner.size).toBe(0);
    storage.failPut = false;
    await storage.put('k', bytes('v'));
    storage.failGet = storage.failList = storage.failDelete = true;
    await expect(storage.get('k')).rejects.toThrow(/injected get failure/);
    await expect(storage.list('')).rejects.toThrow(/injected list failure/);
    await expect(storage.delete('k')).rejects.toThrow(/injected delete failure/);
    expect(inner.size).toBe(1);
  });

  it('failOnNth fails exactly the nth call of that operation, once', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    await storage.put('before', bytes('x'));
    storage.failOnNth('put', 2);
    await storage.put('a', bytes('1'));
    await expect(storage.put('b', bytes('2'))).rejects.toThrow(/failOnNth\(put\)/);
    await storage.put('c', bytes('3'));
    await storage.get('a');
    expect(await storage.list('')).toEqual(['a', 'before', 'c']);
    expect(() => storage.failOnNth('get', 0)).toThrow(RangeError);
  });

  it('records every operation with its outcome', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    await storage.put('k', bytes('v'));
    await storage.get('k');
    storage.failDelete = true;
    await storage.delete('k').catch(() => {});
    await storage.list('').catch(() => {});
    await storage.get('../bad').catch(() => {});
    expect(storage.operations.map(({ op, key, outcome }) => [op, key, outcome])).toEqual([
      ['put', 'k', 'ok'],
      ['get', 'k', 'ok'],
      ['delete', 'k', 'injected'],
      ['list', '', 'ok'],
      ['get', '../bad', 'error'],
    ]);
    expect(new TextDecoder().decode(storage.recorded('put')[0]!.value)).toBe('v');
    storage.clearRecord();
    expect(storage.operations).toEqual([]);
  });

  it('calls onOp hooks before the operation; a throwing hook fails it', async () => {
    const inner = new MemoryStorage();
    const storage = new FaultyStorage(inner);
    const seen: string[] = [];
    const stop = storage.onOp(async ({ op, key, count }) => {
      seen.push(`${op}:${key}:${count}:${inner.size}`);
      if (key === 'crash') throw new Error('killed here');
    });
    await storage.put('a', bytes('1'));
    await expect(storage.put('crash', bytes('2'))).rejects.toThrow('killed here');
    expect(await inner.get('crash')).toBeUndefined();
    stop();
    await storage.put('b', bytes('3'));
    expect(seen).toEqual(['put:a:1:0', 'put:crash:2:1']);
  });

  it('errorPercent is reproducible for a seed', async () => {
    const pattern = async (seed: number) => {
      const storage = new FaultyStorage(new MemoryStorage()).errorPercent(30, seed);
      const results: boolean[] = [];
      for (let i = 0; i < 50; i++) results.push(await storage.get('k').then(() => true, () => false));
      return results;
    };
    const first = await pattern(9);
    expect(await pattern(9)).toEqual(first);
    const failures = first.filter((ok) => !ok).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(30);
  });

  it('applies faults inside transactions and keeps them all-or-nothing', async () => {
    const inner = new MemoryStorage();
    const storage = new FaultyStorage(inner);
    storage.failOnNth('put', 2);
    await expect(
      storage.transaction!(async (tx) => {
        await tx.put('one', bytes('1'));
        await tx.put('two', bytes('2'));
      }),
    ).rejects.toBeInstanceOf(InjectedStorageError);
    expect(inner.size).toBe(0);
    expect(storage.operations.map(({ op, inTransaction }) => [op, inTransaction])).toEqual([
      ['transaction', false],
      ['put', true],
      ['put', true],
    ]);
    storage.failTransaction = true;
    await expect(storage.transaction!(async () => 1)).rejects.toThrow(/injected transaction failure/);
  });

  it('has no transaction when the inner storage has none', () => {
    const storage = new FaultyStorage({ get: async () => undefined, put: async () => {}, delete: async () => {}, list: async () => [] });
    expect(storage.transaction).toBeUndefined();
  });

  it('reset clears every fault', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    storage.failGet = true;
    storage.failOnNth('put', 1);
    storage.errorPercent(100);
    storage.onOp(() => {
      throw new Error('hook');
    });
    storage.reset();
    await storage.put('k', bytes('v'));
    expect(await storage.get('k')).toBeDefined();
  });

  it('latency delays operations', async () => {
    const storage = new FaultyStorage(new MemoryStorage()).latency(5);
    let settled = false;
    const pending = storage.get('k').then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await pending;
    expect(settled).toBe(true);
  });
});
