// MemoryStorage: the shared conformance suite plus the in-memory specifics (raw entries, transactions).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from './memory-storage.js';
import { FaultyStorage, runStorageConformance } from './testing/index.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : new TextDecoder().decode(value));

runStorageConformance('MemoryStorage', async () => ({ storage: new MemoryStorage() }));
runStorageConformance('FaultyStorage(MemoryStorage) with no faults', async () => ({ storage: new FaultyStorage(new MemoryStorage()) }));

describe('MemoryStorage', () => {
  it('exposes copies of the raw entries for storage scans', async () => {
    const storage = new MemoryStorage();
    await storage.put('a/b', bytes('canary'));
    await storage.put('c', bytes('other'));
    const entries = [...storage.entries()];
    expect(entries.map(([key, value]) => [key, text(value)]).sort()).toEqual([
      ['a/b', 'canary'],
      ['c', 'other'],
    ]);
    entries[0]![1].fill(0);
    expect(text(await storage.get(entries[0]![0]))).not.toContain('\0');
    expect(storage.size).toBe(2);
  });

  it('keeps its data across close(), so a vault can be reopened over it', async () => {
    const storage = new MemoryStorage();
    await storage.put('k', bytes('v'));
    await storage.close();
    expect(text(await storage.get('k'))).toBe('v');
  });

  it('rejects writes through a tx that outlived its transaction', async () => {
    const storage = new MemoryStorage();
    let leaked: Parameters<Parameters<MemoryStorage['transaction']>[0]>[0] | undefined;
    await storage.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.put('late', bytes('x'))).rejects.toThrow('transaction already finished');
    expect(await storage.get('late')).toBeUndefined();
  });

  it('refuses a nested transaction on the same storage instead of deadlocking', async () => {
    const storage = new MemoryStorage();
    await expect(storage.transaction(() => storage.transaction(async () => 1))).rejects.toThrow(/inside a transaction/);
    // The queue is not left blocked.
    expect(await storage.transaction(async () => 'after')).toBe('after');
  });

  it('runs transactions one at a time, so check-and-set has exactly one winner', async () => {
    const storage = new MemoryStorage();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        storage.transaction(async (tx) => {
          if ((await tx.get('cas')) !== undefined) throw new Error('check-and-set mismatch');
          await Promise.resolve();
          await tx.put('cas', bytes(`writer ${i}`));
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(text(await storage.get('cas'))).toBe('writer 0');
  });

  it('lets plain operations proceed while a transaction is open', async () => {
    const storage = new MemoryStorage();
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    const running = storage.transaction(async (tx) => {
      await tx.put('tx', bytes('1'));
      await paused;
    });
    await storage.put('plain', bytes('2'));
    expect(text(await storage.get('plain'))).toBe('2');
    resume();
    await running;
    expect(await storage.list('')).toEqual(['plain', 'tx']);
  });

  it('a transaction lists its own buffered puts and deletes over the committed keys (property)', async () => {
    const segment = fc.constantFrom('a', 'b', 'c');
    const key = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));
    const change = fc.record({ put: fc.boolean(), key });
    await fc.assert(
      fc.asyncProperty(fc.array(key, { maxLength: 12 }), fc.array(change, { maxLength: 12 }), async (committed, changes) => {
        const storage = new MemoryStorage();
        const model = new Set<string>();
        for (const k of committed) {
          await storage.put(k, bytes(k));
          model.add(k);
        }
        await storage.transaction(async (tx) => {
          for (const { put, key: k } of changes) {
            if (put) {
              await tx.put(k, bytes(k));
              model.add(k);
            } else {
              await tx.delete(k);
              model.delete(k);
            }
            for (const prefix of ['', 'a/', 'b/', 'a/a/', 'a/b/', 'c/c/']) {
              const children = new Set<string>();
              for (const m of model) {
                if (!m.startsWith(prefix)) continue;
                const slash = m.indexOf('/', prefix.length);
                children.add(slash === -1 ? m.slice(prefix.length) : m.slice(prefix.length, slash + 1));
              }
              expect(await tx.list(prefix)).toEqual([...children].sort());
            }
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('list always equals the children derived from the key set (property)', async () => {
    const segment = fc.constantFrom('a', 'b', 'a b', '%', '_', 'é', '😀', 'Z');
    const key = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), key }),
      fc.record({ kind: fc.constant('delete' as const), key }),
      fc.record({ kind: fc.constant('tx' as const), puts: fc.array(key, { maxLength: 3 }), deletes: fc.array(key, { maxLength: 3 }), fail: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const storage = new MemoryStorage();
        const model = new Set<string>();
        for (const step of ops) {
          if (step.kind === 'put') {
            await storage.put(step.key, bytes(step.key));
            model.add(step.key);
          } else if (step.kind === 'delete') {
            await storage.delete(step.key);
            model.delete(step.key);
          } else {
            const run = storage.transaction(async (tx) => {
              for (const k of step.puts) await tx.put(k, bytes(k));
              for (const k of step.deletes) await tx.delete(k);
              if (step.fail) throw new Error('abort');
            });
            if (step.fail) await expect(run).rejects.toThrow('abort');
            else {
              await run;
              for (const k of step.puts) model.add(k);
              for (const k of step.deletes) model.delete(k);
            }
          }
        }
        const prefixes = new Set(['']);
        for (const k of model) {
          const parts = k.split('/');
          for (let i = 1; i < parts.length; i++) prefixes.add(parts.slice(0, i).join('/') + '/');
        }
        prefixes.add('nowhere/');
        for (const prefix of prefixes) {
          const children = new Set<string>();
          for (const k of model) {
            if (!k.startsWith(prefix)) continue;
            const slash = k.indexOf('/', prefix.length);
            children.add(slash === -1 ? k.slice(prefix.length) : k.slice(prefix.length, slash + 1));
          }
          expect(await storage.list(prefix)).toEqual([...children].sort());
        }
        expect(storage.size).toBe(model.size);
      }),
      { numRuns: 200 },
    );
  });
});
