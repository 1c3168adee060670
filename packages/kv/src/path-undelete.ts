// KV v2 undelete/<key>: clears the deletion time of the listed versions and re-arms delete_version_after (vault-api.md V7).
import { definePath } from '@coffer/sdk';
import { scheduledDeletionMs, versionOf, writeKeyMetadata } from './key-metadata.js';
import type { KvV2Engine } from './kv-v2-engine.js';
import { versionFields } from './versions-field.js';
import { versionsRoute } from './versions-route.js';

export function undeletePath(engine: KvV2Engine) {
  const undelete = versionsRoute(engine, 'undelete', 'No version number provided', async ({ storage, layout, meta, versions, nowMs }) => {
    const config = await engine.config.read(storage, layout);
    for (const n of versions) {
      const vm = versionOf(meta, n);
      // Destroyed data is gone for good; any other version (deleted or not) restarts its clock.
      if (!vm || vm.destroyed) continue;
      vm.deletionMs = scheduledDeletionMs(nowMs, config, meta);
    }
    await writeKeyMetadata(storage, layout, meta);
  });

  return definePath({
    pattern: 'undelete/*path?',
    fields: versionFields,
    operations: {
      update: { summary: 'Undelete the given versions.', handler: undelete },
    },
    help: { synopsis: 'Undeletes one or more versions from the KV store.' },
  });
}
