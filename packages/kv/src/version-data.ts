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
 * Removes the data of every version of `key` numbered below `belowVersion` (all of them when
 * undefined). It lists the key's folder rather than trusting the metadata, so data a crash left
 * behind after its metadata moved on is swept up by the next prune or delete.
 */
export async function removeVersionData(storage: Storage, layout: KvV2Layout, key: string, belowVersion?: number): Promise<void> {
  const folder = layout.versionsFolder(key);
  for (const name of await storage.list(folder)) {
    if (name.endsWith('/')) continue;
    const n = Number(name);
    if (belowVersion === undefined || (Number.isInteger(n) && n < belowVersion)) await storage.delete(folder + name);
  }
}
