// Shamir secret sharing over GF(256) in Vault's share layout (sdk/helper/shamir): each share is
// one y-byte per secret byte followed by a single x-coordinate byte.
import type { Random } from '@coffer/sdk';
import { gfAdd, gfDiv, gfMul } from './gf256.js';

/** Limits from Vault's seal configuration: at most 255 shares, each x in 1..255. */
export const MAX_SHARES = 255;

/** A share set that cannot be combined. The message is Vault's where Vault has one. */
export class ShamirError extends Error {
  override readonly name = 'ShamirError';
}

/**
 * Splits `secret` into `shares` parts, any `threshold` of which rebuild it. The
 * x-coordinates are a random selection of 1..255, as in Vault, so a share's index says
 * nothing about the others.
 */
export function splitSecret(secret: Uint8Array, shares: number, threshold: number, random: Random): Uint8Array[] {
  if (!Number.isInteger(shares) || shares < 2 || shares > MAX_SHARES) throw new ShamirError('parts must be between 2 and 255');
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > shares) throw new ShamirError('threshold must be between 2 and parts');
  if (secret.length === 0) throw new ShamirError('cannot split an empty secret');

  const xs = randomCoordinates(random).subarray(0, shares);
  const out = Array.from(xs, (x) => {
    const share = new Uint8Array(secret.length + 1);
    share[secret.length] = x;
    return share;
  });
  const coefficients = new Uint8Array(threshold);
  for (let i = 0; i < secret.length; i++) {
    coefficients[0] = secret[i]!;
    coefficients.set(random.bytes(threshold - 1), 1);
    for (let j = 0; j < shares; j++) out[j]![i] = evaluate(coefficients, xs[j]!);
  }
  coefficients.fill(0);
  return out;
}

/** Rebuilds the secret from at least two shares of equal length with distinct x-coordinates. */
export function combineShares(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length < 2) throw new ShamirError('less than two parts cannot be used to reconstruct the secret');
  const length = parts[0]!.length;
  if (length < 2) throw new ShamirError('parts must be at least two bytes');
  const xs = new Uint8Array(parts.length);
  const seen = new Set<number>();
  parts.forEach((part, i) => {
    if (part.length !== length) throw new ShamirError('all parts must be the same length');
    const x = part[length - 1]!;
    // x is public (it travels in the clear at the end of every share), so checking it may branch.
    if (x === 0) throw new ShamirError('part has an x-coordinate of zero');
    if (seen.has(x)) throw new ShamirError('duplicate part detected');
    seen.add(x);
    xs[i] = x;
  });

  const secret = new Uint8Array(length - 1);
  const basis = lagrangeBasisAtZero(xs);
  for (let byte = 0; byte < secret.length; byte++) {
    let value = 0;
    for (let i = 0; i < parts.length; i++) value = gfAdd(value, gfMul(parts[i]![byte]!, basis[i]!));
    secret[byte] = value;
  }
  return secret;
}

/** Horner's rule: the polynomial with these coefficients at x. */
function evaluate(coefficients: Uint8Array, x: number): number {
  let result = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) result = gfAdd(gfMul(result, x), coefficients[i]!);
  return result;
}

/** The Lagrange weights of each sample for interpolation at x = 0; they depend only on public xs. */
function lagrangeBasisAtZero(xs: Uint8Array): Uint8Array {
  return xs.map((xi, i) => {
    let weight = 1;
    xs.forEach((xj, j) => {
      if (i !== j) weight = gfMul(weight, gfDiv(xj, gfAdd(xi, xj)));
    });
    return weight;
  });
}

/** A random permutation of 1..255 (Fisher–Yates with rejection sampling, so it is unbiased). */
function randomCoordinates(random: Random): Uint8Array {
  const xs = Uint8Array.from({ length: MAX_SHARES }, (_, i) => i + 1);
  for (let i = xs.length - 1; i > 0; i--) {
    const j = uniformBelow(random, i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

function uniformBelow(random: Random, bound: number): number {
  const limit = 256 - (256 % bound);
  for (;;) {
    const byte = random.bytes(1)[0]!;
    if (byte < limit) return byte % bound;
  }
}
