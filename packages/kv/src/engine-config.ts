// KV v2 engine-wide settings at <mount>/config (path_config.go, delete_version_after.go).
import type { Storage } from '@coffer/storage';
import { decodeJson, encodeJson, type KvV2Layout } from './storage-layout.js';

export interface EngineConfig {
  /** 0 means "not set": the key's value, or 10 when both are 0. */
  maxVersions: number;
  casRequired: boolean;
  /** 0 = not set; -1 = disabled for every key (Vault stores any negative input as -1s). */
  deleteVersionAfterSec: number;
}

export const DEFAULT_MAX_VERSIONS = 10;
export const DELETE_VERSION_AFTER_DISABLED = -1;

export async function readEngineConfig(storage: Storage, layout: KvV2Layout): Promise<EngineConfig> {
  const bytes = await storage.get(layout.config);
  const stored = bytes ? decodeJson<Partial<EngineConfig>>(bytes) : {};
  return {
    maxVersions: stored.maxVersions ?? 0,
    casRequired: stored.casRequired ?? false,
    deleteVersionAfterSec: stored.deleteVersionAfterSec ?? 0,
  };
}

export async function writeEngineConfig(storage: Storage, layout: KvV2Layout, config: EngineConfig): Promise<void> {
  await storage.put(layout.config, encodeJson(config));
}
