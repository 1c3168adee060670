// KV v2 destroy/<key>: removes the data of the listed versions for good, keeping `destroyed: true` in metadata (vault-api.md V8).
import { definePath } from '@coffer/sdk';
import { versionOf, writeKeyMetadata } from './key-metadata.js';
import type { KvV2Engine } from './kv-v2-engine.js';
import { versionFields } from './versions-field.js';
import { versionsRoute } from './versions-route.js';

export function destroyPath(engine: KvV2Engine) {
  const destroy = versionsRoute(engine, 'destroy', 'no version number provided', async ({ storage, layout, key, meta, versions }) => {
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

  return definePath({
    pattern: 'destroy/*path?',
    fields: versionFields,
    operations: {
      update: { summary: 'Permanently remove the data of the given versions.', handler: destroy },
    },
    help: { synopsis: 'Permanently removes one or more versions in the KV store.' },
  });
}
