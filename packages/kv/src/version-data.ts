// The stored data of one KV v2 version, and its removal (destroy, pruning, metadata delete).
import { VaultError } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';
import { decodeJson, encodeJson, type KvV2Layout } from './storage-layout.js';

interface StoredVersion {
  data: Record<string, unknown>;
}

export async function writeVersionData(storage: Storage, layout: KvV2Layout, key: string, version: number, data: Record<string, unknown>): Promise<void> {
  const stored: StoredVersion = { data };
  await storage.put(layout.version(key, version), encodeJson(stored));
}

/** The data of a version, or undefined when none is stored. */
export async function findVersionData(storage: Storage, layout: KvV2Layout, key: string, version: number): Promise<Record<string, unknown> | undefined> {
  const bytes = await storage.get(layout.version(key, version));
  return bytes ? decodeJson<StoredVersion>(bytes).data : undefined;
}

/** The data of a version the metadata names live, read inside a unit: its absence is Vault's 500. */
export async function readVersionData(storage: Storage, layout: KvV2Layout, key: string, version: number): Promise<Record<string, unknown>> {
  const data = await findVersionData(storage, layout, key, version);
  if (data === undefined) throw VaultError.internal('could not find version data');
  return data;
}

/**
 * Removes the data of versions a write just pruned: every number from the previous oldest
 * version up to (not including) the new one, whether or not the metadata still listed it, so
 * data a crash left behind in that range goes too. No listing: this runs on most writes.
 */
export async function removePrunedVersionData(storage: Storage, layout: KvV2Layout, key: string, fromVersion: number, belowVersion: number): Promise<void> {
  for (let n = Math.max(fromVersion, 1); n < belowVersion; n++) await storage.delete(layout.version(key, n));
}

/**
 * Removes the data of every version of `key` (metadata delete). It lists the key's folder rather
 * than trusting the metadata, so data a crash left behind outside any pruned range goes too.
 */
export async function removeAllVersionData(storage: Storage, layout: KvV2Layout, key: string): Promise<void> {
  const folder = layout.versionsFolder(key);
  for (const name of await storage.list(folder)) {
    if (!name.endsWith('/')) await storage.delete(folder + name);
  }
}
