// How a key's metadata is stored. Every KV read parses it and every write parses and writes it,
// so versions are kept as tuples rather than one object per version: V8 parses and stringifies
// the tuple form in about half the time (measured on Node 20 with ten versions).
import { decodeJson, encodeJson } from './storage-layout.js';
import type { KeyMetadata, VersionMetadata } from './key-metadata.js';

/** `[version, createdMs, deletionMs, destroyed]` */
type StoredVersion = [number, number, number | null, 0 | 1];

interface StoredKeyMetadata {
  /** Format marker: the layout before it kept `versions` as an object keyed by version. */
  f: 2;
  key: string;
  current: number;
  oldest: number;
  created: number | null;
  updated: number | null;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfterSec: number;
  custom: Record<string, string> | null;
  versions: StoredVersion[];
}

export function encodeKeyMetadata(meta: KeyMetadata): Uint8Array {
  const versions: StoredVersion[] = [];
  for (const n in meta.versions) {
    const v = meta.versions[n]!;
    versions.push([Number(n), v.createdMs, v.deletionMs, v.destroyed ? 1 : 0]);
  }
  const stored: StoredKeyMetadata = {
    f: 2,
    key: meta.key,
    current: meta.currentVersion,
    oldest: meta.oldestVersion,
    created: meta.createdMs,
    updated: meta.updatedMs,
    maxVersions: meta.maxVersions,
    casRequired: meta.casRequired,
    deleteVersionAfterSec: meta.deleteVersionAfterSec,
    custom: meta.customMetadata,
    versions,
  };
  return encodeJson(stored);
}

/** Reads both layouts: entries written before the tuple form keep working. */
export function decodeKeyMetadata(bytes: Uint8Array, key: string, empty: () => KeyMetadata): KeyMetadata {
  const stored = decodeJson<StoredKeyMetadata | Partial<KeyMetadata>>(bytes);
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
