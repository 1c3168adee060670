// BoundedMemo: bounded, keeps what is used, forgets in bulk.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedMemo } from './bounded-memo.js';

describe('BoundedMemo', () => {
  it('never holds more than its limit and answers only what was set (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 30 })), { maxLength: 200 }), (limit, ops) => {
        const memo = new BoundedMemo<number, string>(limit);
        const truth = new Map<number, string>();
        for (const [isSet, key] of ops) {
          if (isSet) {
            memo.set(key, `v${key}`);
            truth.set(key, `v${key}`);
          } else {
            const got = memo.get(key);
            if (got !== undefined) expect(got).toBe(truth.get(key));
          }
          expect(memo.size).toBeLessThanOrEqual(limit);
        }
      }),
    );
  });

  it('keeps an entry that is read while newer ones arrive', () => {
    const memo = new BoundedMemo<string, number>(4);
    memo.set('hot', 1);
    for (let i = 0; i < 100; i++) {
      memo.set(`cold${i}`, i);
      expect(memo.get('hot')).toBe(1);
    }
  });

  it('forgets entries nobody reads', () => {
    const memo = new BoundedMemo<string, number>(4);
    memo.set('a', 1);
    for (let i = 0; i < 10; i++) memo.set(`x${i}`, i);
    expect(memo.get('a')).toBeUndefined();
  });
});
