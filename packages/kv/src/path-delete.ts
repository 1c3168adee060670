// KV v2 delete/<key>: soft-deletes the listed versions; deleted, destroyed and unknown ones are skipped (vault-api.md V6).
import { definePath, type HandlerResult, type PathContext } from '@coffer/sdk';
import { isDeleted, readKeyMetadata, versionOf, writeKeyMetadata } from './key-metadata.js';
import { invalidPathResult, layoutOf, type KvV2Engine } from './kv-v2-engine.js';
import { isStorableKey } from './storage-layout.js';
import { requireVersions, versionFields } from './versions-field.js';

export function deletePath(engine: KvV2Engine) {
  async function softDelete(ctx: PathContext<typeof versionFields>): Promise<HandlerResult | undefined> {
    if (ctx.path === 'delete') return invalidPathResult(ctx.path, ctx.operation);
    const versions = requireVersions(ctx.data.versions, 'No version number provided');
    const key = ctx.data.path ?? '';
    if (!isStorableKey(key)) return undefined;
    const layout = layoutOf(ctx);
    await engine.atomically(ctx.storage, layout.metadata(key), async (storage) => {
      const meta = await readKeyMetadata(storage, layout, key);
      if (!meta) return;
      const nowMs = ctx.clock.now();
      for (const n of versions) {
        const vm = versionOf(meta, n);
        if (!vm || vm.destroyed || isDeleted(vm, nowMs)) continue;
        vm.deletionMs = nowMs;
      }
      await writeKeyMetadata(storage, layout, meta);
    });
    return undefined;
  }

  return definePath({
    pattern: 'delete/*path?',
    fields: versionFields,
    operations: {
      update: { summary: 'Soft-delete the given versions.', handler: softDelete },
    },
    help: { synopsis: 'Marks one or more versions as deleted in the KV store.' },
  });
}
