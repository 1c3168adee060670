// Short-lived copies of stored bytes, handed to a caller that may mutate or zero them.

/**
 * The caller's own copy of `value`. Reads are short-lived, so small ones are cut from Node's
 * shared 8 KiB pool: a quarter of the cost of a fresh ArrayBuffer, a quarter of a microsecond
 * on every barrier read. Long-lived copies (what a store or a cache keeps) take their own
 * buffer instead (`new Uint8Array(value)`), so they never pin a pool slab.
 */
export function pooledCopy(value: Uint8Array): Uint8Array {
  const pooled = Buffer.allocUnsafe(value.length);
  pooled.set(value);
  return new Uint8Array(pooled.buffer, pooled.byteOffset, pooled.byteLength);
}
