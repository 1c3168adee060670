// A KV v2 key's metadata and the rules on it: versions, pruning, deletion times, check-and-set (path_data.go, delete_version_after.go).
import { formatDuration, formatRfc3339Nano, VaultError } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';
import { DEFAULT_MAX_VERSIONS, DELETE_VERSION_AFTER_DISABLED, type EngineConfig } from './engine-config.js';
import { decodeKeyMetadata, encodeKeyMetadata } from './key-metadata-codec.js';
import type { KvV2Layout } from './storage-layout.js';

export interface VersionMetadata {
  createdMs: number;
  /** When the version reads as deleted: set by a delete, or in advance by delete_version_after. */
  deletionMs: number | null;
  destroyed: boolean;
}

export interface KeyMetadata {
  key: string;
  currentVersion: number;
  oldestVersion: number;
  createdMs: number | null;
  updatedMs: number | null;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfterSec: number;
  customMetadata: Record<string, string> | null;
  /** Keyed by version number; pruned versions are gone, destroyed ones stay with `destroyed`. */
  versions: Record<string, VersionMetadata>;
}

export function emptyKeyMetadata(key: string): KeyMetadata {
  return {
    key,
    currentVersion: 0,
    oldestVersion: 0,
    createdMs: null,
    updatedMs: null,
    maxVersions: 0,
    casRequired: false,
    deleteVersionAfterSec: 0,
    customMetadata: null,
    versions: {},
  };
}

export async function readKeyMetadata(storage: Storage, layout: KvV2Layout, key: string): Promise<KeyMetadata | undefined> {
  const bytes = await storage.get(layout.metadata(key));
  return bytes ? decodeKeyMetadata(bytes, key, () => emptyKeyMetadata(key)) : undefined;
}

/** Whether `key` has metadata: Vault's existence check for create vs update, without decoding it. */
export async function hasKeyMetadata(storage: Storage, layout: KvV2Layout, key: string): Promise<boolean> {
  return (await storage.get(layout.metadata(key))) !== undefined;
}

export async function writeKeyMetadata(storage: Storage, layout: KvV2Layout, meta: KeyMetadata): Promise<void> {
  await storage.put(layout.metadata(meta.key), encodeKeyMetadata(meta));
}

export function versionOf(meta: KeyMetadata, version: number): VersionMetadata | undefined {
  return Object.hasOwn(meta.versions, String(version)) ? meta.versions[String(version)] : undefined;
}

/**
 * A deletion time at or before now reads as deleted. Vault compares with `Before(now)`; its clock
 * always moves on by the next request, an injected test clock does not, so "at" counts too.
 */
export function isDeleted(version: VersionMetadata, nowMs: number): boolean {
  return version.deletionMs !== null && version.deletionMs <= nowMs;
}

/**
 * When a version created (or undeleted) at `fromMs` should be deleted: the smallest non-zero of
 * the engine's and the key's delete_version_after; none when both are 0 or the engine disabled it.
 */
export function scheduledDeletionMs(fromMs: number, config: EngineConfig, meta: KeyMetadata): number | null {
  if (config.deleteVersionAfterSec === DELETE_VERSION_AFTER_DISABLED || config.deleteVersionAfterSec < 0) return null;
  const engineSec = config.deleteVersionAfterSec;
  const keySec = meta.deleteVersionAfterSec;
  if (engineSec === 0 && keySec === 0) return null;
  let sec = keySec;
  if ((engineSec !== 0 && engineSec < sec) || sec === 0) sec = engineSec;
  return fromMs + sec * 1000;
}

/** Vault §5 #2: the key-level max_versions can raise retention, never lower it below the engine's. */
export function effectiveMaxVersions(config: EngineConfig, meta: KeyMetadata): number {
  const larger = Math.max(meta.maxVersions, config.maxVersions);
  return larger > 0 ? larger : DEFAULT_MAX_VERSIONS;
}

/**
 * Appends the next version and slides the retention window. Returns the version numbers that
 * dropped out of the metadata, whose data the caller removes after writing the metadata.
 */
export function addVersion(meta: KeyMetadata, createdMs: number, deletionMs: number | null, maxVersions: number): number[] {
  meta.currentVersion += 1;
  meta.versions[String(meta.currentVersion)] = { createdMs, deletionMs, destroyed: false };
  meta.updatedMs = createdMs;
  meta.createdMs ??= createdMs;
  const pruned: number[] = [];
  if (meta.currentVersion - meta.oldestVersion >= maxVersions) {
    const lastToDrop = meta.currentVersion - maxVersions;
    for (let n = meta.oldestVersion; n <= lastToDrop; n++) {
      if (Object.hasOwn(meta.versions, String(n))) {
        delete meta.versions[String(n)];
        pruned.push(n);
      }
    }
    meta.oldestVersion = lastToDrop + 1;
  }
  return pruned;
}

/** Reads `options.cas` as Vault's weak decoding does; `undefined` when the caller sent none. */
export function casOption(options: Record<string, unknown> | undefined): number | undefined {
  if (!options || !Object.hasOwn(options, 'cas')) return undefined;
  const raw = options.cas;
  if (raw === null || raw === undefined || raw === '') return 0;
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'number' && Number.isFinite(raw)) return Math.trunc(raw);
  if (typeof raw === 'string' && /^[+-]?\d+$/.test(raw.trim())) return Number(raw.trim());
  throw VaultError.invalid('error parsing check-and-set parameter');
}

/** Vault's validateCheckAndSetOption: a given cas must equal current_version; a required one must be given. */
export function checkCas(cas: number | undefined, config: EngineConfig, meta: KeyMetadata): void {
  if (cas !== undefined) {
    if (cas !== meta.currentVersion) throw VaultError.invalid('check-and-set parameter did not match the current version');
  } else if (config.casRequired || meta.casRequired) {
    throw VaultError.invalid('check-and-set parameter required for this call');
  }
}

function timeWire(ms: number | null): string {
  return ms === null ? '' : formatRfc3339Nano(ms);
}

/** Vault decodes an empty map from storage as nil, so an empty custom_metadata reads as null. */
export function customMetadataWire(meta: KeyMetadata): Record<string, string> | null {
  return meta.customMetadata && Object.keys(meta.customMetadata).length > 0 ? { ...meta.customMetadata } : null;
}

/** The `metadata` block of a data/subkeys read, and the body of a write or patch. */
export function versionWire(meta: KeyMetadata, version: number, vm: VersionMetadata): Record<string, unknown> {
  return {
    created_time: timeWire(vm.createdMs),
    custom_metadata: customMetadataWire(meta),
    deletion_time: timeWire(vm.deletionMs),
    destroyed: vm.destroyed,
    version,
  };
}

/** GET metadata/<key>. */
export function keyMetadataWire(meta: KeyMetadata): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const [n, vm] of Object.entries(meta.versions)) {
    versions[n] = { created_time: timeWire(vm.createdMs), deletion_time: timeWire(vm.deletionMs), destroyed: vm.destroyed };
  }
  return {
    cas_required: meta.casRequired,
    created_time: timeWire(meta.createdMs),
    current_version: meta.currentVersion,
    custom_metadata: customMetadataWire(meta),
    delete_version_after: formatDuration(meta.deleteVersionAfterSec),
    max_versions: meta.maxVersions,
    oldest_version: meta.oldestVersion,
    updated_time: timeWire(meta.updatedMs),
    versions,
  };
}
