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

/**
 * The engine config, kept decoded between requests as Vault's kv plugin keeps its globalConfig:
 * every write reads it, and it changes rarely. `update` runs a change and drops what is kept,
 * and a read that raced with a change never stores what it read (the generation moved on).
 * Another process writing the same storage is not seen until this one changes the config or
 * restarts; storage change notifications are what will invalidate it there (DESIGN.md §9).
 */
export interface EngineConfigCache {
  read(storage: Storage, layout: KvV2Layout): Promise<EngineConfig>;
  update<T>(change: () => Promise<T>): Promise<T>;
}

export function createEngineConfigCache(): EngineConfigCache {
  let kept: EngineConfig | undefined;
  let generation = 0;
  return {
    async read(storage, layout) {
      if (kept) return { ...kept };
      const started = generation;
      const config = await readEngineConfig(storage, layout);
      if (generation === started) kept = { ...config };
      return config;
    },
    async update(change) {
      generation++;
      kept = undefined;
      try {
        return await change();
      } finally {
        generation++;
        kept = undefined;
      }
    },
  };
}
