// The conformance suite every adapter runs (Vault's physical.ExerciseBackend and friends, ported).
// Covers ExerciseBackend, ExerciseBackend_ListPrefix and ExerciseTransactionalBackend, extended.
import { describe, expect, it } from 'vitest';
import type { Storage } from '../storage.js';
import { mulberry32 } from './faulty-storage.js';

/** Builds one fresh, empty storage per test; `cleanup` (or else `storage.close`) runs after it. */
export type StorageFactory = () => Promise<{ storage: Storage; cleanup?: () => Promise<void> }>;

const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

/** Deterministic "random" bytes, so a failure replays identically. */
function randomBytes(length: number, seed: number): Uint8Array {
  const next = mulberry32(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    const word = (next() * 4294967296) >>> 0;
    out[i] = word & 0xff;
    if (i + 1 < length) out[i + 1] = (word >>> 8) & 0xff;
    if (i + 2 < length) out[i + 2] = (word >>> 16) & 0xff;
    if (i + 3 < length) out[i + 3] = word >>> 24;
  }
  return out;
}

/** Byte equality with a readable failure (toEqual on a 1 MiB array prints the whole array). */
function expectSameBytes(actual: Uint8Array | undefined, expected: Uint8Array, what: string): void {
  expect(actual, `${what}: missing`).toBeDefined();
  expect(actual!.length, `${what}: length`).toBe(expected.length);
  const firstDifference = actual!.findIndex((byte, i) => byte !== expected[i]);
  expect(firstDifference, `${what}: first differing byte`).toBe(-1);
}

/** Every key below `prefix`, found by walking `list` (which also checks each level's shape). */
async function walk(storage: Storage, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for (const child of await storage.list(prefix)) {
    if (child.endsWith('/')) keys.push(...(await walk(storage, prefix + child)));
    else keys.push(prefix + child);
  }
  return keys;
}

/** The direct children of `prefix` that a set of keys implies: the reference `list`. */
function expectedList(keys: Iterable<string>, prefix: string): string[] {
  const children = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const slash = key.indexOf('/', prefix.length);
    children.add(slash === -1 ? key.slice(prefix.length) : key.slice(prefix.length, slash + 1));
  }
  return [...children].sort();
}

async function expectInvalidKey(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'InvalidStorageKeyError' });
}

const INVALID_KEYS = ['', '/a', 'a//b', 'a/', '/', '.', '..', 'a/..', '../a', 'a/../b', 'a/./b', './a', 'a\0b', 'a\nb', 'a\x7fb', 'a\u0085b', '\ud800', 'a\udc00b'];
const INVALID_PREFIXES = ['a', '/', '//', 'a//', '../', 'a/../', './', '\0/', 'a/b'];
/** Keys that look odd but are valid: adapters must store them faithfully (and not collide). */
const ODD_KEYS = [
  'with space',
  'trailing space ',
  'café/é',
  '日本/語',
  'emoji/😀🔐',
  'percent%',
  'percent%2F',
  '%2e%2e',
  'under_score',
  '_leading',
  '__double',
  'back\\slash',
  '..\\escape',
  '...',
  'a/.../b',
  '.hidden',
  '.hidden/inner',
  'dot.in.middle',
  'tilde~',
  'colon:name',
  'star*?',
  'quote"\'<>|',
  'Upper',
  'upper',
  'UPPER/Case',
  'upper/case',
  'tab\u00a0nbsp',
  '\uff21fullwidth',
];

/**
 * Registers the shared conformance suite for one adapter. `factory` must return an empty
 * storage; transaction tests run only when the storage offers `transaction`.
 */
export function runStorageConformance(name: string, factory: StorageFactory): void {
  /** Runs `body` against a fresh storage and always cleans up, even when it fails. */
  const withStorage =
    (body: (storage: Storage) => Promise<void>) =>
    async (): Promise<void> => {
      const { storage, cleanup } = await factory();
      try {
        await body(storage);
      } finally {
        if (cleanup) await cleanup();
        else await storage.close?.();
      }
    };

  describe(`storage conformance: ${name}`, () => {
    describe('basic operations (ExerciseBackend)', () => {
      it(
        'starts empty',
        withStorage(async (s) => {
          expect(await s.list('')).toEqual([]);
        }),
      );

      it(
        'get of a missing key is undefined, not an error',
        withStorage(async (s) => {
          expect(await s.get('foo')).toBeUndefined();
          expect(await s.get('no/such/folder/key')).toBeUndefined();
        }),
      );

      it(
        'getNow, where offered, answers as get does and hands out a private copy',
        withStorage(async (s) => {
          if (!s.getNow) return;
          await s.put('now/key', new Uint8Array([1, 2, 3]));
          expect(s.getNow('now/key')).toEqual(await s.get('now/key'));
          expect(s.getNow('now/missing')).toBeUndefined();
          s.getNow('now/key')!.fill(9);
          expect(await s.get('now/key')).toEqual(new Uint8Array([1, 2, 3]));
          expect(() => s.getNow!('../escape')).toThrow();
        }),
      );

      it(
        'delete of a missing key succeeds (idempotent)',
        withStorage(async (s) => {
          await s.delete('foo');
          await s.delete('no/such/folder/key');
          expect(await s.list('')).toEqual([]);
        }),
      );

      it(
        'put then get returns the bytes; list shows the key',
        withStorage(async (s) => {
          await s.put('foo', bytes('test'));
          expectSameBytes(await s.get('foo'), bytes('test'), 'foo');
          expect(await s.list('')).toEqual(['foo']);
        }),
      );

      it(
        'put overwrites',
        withStorage(async (s) => {
          await s.put('foo', bytes('first value, longer'));
          await s.put('foo', bytes('second'));
          expectSameBytes(await s.get('foo'), bytes('second'), 'foo');
          expect(await s.list('')).toEqual(['foo']);
        }),
      );

      it(
        'delete removes; a second delete succeeds',
        withStorage(async (s) => {
          await s.put('foo', bytes('test'));
          await s.delete('foo');
          expect(await s.get('foo')).toBeUndefined();
          expect(await s.list('')).toEqual([]);
          await s.delete('foo');
        }),
      );

      it(
        'a key and a folder of the same name coexist (GH-189)',
        withStorage(async (s) => {
          await s.put('foo', bytes('leaf'));
          await s.put('foo/bar', bytes('child'));
          expect(await s.list('')).toEqual(['foo', 'foo/']);
          expect(await s.list('foo/')).toEqual(['bar']);
          expectSameBytes(await s.get('foo'), bytes('leaf'), 'foo');
          expectSameBytes(await s.get('foo/bar'), bytes('child'), 'foo/bar');
          await s.delete('foo');
          expect(await s.list('')).toEqual(['foo/']);
          expectSameBytes(await s.get('foo/bar'), bytes('child'), 'foo/bar');
        }),
      );

      it(
        'keys that differ only in case are distinct',
        withStorage(async (s) => {
          await s.put('Key', bytes('upper'));
          await s.put('key', bytes('lower'));
          await s.put('KEY/x', bytes('folder upper'));
          await s.put('key/x', bytes('folder lower'));
          expectSameBytes(await s.get('Key'), bytes('upper'), 'Key');
          expectSameBytes(await s.get('key'), bytes('lower'), 'key');
          expectSameBytes(await s.get('KEY/x'), bytes('folder upper'), 'KEY/x');
          expectSameBytes(await s.get('key/x'), bytes('folder lower'), 'key/x');
          expect(await s.list('')).toEqual(['KEY/', 'Key', 'key', 'key/']);
        }),
      );
    });

    describe('list (ExerciseBackend_ListPrefix)', () => {
      it(
        'returns direct children only, folders once with a trailing slash',
        withStorage(async (s) => {
          for (const key of ['foo', 'foo/bar', 'foo/zip', 'foo/zip/zap', 'foo/zip/zop/deep', 'other/x']) await s.put(key, bytes(key));
          expect(await s.list('')).toEqual(['foo', 'foo/', 'other/']);
          expect(await s.list('foo/')).toEqual(['bar', 'zip', 'zip/']);
          expect(await s.list('foo/zip/')).toEqual(['zap', 'zop/']);
          expect(await s.list('foo/zip/zop/')).toEqual(['deep']);
        }),
      );

      it(
        'is sorted by UTF-16 code unit, without duplicates',
        withStorage(async (s) => {
          const names = ['b', 'a', 'B', '_', '%', '~', 'a b', 'ab', 'a-b', 'é', '日本', '😀', '\uff21', 'z/1', 'z/2', 'Z/1', '0', '9/x'];
          for (const key of names) await s.put(key, bytes(key));
          const expected = expectedList(names, '');
          expect(await s.list('')).toEqual(expected);
          // Code-unit order puts the emoji (a surrogate pair, 0xD83D...) before U+FF21; code-point
          // order (a byte-wise SQL collation, for instance) would not.
          expect(expected.indexOf('😀')).toBeLessThan(expected.indexOf('\uff21'));
        }),
      );

      it(
        'returns an empty list for an unknown prefix, and for a prefix naming a leaf',
        withStorage(async (s) => {
          await s.put('foo', bytes('x'));
          await s.put('bar/baz', bytes('y'));
          expect(await s.list('nope/')).toEqual([]);
          expect(await s.list('foo/')).toEqual([]);
          expect(await s.list('bar/baz/')).toEqual([]);
          expect(await s.list('ba/')).toEqual([]);
        }),
      );

      it(
        'treats %, _ and \\ in a prefix literally (no LIKE wildcards)',
        withStorage(async (s) => {
          const keys = ['a%/x', 'a_/y', 'a\\/z', 'ab/w', 'a%b/v', 'aXb/u', 'a%%/t', 'a__/s', 'a/r', 'a\\_/q'];
          for (const key of keys) await s.put(key, bytes(key));
          expect(await s.list('a%/')).toEqual(['x']);
          expect(await s.list('a_/')).toEqual(['y']);
          expect(await s.list('a\\/')).toEqual(['z']);
          expect(await s.list('a\\_/')).toEqual(['q']);
          expect(await s.list('a%%/')).toEqual(['t']);
          expect(await s.list('a__/')).toEqual(['s']);
          expect(await s.list('a/')).toEqual(['r']);
          expect(await s.list('')).toEqual(expectedList(keys, ''));
        }),
      );

      it(
        'drops a folder once its last key is deleted, at every level',
        withStorage(async (s) => {
          await s.put('a/b/c/d', bytes('deep'));
          await s.put('a/keep', bytes('keep'));
          await s.delete('a/b/c/d');
          expect(await s.list('a/b/c/')).toEqual([]);
          expect(await s.list('a/b/')).toEqual([]);
          expect(await s.list('a/')).toEqual(['keep']);
          await s.delete('a/keep');
          expect(await s.list('')).toEqual([]);
          expect(await s.list('a/')).toEqual([]);
        }),
      );

      it(
        'returns a fresh array each time',
        withStorage(async (s) => {
          await s.put('x', bytes('1'));
          const first = await s.list('');
          first.push('mutated');
          expect(await s.list('')).toEqual(['x']);
        }),
      );

      it(
        'matches a reference model over a random sequence of operations',
        withStorage(async (s) => {
          const random = mulberry32(20240607);
          const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
          const segments = ['a', 'b', 'a b', '_c', '%', 'é', 'Z'] as const;
          const model = new Map<string, string>();
          for (let step = 0; step < 150; step++) {
            const depth = 1 + Math.floor(random() * 3);
            const key = Array.from({ length: depth }, () => pick(segments)).join('/');
            if (random() < 0.65) {
              const value = `${key}#${step}`;
              await s.put(key, bytes(value));
              model.set(key, value);
            } else {
              await s.delete(key);
              model.delete(key);
            }
          }
          const keys = [...model.keys()];
          for (const prefix of ['', ...new Set(keys.flatMap((k) => k.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/') + '/')))]) {
            expect(await s.list(prefix), `list(${JSON.stringify(prefix)})`).toEqual(expectedList(keys, prefix));
          }
          expect((await walk(s)).sort()).toEqual(keys.sort());
          for (const [key, value] of model) expectSameBytes(await s.get(key), bytes(value), key);
        }),
      );
    });

    describe('keys', () => {
      it(
        'stores keys with spaces, unicode, emoji, %, _, dots and case faithfully',
        withStorage(async (s) => {
          for (const key of ODD_KEYS) await s.put(key, bytes(`value of ${key}`));
          for (const key of ODD_KEYS) expectSameBytes(await s.get(key), bytes(`value of ${key}`), key);
          expect((await walk(s)).sort()).toEqual([...ODD_KEYS].sort());
          expect(await s.list('')).toEqual(expectedList(ODD_KEYS, ''));
          for (const key of ODD_KEYS) await s.delete(key);
          expect(await s.list('')).toEqual([]);
        }),
      );

      it(
        'stores a long key: 20 levels and a 200-character segment',
        withStorage(async (s) => {
          const key = [...Array.from({ length: 20 }, (_, i) => `level${i}`), 'x'.repeat(200)].join('/');
          await s.put(key, bytes('deep'));
          expectSameBytes(await s.get(key), bytes('deep'), 'deep key');
          expect(await walk(s)).toEqual([key]);
        }),
      );

      it(
        'rejects invalid keys in get, put and delete, and stores nothing',
        withStorage(async (s) => {
          for (const key of INVALID_KEYS) {
            await expectInvalidKey(s.put(key, bytes('x')));
            await expectInvalidKey(s.get(key));
            await expectInvalidKey(s.delete(key));
          }
          expect(await s.list('')).toEqual([]);
        }),
      );

      it(
        'rejects invalid list prefixes',
        withStorage(async (s) => {
          await s.put('a/b', bytes('x'));
          for (const prefix of INVALID_PREFIXES) await expectInvalidKey(s.list(prefix));
        }),
      );
    });

    describe('values', () => {
      it(
        'round-trips 0 bytes, 1 byte, every byte value and 1 MiB of random bytes exactly',
        withStorage(async (s) => {
          const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
          const cases: Array<[string, Uint8Array]> = [
            ['empty', new Uint8Array(0)],
            ['one', Uint8Array.of(0)],
            ['one-ff', Uint8Array.of(0xff)],
            ['all-bytes', allBytes],
            ['nul-filled', new Uint8Array(4096)],
            ['mib', randomBytes(1024 * 1024, 7)],
          ];
          for (const [key, value] of cases) await s.put(key, value);
          for (const [key, value] of cases) {
            const got = await s.get(key);
            expect(got, key).toBeInstanceOf(Uint8Array);
            expectSameBytes(got, value, key);
          }
        }),
      );

      it(
        'does not alias the caller’s buffer, in either direction',
        withStorage(async (s) => {
          const value = bytes('original');
          await s.put('k', value);
          value.fill(0x58);
          expectSameBytes(await s.get('k'), bytes('original'), 'after mutating the input');
          const read = (await s.get('k'))!;
          read.fill(0x59);
          expectSameBytes(await s.get('k'), bytes('original'), 'after mutating a read');
        }),
      );

      it(
        'stores only the bytes of a view, not its whole backing buffer; accepts Buffer',
        withStorage(async (s) => {
          const backing = randomBytes(64, 3);
          const view = new Uint8Array(backing.buffer, 10, 20);
          await s.put('view', view);
          expectSameBytes(await s.get('view'), backing.slice(10, 30), 'view');
          const buffer = Buffer.from('a node buffer');
          await s.put('buffer', buffer);
          expectSameBytes(await s.get('buffer'), bytes('a node buffer'), 'buffer');
        }),
      );
    });

    describe('concurrency', () => {
      it(
        '100 concurrent puts to different keys all land',
        withStorage(async (s) => {
          const keys = Array.from({ length: 100 }, (_, i) => `concurrent/${i % 10}/k${i}`);
          await Promise.all(keys.map((key) => s.put(key, bytes(`v-${key}`))));
          for (const key of keys) expectSameBytes(await s.get(key), bytes(`v-${key}`), key);
          expect((await walk(s, 'concurrent/')).sort()).toEqual([...keys].sort());
        }),
      );

      it(
        '100 concurrent puts to one key leave exactly one of the written values, intact',
        withStorage(async (s) => {
          const values = Array.from({ length: 100 }, (_, i) => randomBytes(1000 + i * 37, 100 + i));
          await Promise.all(values.map((value) => s.put('same/key', value)));
          const got = await s.get('same/key');
          expect(got).toBeDefined();
          const match = values.findIndex((value) => value.length === got!.length && value.every((byte, i) => byte === got![i]));
          expect(match, 'stored value is one of the written values').toBeGreaterThanOrEqual(0);
          expect(await s.list('same/')).toEqual(['key']);
        }),
      );

      it(
        'a put into a folder survives a concurrent delete of that folder’s last key',
        withStorage(async (s) => {
          // An adapter that prunes empty folders (the file adapter) must not lose a put that
          // lands in the folder it is removing.
          for (let round = 0; round < 30; round++) {
            await s.put(`race/${round}/old`, bytes('old'));
            await Promise.all([s.delete(`race/${round}/old`), s.put(`race/${round}/new`, bytes(`new-${round}`))]);
            expectSameBytes(await s.get(`race/${round}/new`), bytes(`new-${round}`), `round ${round}`);
            expect(await s.list(`race/${round}/`)).toEqual(['new']);
          }
        }),
      );

      it(
        'concurrent reads during writes see either nothing or a whole value',
        withStorage(async (s) => {
          const values = Array.from({ length: 20 }, (_, i) => randomBytes(64 * 1024, 500 + i));
          const reads: Array<Promise<Uint8Array | undefined>> = [];
          const writes = values.map(async (value) => {
            reads.push(s.get('torn'));
            await s.put('torn', value);
            reads.push(s.get('torn'));
          });
          await Promise.all(writes);
          for (const got of await Promise.all(reads)) {
            if (got === undefined) continue;
            const match = values.some((value) => value.length === got.length && value.every((byte, i) => byte === got[i]));
            expect(match, 'a read returned a value nobody wrote').toBe(true);
          }
        }),
      );
    });

    describe('transactions (ExerciseTransactionalBackend)', () => {
      const transactional = (body: (storage: Storage, transaction: NonNullable<Storage['transaction']>) => Promise<void>) =>
        withStorage(async (s) => {
          if (!s.transaction) return;
          await body(s, s.transaction.bind(s));
        });

      it(
        'commits every write when fn resolves, and returns its result',
        transactional(async (s, transaction) => {
          await s.put('existing', bytes('old'));
          await s.put('doomed', bytes('bye'));
          const result = await transaction(async (tx) => {
            await tx.put('existing', bytes('new'));
            await tx.put('folder/created', bytes('created'));
            await tx.delete('doomed');
            return 42;
          });
          expect(result).toBe(42);
          expectSameBytes(await s.get('existing'), bytes('new'), 'existing');
          expectSameBytes(await s.get('folder/created'), bytes('created'), 'folder/created');
          expect(await s.get('doomed')).toBeUndefined();
          expect(await s.list('')).toEqual(['existing', 'folder/']);
        }),
      );

      it(
        'lands nothing when fn throws, and rethrows its error',
        transactional(async (s, transaction) => {
          await s.put('existing', bytes('old'));
          await s.put('kept', bytes('kept'));
          const failure = new Error('boom');
          await expect(
            transaction(async (tx) => {
              await tx.put('existing', bytes('new'));
              await tx.put('folder/created', bytes('created'));
              await tx.delete('kept');
              throw failure;
            }),
          ).rejects.toBe(failure);
          expectSameBytes(await s.get('existing'), bytes('old'), 'existing');
          expectSameBytes(await s.get('kept'), bytes('kept'), 'kept');
          expect(await s.get('folder/created')).toBeUndefined();
          expect(await s.list('')).toEqual(['existing', 'kept']);
        }),
      );

      it(
        'reads inside see the transaction’s own writes; outside, nothing shows before commit',
        transactional(async (s, transaction) => {
          await s.put('a/old', bytes('old'));
          await s.put('a/gone', bytes('gone'));
          await transaction(async (tx) => {
            await tx.put('a/new', bytes('new'));
            await tx.put('a/sub/deep', bytes('deep'));
            await tx.delete('a/gone');
            await tx.put('a/old', bytes('changed'));
            expectSameBytes(await tx.get('a/new'), bytes('new'), 'own put');
            expectSameBytes(await tx.get('a/old'), bytes('changed'), 'own overwrite');
            expect(await tx.get('a/gone')).toBeUndefined();
            expect(await tx.list('a/')).toEqual(['new', 'old', 'sub/']);
            expect(await tx.list('a/sub/')).toEqual(['deep']);
            expect(await s.get('a/new')).toBeUndefined();
            expectSameBytes(await s.get('a/old'), bytes('old'), 'outside before commit');
            expect(await s.list('a/')).toEqual(['gone', 'old']);
          });
          expect(await s.list('a/')).toEqual(['new', 'old', 'sub/']);
        }),
      );

      it(
        'validates keys inside a transaction',
        transactional(async (s, transaction) => {
          await expect(
            transaction(async (tx) => {
              await tx.put('fine', bytes('x'));
              await tx.put('a/../b', bytes('x'));
            }),
          ).rejects.toMatchObject({ name: 'InvalidStorageKeyError' });
          expect(await s.list('')).toEqual([]);
        }),
      );

      it(
        'concurrent read-modify-write transactions never lose an update',
        transactional(async (s, transaction) => {
          // Each transaction either commits or fails (a serialization conflict); the counter must
          // equal the number that committed. This is what check-and-set is built on.
          await s.put('counter', bytes('0'));
          const outcomes = await Promise.allSettled(
            Array.from({ length: 20 }, () =>
              transaction(async (tx) => {
                const current = Number(new TextDecoder().decode(await tx.get('counter')));
                await tx.put('counter', bytes(String(current + 1)));
              }),
            ),
          );
          const committed = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
          expect(committed).toBeGreaterThan(0);
          expect(new TextDecoder().decode(await s.get('counter'))).toBe(String(committed));
        }),
      );
    });
  });
}
