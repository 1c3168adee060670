// KV v2 config: engine-wide max_versions, cas_required and delete_version_after (vault-api.md V1, path_config.go).
import { definePath, field, formatDuration, parseDurationSec, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import { DELETE_VERSION_AFTER_DISABLED, readEngineConfig, writeEngineConfig } from './engine-config.js';
import type { KvV2Engine } from './kv-v2-engine.js';

const fields = {
  max_versions: field.int('The number of versions to keep for each key. Defaults to 10.'),
  cas_required: field.bool('If true, the backend will require the cas parameter to be set for each write.'),
  // Signed (Vault's TypeSignedDurationSecond): a negative value disables delete_version_after on every key.
  delete_version_after: field.any('Time before a version is deleted; negative disables it for all keys, zero clears the setting.'),
};

function signedDurationSec(value: unknown): number {
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw VaultError.invalid('error converting input for field "delete_version_after": expected a duration');
  }
  try {
    return parseDurationSec(value);
  } catch {
    throw VaultError.invalid('error converting input for field "delete_version_after": invalid duration');
  }
}

export function configPath(engine: KvV2Engine) {
  async function read(ctx: PathContext<typeof fields>): Promise<HandlerResult> {
    const config = await engine.config.read(ctx.storage, engine.layout);
    return {
      data: {
        cas_required: config.casRequired,
        delete_version_after: formatDuration(config.deleteVersionAfterSec),
        max_versions: config.maxVersions,
      },
    };
  }

  async function write(ctx: PathContext<typeof fields>): Promise<HandlerResult | undefined> {
    const { max_versions: maxVersions, cas_required: casRequired, delete_version_after: dvaRaw } = ctx.data;
    if (maxVersions === undefined && casRequired === undefined && dvaRaw === undefined) return undefined;
    if (maxVersions !== undefined && maxVersions < 0) throw VaultError.invalid('max_versions cannot be negative');
    const dvaSec = dvaRaw === undefined ? undefined : signedDurationSec(dvaRaw);
    const layout = engine.layout;
    await engine.config.update(() =>
      engine.atomically(ctx.storage, layout.config, async (storage) => {
        const config = await readEngineConfig(storage, layout);
        if (maxVersions !== undefined) config.maxVersions = maxVersions;
        if (casRequired !== undefined) config.casRequired = casRequired;
        if (dvaSec !== undefined) config.deleteVersionAfterSec = dvaSec < 0 ? DELETE_VERSION_AFTER_DISABLED : dvaSec;
        await writeEngineConfig(storage, layout, config);
      }),
    );
    return undefined;
  }

  return definePath({
    pattern: 'config',
    fields,
    operations: {
      read: { summary: 'Read the engine configuration.', handler: read },
      update: { summary: 'Configure the engine.', handler: write },
    },
    help: { synopsis: 'Configures settings for the KV store.' },
  });
}
