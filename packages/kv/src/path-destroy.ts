// KV v2 destroy/<key>: removes the data of the listed versions for good, keeping `destroyed: true` in metadata (vault-api.md V8).
import { definePath, type HandlerResult, type PathContext } from '@coffer/sdk';
import { readKeyMetadata, versionOf, writeKeyMetadata } from './key-metadata.js';
import { invalidPathResult, layoutOf, type KvV2Engine } from './kv-v2-engine.js';
import { isStorableKey } from './storage-layout.js';
import { requireVersions, versionFields } from './versions-field.js';

export function destroyPath(engine: KvV2Engine) {
  async function destroy(ctx: PathContext<typeof versionFields>): Promise<HandlerResult | undefined> {
    if (ctx.path === 'destroy') return invalidPathResult(ctx.path, ctx.operation);
    const versions = requireVersions(ctx.data.versions, 'no version number provided');
    const key = ctx.data.path ?? '';
    if (!isStorableKey(key)) return undefined;
    const layout = layoutOf(ctx);
    await engine.atomically(ctx.storage, layout.metadata(key), async (storage) => {
      const meta = await readKeyMetadata(storage, layout, key);
      if (!meta) return;
      for (const n of versions) {
        const vm = versionOf(meta, n);
        if (vm) vm.destroyed = true;
      }
      // Metadata first, as Vault does: a crash before the data is removed leaves a version that
      // already reads as destroyed, never one that reads live with its data missing.
      await writeKeyMetadata(storage, layout, meta);
      for (const n of versions) {
        if (Number.isSafeInteger(n) && n > 0) await storage.delete(layout.version(key, n));
      }
    });
    return undefined;
  }

  return definePath({
    pattern: 'destroy/*path?',
    fields: versionFields,
    operations: {
      update: { summary: 'Permanently remove the data of the given versions.', handler: destroy },
    },
    help: { synopsis: 'Permanently removes one or more versions in the KV store.' },
  });
}
