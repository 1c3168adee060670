// KV v2 undelete/<key>: clears the deletion time of the listed versions and re-arms delete_version_after (vault-api.md V7).
import { definePath, type HandlerResult, type PathContext } from '@coffer/sdk';
import { readEngineConfig } from './engine-config.js';
import { readKeyMetadata, scheduledDeletionMs, versionOf, writeKeyMetadata } from './key-metadata.js';
import { invalidPathResult, layoutOf, type KvV2Engine } from './kv-v2-engine.js';
import { isStorableKey } from './storage-layout.js';
import { requireVersions, versionFields } from './versions-field.js';

export function undeletePath(engine: KvV2Engine) {
  async function undelete(ctx: PathContext<typeof versionFields>): Promise<HandlerResult | undefined> {
    if (ctx.path === 'undelete') return invalidPathResult(ctx.path, ctx.operation);
    const versions = requireVersions(ctx.data.versions, 'No version number provided');
    const key = ctx.data.path ?? '';
    if (!isStorableKey(key)) return undefined;
    const layout = layoutOf(ctx);
    await engine.atomically(ctx.storage, layout.metadata(key), async (storage) => {
      const config = await readEngineConfig(storage, layout);
      const meta = await readKeyMetadata(storage, layout, key);
      if (!meta) return;
      const nowMs = ctx.clock.now();
      for (const n of versions) {
        const vm = versionOf(meta, n);
        // Destroyed data is gone for good; any other version (deleted or not) restarts its clock.
        if (!vm || vm.destroyed) continue;
        vm.deletionMs = scheduledDeletionMs(nowMs, config, meta);
      }
      await writeKeyMetadata(storage, layout, meta);
    });
    return undefined;
  }

  return definePath({
    pattern: 'undelete/*path?',
    fields: versionFields,
    operations: {
      update: { summary: 'Undelete the given versions.', handler: undelete },
    },
    help: { synopsis: 'Undeletes one or more versions from the KV store.' },
  });
}
