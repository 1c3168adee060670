// The prefix tree behind prefix rules, against a brute-force scan.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RadixTree } from './radix-tree.js';

function naiveLongest(keys: readonly string[], text: string): string | undefined {
  let best: string | undefined;
  for (const key of keys) if (text.startsWith(key) && (best === undefined || key.length > best.length)) best = key;
  return best;
}

describe('RadixTree', () => {
  it('finds the longest stored prefix, splitting edges as keys diverge', () => {
    const tree = new RadixTree<string>();
    for (const key of ['secret/', 'secret/a', 'sec', 'secret/ab/', 'sys/']) tree.set(key, key);
    expect(tree.size).toBe(5);
    expect(tree.longestPrefix('secret/abc')).toBe('secret/a');
    expect(tree.longestPrefix('secret/ab/c')).toBe('secret/ab/');
    expect(tree.longestPrefix('secre')).toBe('sec');
    expect(tree.longestPrefix('se')).toBeUndefined();
    expect(tree.longestPrefix('sys')).toBeUndefined();
    expect(tree.longestPrefix('')).toBeUndefined();
    expect(tree.get('secret/a')).toBe('secret/a');
    expect(tree.get('secret/ab')).toBeUndefined();
    expect(tree.get('secrex')).toBeUndefined();
  });

  it('stores the empty key at the root and overwrites on re-insert', () => {
    const tree = new RadixTree<number>();
    tree.set('', 1);
    tree.set('a', 2);
    tree.set('a', 3);
    expect(tree.size).toBe(2);
    expect(tree.longestPrefix('zzz')).toBe(1);
    expect(tree.longestPrefix('ab')).toBe(3);
  });

  it('agrees with a brute-force scan for arbitrary key sets', () => {
    const str = fc.string({ unit: fc.constantFrom('a', 'b', '/', 'é'), maxLength: 6 });
    fc.assert(
      fc.property(fc.array(str, { maxLength: 12 }), fc.array(str, { maxLength: 12 }), (keys, probes) => {
        const tree = new RadixTree<string>();
        for (const key of keys) tree.set(key, key);
        expect(tree.size).toBe(new Set(keys).size);
        for (const probe of [...probes, ...keys]) {
          expect(tree.longestPrefix(probe)).toBe(naiveLongest(keys, probe));
          expect(tree.get(probe)).toBe(keys.includes(probe) ? probe : undefined);
        }
      }),
      { numRuns: 500 },
    );
  });
});
