// GF(256) arithmetic against an independent reference built from log/exp tables (generator 3).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gfAdd, gfDiv, gfInverse, gfMul } from './gf256.js';

// The reference uses tables on purpose: it is test-only, and it is a different algorithm.
const EXP = new Array<number>(510);
const LOG = new Array<number>(256).fill(0);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    EXP[i + 255] = x;
    LOG[x] = i;
    // x · 3 = x · 2 ⊕ x, reducing by the AES polynomial 0x11b.
    x ^= (x << 1) ^ (x & 0x80 ? 0x11b : 0);
  }
}
const referenceMul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);

describe('GF(256)', () => {
  it('multiplies every pair exactly as the log/exp reference', () => {
    for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) expect(gfMul(a, b)).toBe(referenceMul(a, b));
  });

  it('has an inverse for every non-zero element', () => {
    for (let a = 1; a < 256; a++) expect(gfMul(a, gfInverse(a))).toBe(1);
    expect(gfInverse(0)).toBe(0);
  });

  it('adds by XOR and divides as multiplication by the inverse', () => {
    expect(gfAdd(0x53, 0xca)).toBe(0x99);
    // The AES S-box pair: 0x53 and 0xca are inverses.
    expect(gfMul(0x53, 0xca)).toBe(1);
    for (let a = 0; a < 256; a += 7) for (let b = 1; b < 256; b += 11) expect(gfMul(gfDiv(a, b), b)).toBe(a);
    expect(() => gfDiv(1, 0)).toThrow(RangeError);
  });

  it('keeps secret-dependent arithmetic free of lookup tables and branches (CVE-2023-25000)', () => {
    const source = readFileSync(new URL('./gf256.ts', import.meta.url), 'utf8').replace(/\/\/.*$/gm, '');
    const body = source.slice(source.indexOf('export function gfMul'), source.indexOf('export function gfDiv'));
    expect(body).not.toMatch(/\[/);
    expect(body).not.toMatch(/\bif\b|\?/);
  });
});
