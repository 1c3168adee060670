// How a key's metadata is stored. Vault keeps it as protobuf; every KV read decodes it and every
// write decodes and encodes it, so Coffer uses a fixed binary layout: JSON spent most of its
// time turning millisecond timestamps (beyond V8's small integers) to and from decimal text.
import { fromUtf8, utf8 } from '@coffer/sdk';
import { decodeJson } from './storage-layout.js';
import type { KeyMetadata, VersionMetadata } from './key-metadata.js';

/**
 * Layout 3, little-endian, numbers as float64 (`NaN` for null):
 *   u8 3 ‖ current ‖ oldest ‖ created ‖ updated ‖ maxVersions ‖ deleteVersionAfterSec ‖ u8 casRequired
 *   ‖ u32 key length ‖ key (UTF-8) ‖ u32 custom length ‖ custom metadata as JSON (UTF-8; empty for null)
 *   ‖ u32 version count ‖ per version: number ‖ createdMs ‖ deletionMs ‖ u8 destroyed
 * Earlier entries are JSON and start with `{`: layout 2 kept versions as tuples, layout 1 as an object.
 */
const LAYOUT = 3;
const HEADER_BYTES = 1 + 6 * 8 + 1;
const VERSION_BYTES = 3 * 8 + 1;
const JSON_OBJECT_START = 0x7b;

const nullable = (value: number | null): number => (value === null ? Number.NaN : value);
const orNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

export function encodeKeyMetadata(meta: KeyMetadata): Uint8Array {
  const key = utf8(meta.key);
  const custom = meta.customMetadata === null ? new Uint8Array(0) : utf8(JSON.stringify(meta.customMetadata));
  const numbers = Object.keys(meta.versions);
  const out = new Uint8Array(HEADER_BYTES + 4 + key.length + 4 + custom.length + 4 + numbers.length * VERSION_BYTES);
  const view = new DataView(out.buffer);
  out[0] = LAYOUT;
  view.setFloat64(1, meta.currentVersion, true);
  view.setFloat64(9, meta.oldestVersion, true);
  view.setFloat64(17, nullable(meta.createdMs), true);
  view.setFloat64(25, nullable(meta.updatedMs), true);
  view.setFloat64(33, meta.maxVersions, true);
  view.setFloat64(41, meta.deleteVersionAfterSec, true);
  out[49] = meta.casRequired ? 1 : 0;
  let at = HEADER_BYTES;
  view.setUint32(at, key.length, true);
  out.set(key, at + 4);
  at += 4 + key.length;
  view.setUint32(at, custom.length, true);
  out.set(custom, at + 4);
  at += 4 + custom.length;
  view.setUint32(at, numbers.length, true);
  at += 4;
  for (const n of numbers) {
    const v = meta.versions[n]!;
    view.setFloat64(at, Number(n), true);
    view.setFloat64(at + 8, v.createdMs, true);
    view.setFloat64(at + 16, nullable(v.deletionMs), true);
    out[at + 24] = v.destroyed ? 1 : 0;
    at += VERSION_BYTES;
  }
  return out;
}

/** Reads every layout: entries written by earlier versions keep working. */
export function decodeKeyMetadata(bytes: Uint8Array, key: string, empty: () => KeyMetadata): KeyMetadata {
  if (bytes[0] === JSON_OBJECT_START) return decodeJsonLayouts(bytes, key, empty);
  if (bytes[0] !== LAYOUT) throw new Error(`unknown key metadata layout ${bytes[0]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = HEADER_BYTES;
  const keyLength = view.getUint32(at, true);
  at += 4 + keyLength;
  const customLength = view.getUint32(at, true);
  const customMetadata = customLength === 0 ? null : (JSON.parse(fromUtf8(bytes.subarray(at + 4, at + 4 + customLength))) as Record<string, string>);
  at += 4 + customLength;
  const count = view.getUint32(at, true);
  at += 4;
  const versions: Record<string, VersionMetadata> = {};
  for (let i = 0; i < count; i++, at += VERSION_BYTES) {
    versions[view.getFloat64(at, true)] = { createdMs: view.getFloat64(at + 8, true), deletionMs: orNull(view.getFloat64(at + 16, true)), destroyed: bytes[at + 24] === 1 };
  }
  return {
    key,
    currentVersion: view.getFloat64(1, true),
    oldestVersion: view.getFloat64(9, true),
    createdMs: orNull(view.getFloat64(17, true)),
    updatedMs: orNull(view.getFloat64(25, true)),
    maxVersions: view.getFloat64(33, true),
    casRequired: bytes[49] === 1,
    deleteVersionAfterSec: view.getFloat64(41, true),
    customMetadata,
    versions,
  };
}

/** `[version, createdMs, deletionMs, destroyed]` */
type TupleVersion = [number, number, number | null, 0 | 1];

interface TupleKeyMetadata {
  f: 2;
  current: number;
  oldest: number;
  created: number | null;
  updated: number | null;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfterSec: number;
  custom: Record<string, string> | null;
  versions: TupleVersion[];
}

function decodeJsonLayouts(bytes: Uint8Array, key: string, empty: () => KeyMetadata): KeyMetadata {
  const stored = decodeJson<TupleKeyMetadata | Partial<KeyMetadata>>(bytes);
  if (!('f' in stored) || stored.f !== 2) return { ...empty(), ...(stored as Partial<KeyMetadata>), key };
  const versions: Record<string, VersionMetadata> = {};
  for (const [n, createdMs, deletionMs, destroyed] of stored.versions) versions[n] = { createdMs, deletionMs, destroyed: destroyed === 1 };
  return {
    key,
    currentVersion: stored.current,
    oldestVersion: stored.oldest,
    createdMs: stored.created,
    updatedMs: stored.updated,
    maxVersions: stored.maxVersions,
    casRequired: stored.casRequired,
    deleteVersionAfterSec: stored.deleteVersionAfterSec,
    customMetadata: stored.custom,
    versions,
  };
}
