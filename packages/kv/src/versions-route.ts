// What delete/, undelete/ and destroy/ share: check the versions, then change the key's metadata in one atomic unit.
import type { Storage } from '@coffer/storage';
import type { HandlerResult, PathContext } from '@coffer/sdk';
import { readKeyMetadata, type KeyMetadata } from './key-metadata.js';
import { invalidPathResult, type KvV2Engine } from './kv-v2-engine.js';
import { isStorableKey, type KvV2Layout } from './storage-layout.js';
import { requireVersions, type versionFields } from './versions-field.js';

export interface VersionsChange {
  storage: Storage;
  layout: KvV2Layout;
  key: string;
  meta: KeyMetadata;
  versions: readonly number[];
  nowMs: number;
}

/**
 * A handler for `<route>/<key>`: the bare route is Vault's invalid-path answer, no versions is
 * a 400 with `missingVersions`, and a key without metadata is a quiet no-op (204).
 */
export function versionsRoute(engine: KvV2Engine, route: string, missingVersions: string, change: (unit: VersionsChange) => Promise<void>) {
  return async (ctx: PathContext<typeof versionFields>): Promise<HandlerResult | undefined> => {
    if (ctx.path === route) return invalidPathResult(ctx.path, ctx.operation);
    const versions = requireVersions(ctx.data.versions, missingVersions);
    const key = ctx.data.path ?? '';
    if (!isStorableKey(key)) return undefined;
    const layout = engine.layout;
    await engine.atomically(ctx.storage, layout.metadata(key), async (storage) => {
      const meta = await readKeyMetadata(storage, layout, key);
      if (meta) await change({ storage, layout, key, meta, versions, nowMs: ctx.clock.now() });
    });
    return undefined;
  };
}
