// The barrier's plaintext cache: used only over exclusive storage, never stale under racing I/O, wiped at seal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStorage, type Storage } from '@coffer/storage';
import { fromUtf8, nodeCrypto, utf8 } from '@coffer/sdk';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { PlaintextCache } from './plaintext-cache.js';
import { createSecurityBarrier, type SecurityBarrier } from './security-barrier.js';

const KEYRING = 'core/keyring/1';
const ROOT_KEY = seededRandom(99).bytes(32);

/** Counts the reads that reach storage; `exclusive` as asked. */
class CountingStorage implements Storage {
  reads = 0;
  readonly inner = new MemoryStorage();
  constructor(readonly exclusive: boolean) {}
  get(key: string) {
    this.reads++;
    return this.inner.get(key);
  }
  put(key: string, value: Uint8Array) {
    return this.inner.put(key, value);
  }
  delete(key: string) {
    return this.inner.delete(key);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
}

async function barrierOver(storage: Storage, cache?: false): Promise<SecurityBarrier> {
  const barrier = createSecurityBarrier({ storage, crypto: nodeCrypto, random: seededRandom(5), clock: new TestClock(), ...(cache === false ? { cache } : {}) });
  if ((await storage.get(KEYRING)) === undefined) await barrier.initialize(ROOT_KEY, KEYRING);
  else await barrier.unseal(ROOT_KEY, KEYRING);
  return barrier;
}

describe('PlaintextCache', () => {
  it('hands out copies: a caller zeroing its buffer cannot change the cache', () => {
    const cache = new PlaintextCache();
    cache.remember('k', utf8('secret'), cache.readTicket());
    cache.lookup('k')!.fill(0);
    expect(fromUtf8(cache.lookup('k')!)).toBe('secret');
  });

  it('keeps nothing a read took while a write started or ended', () => {
    const cache = new PlaintextCache();
    const before = cache.readTicket();
    cache.beginWrite('other');
    cache.remember('k', utf8('old'), before);
    expect(cache.lookup('k')).toBeUndefined();
    const during = cache.readTicket();
    cache.endWrite('other', utf8('x'));
    cache.remember('k', utf8('old'), during);
    expect(cache.lookup('k')).toBeUndefined();
  });

  it('keeps a write only when it was the only one of its key in flight and it succeeded', () => {
    const cache = new PlaintextCache();
    cache.beginWrite('k');
    cache.endWrite('k', utf8('mine'));
    expect(fromUtf8(cache.lookup('k')!)).toBe('mine');

    cache.beginWrite('k');
    cache.beginWrite('k');
    cache.endWrite('k', utf8('first'));
    cache.endWrite('k', utf8('second'));
    expect(cache.lookup('k')).toBeUndefined();

    cache.beginWrite('k');
    cache.endWrite('k', undefined);
    expect(cache.lookup('k')).toBeUndefined();
    cache.beginWrite('k');
    cache.endWrite('k', null);
    expect(cache.lookup('k')).toBeUndefined();
  });

  it('keeps what is read and drops what is not, within its entry limit', () => {
    const cache = new PlaintextCache({ maxEntries: 4, maxBytes: 1000 });
    for (const key of ['a', 'b']) cache.remember(key, utf8('1234'), cache.readTicket());
    for (let i = 0; i < 10; i++) {
      cache.remember(`new${i}`, utf8('1234'), cache.readTicket());
      expect(cache.lookup('a')).toBeDefined();
    }
    expect(cache.lookup('b')).toBeUndefined();
    for (let i = 0; i < 100; i++) {
      cache.remember(`k${i}`, utf8('1234'), cache.readTicket());
      expect(cache.size).toBeLessThanOrEqual(4);
    }
  });

  it('holds no more plaintext bytes than its limit, and no entry over half of it', () => {
    const cache = new PlaintextCache({ maxEntries: 1000, maxBytes: 64 });
    for (let i = 0; i < 50; i++) {
      cache.remember(`k${i}`, new Uint8Array(1 + (i % 20)), cache.readTicket());
      expect(cache.bytes).toBeLessThanOrEqual(64);
    }
    const big = new Uint8Array(33).fill(1);
    cache.beginWrite('big');
    cache.endWrite('big', big);
    expect(cache.lookup('big')).toBeUndefined();
    expect(big.every((byte) => byte === 0)).toBe(true);
  });

  it('zeroes the copies of writes it does not keep', () => {
    const cache = new PlaintextCache();
    const first = utf8('one');
    const second = utf8('two');
    cache.beginWrite('k');
    cache.beginWrite('k');
    cache.endWrite('k', first);
    cache.endWrite('k', second);
    expect([...first, ...second].every((byte) => byte === 0)).toBe(true);
    const huge = new Uint8Array(32).fill(1);
    const small = new PlaintextCache({ maxEntries: 10, maxBytes: 32 });
    small.beginWrite('k');
    small.endWrite('k', huge);
    expect(huge.every((byte) => byte === 0)).toBe(true);
  });

  it('zeroes what it held when cleared', () => {
    const cache = new PlaintextCache();
    const held = utf8('secret');
    cache.beginWrite('k');
    cache.endWrite('k', held);
    cache.clear();
    expect([...held].every((byte) => byte === 0)).toBe(true);
    expect(cache.lookup('k')).toBeUndefined();
  });
});

describe('the barrier with its plaintext cache', () => {
  it('answers repeated reads of exclusive storage from memory', async () => {
    const storage = new CountingStorage(true);
    const barrier = await barrierOver(storage);
    await barrier.put('kv/a', utf8('one'));
    const before = storage.reads;
    for (let i = 0; i < 3; i++) expect(fromUtf8((await barrier.get('kv/a'))!)).toBe('one');
    expect(storage.reads).toBe(before);
  });

  it('keeps a large value from its first read rather than from its write', async () => {
    const storage = new CountingStorage(true);
    const barrier = await barrierOver(storage);
    const large = new Uint8Array(4096).fill(7);
    await barrier.put('kv/large', large);
    const before = storage.reads;
    expect(await barrier.get('kv/large')).toEqual(large);
    expect(await barrier.get('kv/large')).toEqual(large);
    expect(storage.reads).toBe(before + 1);
  });

  it('reads shared storage every time, and exclusive storage too when the cache is off', async () => {
    for (const [exclusive, cache] of [
      [false, undefined],
      [true, false],
    ] as const) {
      const storage = new CountingStorage(exclusive);
      const barrier = await barrierOver(storage, cache);
      await barrier.put('kv/a', utf8('one'));
      const before = storage.reads;
      await barrier.get('kv/a');
      await barrier.get('kv/a');
      expect(storage.reads).toBe(before + 2);
    }
  });

  it('forgets everything at seal, and reads storage again after unseal', async () => {
    const storage = new CountingStorage(true);
    const barrier = await barrierOver(storage);
    await barrier.put('kv/a', utf8('one'));
    await barrier.seal();
    await expect(barrier.get('kv/a')).rejects.toThrow('Vault is sealed');
    await barrier.unseal(ROOT_KEY, KEYRING);
    const before = storage.reads;
    expect(fromUtf8((await barrier.get('kv/a'))!)).toBe('one');
    expect(storage.reads).toBe(before + 1);
  });

  it('learns a transaction’s writes only when it commits', async () => {
    const storage = new MemoryStorage();
    const barrier = await barrierOver(storage);
    await barrier.put('kv/a', utf8('before'));
    await expect(
      barrier.transaction!(async (tx) => {
        await tx.put('kv/a', utf8('aborted'));
        expect(fromUtf8((await tx.get('kv/a'))!)).toBe('aborted');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(fromUtf8((await barrier.get('kv/a'))!)).toBe('before');
    await barrier.transaction!(async (tx) => {
      await tx.delete('kv/a');
      expect(await tx.get('kv/a')).toBeUndefined();
      await tx.put('kv/b', utf8('committed'));
    });
    expect(await barrier.get('kv/a')).toBeUndefined();
    expect(fromUtf8((await barrier.get('kv/b'))!)).toBe('committed');
  });

  it('never keeps a write a transaction issued after its fn settled', async () => {
    const storage = new MemoryStorage();
    const barrier = await barrierOver(storage);
    const late: Promise<unknown>[] = [];
    await barrier.transaction!(async (tx) => {
      // Unawaited writes at several depths of the microtask queue, the last ones after fn returned.
      let tick: Promise<unknown> = Promise.resolve();
      for (let depth = 0; depth < 12; depth++) {
        const key = `kv/late${depth}`;
        tick = tick.then(() => {
          late.push(tx.put(key, utf8('never committed')).catch(() => undefined));
        });
      }
    });
    await Promise.all(late);
    const truth = await barrierOver(storage, false);
    for (let depth = 0; depth < 12; depth++) {
      const key = `kv/late${depth}`;
      expect(await barrier.get(key)).toEqual(await truth.get(key));
    }
  });

  it('keeps nothing a read or a write in flight brings back while it seals', async () => {
    const memory = new MemoryStorage();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holdPuts = false;
    const held: Storage = {
      get exclusive() {
        return true;
      },
      get: (key) => memory.get(key),
      put: async (key, value) => {
        if (holdPuts) await gate;
        await memory.put(key, value);
      },
      delete: (key) => memory.delete(key),
      list: (prefix) => memory.list(prefix),
    };
    const barrier = await barrierOver(held);
    await barrier.put('kv/a', utf8('a'));
    await barrier.seal();
    await barrier.unseal(ROOT_KEY, KEYRING);
    holdPuts = true;
    const writing = barrier.put('kv/b', utf8('b'));
    const sealing = barrier.seal(); // its keyring save waits behind the gate too
    await expect(barrier.get('kv/a')).rejects.toThrow('Vault is sealed');
    release();
    await writing;
    await sealing;
    holdPuts = false;
    await barrier.unseal(ROOT_KEY, KEYRING);
    const reads = { count: 0 };
    const get = memory.get.bind(memory);
    memory.get = (key) => {
      reads.count++;
      return get(key);
    };
    expect(fromUtf8((await barrier.get('kv/b'))!)).toBe('b');
    expect(reads.count).toBe(1);
  });

  it('keeps nothing while two barriers are open over one in-memory store', async () => {
    const storage = new MemoryStorage();
    const first = await barrierOver(storage);
    await first.put('kv/k', utf8('v1'));
    const second = await barrierOver(storage);
    expect(fromUtf8((await first.get('kv/k'))!)).toBe('v1');
    await second.put('kv/k', utf8('v2'));
    expect(fromUtf8((await first.get('kv/k'))!)).toBe('v2');
    await first.put('kv/k', utf8('v3'));
    expect(fromUtf8((await second.get('kv/k'))!)).toBe('v3');
    // Alone again, the second caches once more.
    await first.seal();
    let reads = 0;
    const getNow = storage.getNow.bind(storage);
    storage.getNow = (key) => {
      if (key === 'kv/k') reads++;
      return getNow(key);
    };
    expect(fromUtf8((await second.get('kv/k'))!)).toBe('v3');
    expect(fromUtf8((await second.get('kv/k'))!)).toBe('v3');
    expect(reads).toBe(1);
  });

  it('does not lend its claim to a wrapper spread from the store', () => {
    const storage = new MemoryStorage();
    expect(storage.exclusive).toBe(true);
    expect(({ ...storage } as Partial<Storage>).exclusive).toBeUndefined();
  });

  it('never answers with a value storage no longer holds, however reads and writes interleave (property)', async () => {
    const keys = ['a', 'b'];
    const step = fc.oneof(
      fc.record({ op: fc.constant('get' as const), key: fc.constantFrom(...keys) }),
      fc.record({ op: fc.constant('put' as const), key: fc.constantFrom(...keys), value: fc.string({ maxLength: 4 }) }),
      fc.record({ op: fc.constant('delete' as const), key: fc.constantFrom(...keys) }),
      fc.record({ op: fc.constant('tx' as const), key: fc.constantFrom(...keys), value: fc.string({ maxLength: 4 }), abort: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(step, { minLength: 1, maxLength: 12 }), async (s, steps) => {
        const memory = new MemoryStorage();
        // Exclusive storage whose every operation takes effect, and answers, at a moment the scheduler picks.
        const slow: Storage = {
          exclusive: true,
          get: async (key) => {
            await s.schedule(Promise.resolve());
            const value = await memory.get(key);
            await s.schedule(Promise.resolve());
            return value;
          },
          put: async (key, value) => {
            await s.schedule(Promise.resolve());
            await memory.put(key, value);
            await s.schedule(Promise.resolve());
          },
          delete: async (key) => {
            await s.schedule(Promise.resolve());
            await memory.delete(key);
            await s.schedule(Promise.resolve());
          },
          list: (prefix) => memory.list(prefix),
          transaction: (fn) => memory.transaction(fn),
        };
        await barrierOver(memory, false); // writes the keyring
        const barrier = createSecurityBarrier({ storage: slow, crypto: nodeCrypto, random: seededRandom(5), clock: new TestClock() });
        await s.waitFor(barrier.unseal(ROOT_KEY, KEYRING));
        const running = steps.map((st) => {
          const key = `kv/${st.key}`;
          switch (st.op) {
            case 'get':
              return barrier.get(key);
            case 'put':
              return barrier.put(key, utf8(st.value));
            case 'delete':
              return barrier.delete(key);
            case 'tx':
              return barrier
                .transaction!(async (tx) => {
                  await s.schedule(Promise.resolve());
                  await tx.put(key, utf8(st.value));
                  if (st.abort) throw new Error('abort');
                })
                .catch(() => undefined);
          }
        });
        await s.waitFor(Promise.all(running));
        const truth = await barrierOver(memory, false);
        for (const key of keys) {
          const fromCache = await s.waitFor(barrier.get(`kv/${key}`));
          const fromStorage = await truth.get(`kv/${key}`);
          expect(fromCache === undefined ? undefined : fromUtf8(fromCache)).toBe(fromStorage === undefined ? undefined : fromUtf8(fromStorage));
        }
      }),
      { numRuns: 300 },
    );
  });
});
