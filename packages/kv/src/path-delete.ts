// KV v2 delete/<key>: soft-deletes the listed versions; deleted, destroyed and unknown ones are skipped (vault-api.md V6).
import { definePath } from '@coffer/sdk';
import { isDeleted, versionOf, writeKeyMetadata } from './key-metadata.js';
import type { KvV2Engine } from './kv-v2-engine.js';
import { versionFields } from './versions-field.js';
import { versionsRoute } from './versions-route.js';

export function deletePath(engine: KvV2Engine) {
  const softDelete = versionsRoute(engine, 'delete', 'No version number provided', async ({ storage, layout, meta, versions, nowMs }) => {
    for (const n of versions) {
      const vm = versionOf(meta, n);
      if (!vm || vm.destroyed || isDeleted(vm, nowMs)) continue;
      vm.deletionMs = nowMs;
    }
    await writeKeyMetadata(storage, layout, meta);
  });

  return definePath({
    pattern: 'delete/*path?',
    fields: versionFields,
    operations: {
      update: { summary: 'Soft-delete the given versions.', handler: softDelete },
    },
    help: { synopsis: 'Marks one or more versions as deleted in the KV store.' },
  });
}
