// The self-checking on-disk entry of the file adapter (Vault's file backend stores bare JSON).
// A truncated or NUL-filled Vault entry (vault#15680, #18577) looked "absent"; ours reports corruption.
import { createHash } from 'node:crypto';

/**
 * Layout (big-endian), 48-byte header then the payload:
 *   0..3   magic 0x89 'C' 'F' 'E' (the high first byte catches text-mode rewrites)
 *   4      format version (1)
 *   5..7   reserved, zero
 *   8..15  payload length in bytes (uint64)
 *   16..47 SHA-256 of the payload
 */
export const ENTRY_HEADER_BYTES = 48;
const MAGIC = [0x89, 0x43, 0x46, 0x45] as const;
const VERSION = 1;

/** Header plus a copy of `value`, in one buffer ready to write. */
export function encodeEntry(value: Uint8Array): Uint8Array {
  const out = new Uint8Array(ENTRY_HEADER_BYTES + value.length);
  out.set(MAGIC, 0);
  out[4] = VERSION;
  const view = new DataView(out.buffer);
  view.setUint32(8, Math.floor(value.length / 0x1_0000_0000));
  view.setUint32(12, value.length >>> 0);
  out.set(createHash('sha256').update(value).digest(), 16);
  out.set(value, ENTRY_HEADER_BYTES);
  return out;
}

/** The payload of an intact entry, or a description of what is wrong with it. */
export function decodeEntry(raw: Uint8Array): { value: Uint8Array } | { problem: string } {
  if (raw.length === 0) return { problem: 'zero-length file' };
  if (raw.every((byte) => byte === 0)) return { problem: `file holds only NUL bytes (${raw.length})` };
  if (MAGIC.some((byte, i) => raw[i] !== byte)) return { problem: 'not a coffer entry (bad magic bytes)' };
  if (raw.length < ENTRY_HEADER_BYTES) return { problem: `truncated header: ${raw.length} of ${ENTRY_HEADER_BYTES} bytes` };
  if (raw[4] !== VERSION) return { problem: `unsupported entry format version ${raw[4]}` };
  if (raw[5] !== 0 || raw[6] !== 0 || raw[7] !== 0) return { problem: 'reserved header bytes are not zero' };
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const length = view.getUint32(8) * 0x1_0000_0000 + view.getUint32(12);
  const actual = raw.length - ENTRY_HEADER_BYTES;
  if (length !== actual) return { problem: `length mismatch: header says ${length} bytes, file holds ${actual}` };
  const payload = raw.subarray(ENTRY_HEADER_BYTES);
  const digest = createHash('sha256').update(payload).digest();
  for (let i = 0; i < 32; i++) if (digest[i] !== raw[16 + i]) return { problem: 'checksum mismatch' };
  // A fresh, exactly-sized copy: never a view into a (possibly pooled) read buffer.
  return { value: new Uint8Array(payload) };
}
