// What every KV v2 path shares within one mount: the storage layout and the atomic unit.
import type { Atomically } from '@coffer/sdk';
import type { EngineConfigCache } from './engine-config.js';
import type { KvV2Layout } from './storage-layout.js';

export interface KvV2Engine {
  atomically: Atomically;
  config: EngineConfigCache;
  /** The mount's entry names; a mount keeps its uuid for life, so one layout serves every request. */
  layout: KvV2Layout;
}

/** Vault's answer to a v2 path that names no key, or a route that does not exist (backend.go pathInvalid). */
export function invalidPathResult(path: string, operation: string): { status: number; warnings: string[] } {
  if (['metadata', 'data', 'delete', 'undelete', 'destroy'].includes(path)) {
    return { status: 404, warnings: ['Non-listing operations on the root of a K/V v2 mount are not supported.'] };
  }
  const subCommand: Record<string, string> = { create: 'put', update: 'put', patch: 'patch', read: 'get', list: 'list', delete: 'delete' };
  return {
    status: 404,
    warnings: [
      `Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv ${subCommand[operation] ?? ''}' for this operation.`,
    ],
  };
}
