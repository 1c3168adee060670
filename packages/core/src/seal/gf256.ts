// Arithmetic in GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1, as Vault's Shamir uses.
//
// Every operation runs the same instructions whatever the operands: no lookup table is
// indexed by a secret byte and no branch depends on one. Table-based log/exp arithmetic
// leaks share bytes through the cache (CVE-2023-25000), which is why this file exists
// instead of an off-the-shelf table implementation.

/** a + b (and a - b): XOR. */
export function gfAdd(a: number, b: number): number {
  return (a ^ b) & 0xff;
}

/** a · b by shift-and-add, with masks in place of branches. */
export function gfMul(a: number, b: number): number {
  let product = 0;
  let x = a & 0xff;
  let y = b & 0xff;
  for (let bit = 0; bit < 8; bit++) {
    product ^= -(y & 1) & x;
    const carry = -((x >> 7) & 1);
    x = ((x << 1) ^ (carry & 0x1b)) & 0xff;
    y >>= 1;
  }
  return product & 0xff;
}

/** a^-1 = a^254 by a fixed square-and-multiply chain; the inverse of 0 is taken as 0. */
export function gfInverse(a: number): number {
  const a2 = gfMul(a, a);
  const a3 = gfMul(a2, a);
  const a6 = gfMul(a3, a3);
  const a12 = gfMul(a6, a6);
  const a15 = gfMul(a12, a3);
  const a30 = gfMul(a15, a15);
  const a60 = gfMul(a30, a30);
  const a63 = gfMul(a60, a3);
  const a126 = gfMul(a63, a63);
  const a127 = gfMul(a126, a);
  return gfMul(a127, a127);
}

/** a / b. Division by zero is a programming error: x-coordinates are checked before. */
export function gfDiv(a: number, b: number): number {
  if (b === 0) throw new RangeError('division by zero in GF(256)');
  return gfMul(a, gfInverse(b));
}
