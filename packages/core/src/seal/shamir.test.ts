// Shamir split/combine properties, malformed share sets and fuzzed input (reliability.md B9).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@coffer/sdk/testing';
import { combineShares, ShamirError, splitSecret } from './shamir.js';

const random = seededRandom(7);

function pick<T>(items: readonly T[], count: number, seed: number): T[] {
  const copy = [...items];
  const out: T[] = [];
  let state = seed;
  while (out.length < count) {
    state = (state * 1103515245 + 12345) >>> 0;
    out.push(copy.splice(state % copy.length, 1)[0]!);
  }
  return out;
}

describe('splitSecret and combineShares', () => {
  it('lays shares out as Vault does: secret-length y bytes then one distinct non-zero x byte', () => {
    const secret = random.bytes(32);
    const shares = splitSecret(secret, 5, 3, random);
    expect(shares).toHaveLength(5);
    const xs = shares.map((s) => s[32]!);
    expect(new Set(xs).size).toBe(5);
    for (const share of shares) expect(share).toHaveLength(33);
    expect(xs).not.toContain(0);
  });

  it('rebuilds the secret from any threshold of shares, and not from one fewer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 33 }), fc.integer({ min: 2, max: 255 }), fc.integer({ min: 0, max: 1 << 30 }), (secret, n, seed) => {
        const t = 2 + (seed % (n - 1));
        const shares = splitSecret(secret, n, t, seededRandom(seed));
        expect(combineShares(pick(shares, t, seed))).toEqual(secret);
        if (n > t) expect(combineShares(pick(shares, t + 1, seed + 1))).toEqual(secret);
        if (t > 2 && secret.length >= 16) expect(combineShares(pick(shares, t - 1, seed))).not.toEqual(secret);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses malformed share sets with typed errors', () => {
    const shares = splitSecret(random.bytes(32), 3, 2, random);
    expect(() => combineShares([shares[0]!])).toThrow('less than two parts');
    expect(() => combineShares([shares[0]!, shares[0]!])).toThrow('duplicate part detected');
    expect(() => combineShares([shares[0]!, shares[1]!.subarray(1)])).toThrow('all parts must be the same length');
    expect(() => combineShares([new Uint8Array([1]), new Uint8Array([2])])).toThrow('at least two bytes');
    const zeroX = shares[1]!.slice();
    zeroX[32] = 0;
    expect(() => combineShares([shares[0]!, zeroX])).toThrow('x-coordinate of zero');
    for (const bad of [() => splitSecret(new Uint8Array(0), 3, 2, random), () => splitSecret(random.bytes(8), 256, 2, random), () => splitSecret(random.bytes(8), 3, 4, random), () => splitSecret(random.bytes(8), 3, 1, random)]) {
      expect(bad).toThrow(ShamirError);
    }
  });

  it('gives a wrong secret, not an exception, for a flipped byte', () => {
    const secret = random.bytes(32);
    const shares = splitSecret(secret, 3, 2, random);
    const flipped = shares[0]!.slice();
    flipped[5]! ^= 0x01;
    expect(combineShares([flipped, shares[1]!])).not.toEqual(secret);
  });

  it('never throws anything but ShamirError for arbitrary byte arrays', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), (parts) => {
        try {
          combineShares(parts);
        } catch (error) {
          expect(error).toBeInstanceOf(ShamirError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
