// KV v2 metadata/<key>: list keys, read/write/patch key settings and custom_metadata, delete a key for good (vault-api.md V9–V13).
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import { parseCustomMetadata } from './custom-metadata.js';
import { emptyKeyMetadata, hasKeyMetadata, keyMetadataWire, readKeyMetadata, versionOf, writeKeyMetadata, type KeyMetadata } from './key-metadata.js';
import { invalidPathResult, type KvV2Engine } from './kv-v2-engine.js';
import { asFolder, checkKeyPath, isListablePrefix, isStorableKey } from './storage-layout.js';
import { removeAllVersionData } from './version-data.js';

const fields = {
  path: field.string('Location of the secret.'),
  exclude_deleted: field.bool('List: leave out keys whose latest version is deleted.', { default: false }),
  cas_required: field.bool('If true the key will require the cas parameter to be set on all write requests.'),
  max_versions: field.int("The number of versions to keep. If not set, the backend's configured max version is used."),
  delete_version_after: field.duration('The length of time before a version is deleted. A zero duration clears the current setting.'),
  custom_metadata: field.map('User-provided key-value pairs that describe the secret, shared by all its versions.'),
};
type Ctx = PathContext<typeof fields>;

const CAS_REQUIRED_WARNING = '"cas_required" set to false, but is mandated by backend config. This value will be ignored.';

function checkMaxVersions(value: number | undefined): void {
  if (value !== undefined && value < 0) throw VaultError.invalid('max_versions cannot be negative');
}

export function metadataPath(engine: KvV2Engine) {
  async function list(ctx: Ctx): Promise<HandlerResult> {
    const prefix = asFolder(ctx.data.path ?? '');
    if (!isListablePrefix(prefix)) throw VaultError.notFound();
    const layout = engine.layout;
    let keys = await ctx.storage.list(layout.metadataFolder(prefix));
    if (ctx.data.exclude_deleted) {
      const kept: string[] = [];
      for (const name of keys) {
        const meta = name.endsWith('/') ? undefined : await readKeyMetadata(ctx.storage, layout, prefix + name);
        // Vault checks only whether a deletion time is set, scheduled ones included.
        if (meta && versionOf(meta, meta.currentVersion)?.deletionMs != null) continue;
        kept.push(name);
      }
      keys = kept;
    }
    if (keys.length === 0) throw VaultError.notFound();
    return { data: { keys } };
  }

  async function read(ctx: Ctx): Promise<HandlerResult | undefined> {
    if (ctx.path === 'metadata') return invalidPathResult(ctx.path, ctx.operation);
    const key = ctx.data.path ?? '';
    if (!isStorableKey(key)) throw VaultError.notFound();
    const layout = engine.layout;
    const meta = await engine.atomically(ctx.storage, layout.metadata(key), (storage) => readKeyMetadata(storage, layout, key));
    if (!meta) throw VaultError.notFound();
    return { data: keyMetadataWire(meta) };
  }

  async function write(ctx: Ctx): Promise<HandlerResult | undefined> {
    if (ctx.path === 'metadata') return invalidPathResult(ctx.path, ctx.operation);
    const key = ctx.data.path ?? '';
    if (key === '') throw VaultError.invalid('missing path');
    const { max_versions: maxVersions, cas_required: casRequired, delete_version_after: dvaSec, custom_metadata: customRaw } = ctx.data;
    if (maxVersions === undefined && casRequired === undefined && dvaSec === undefined && customRaw === undefined) return undefined;
    checkKeyPath(key);
    checkMaxVersions(maxVersions);
    const custom = customRaw === undefined ? undefined : (parseCustomMetadata(customRaw, false) as Record<string, string>);
    const layout = engine.layout;
    return engine.atomically(ctx.storage, layout.metadata(key), async (storage) => {
      const config = await engine.config.read(storage, layout);
      const nowMs = ctx.clock.now();
      const meta: KeyMetadata = (await readKeyMetadata(storage, layout, key)) ?? {
        ...emptyKeyMetadata(key),
        createdMs: nowMs,
        updatedMs: nowMs,
      };
      if (maxVersions !== undefined) meta.maxVersions = maxVersions;
      if (casRequired !== undefined) meta.casRequired = casRequired;
      if (dvaSec !== undefined) meta.deleteVersionAfterSec = dvaSec;
      if (custom !== undefined) meta.customMetadata = custom;
      await writeKeyMetadata(storage, layout, meta);
      return casRequired === false && config.casRequired ? { warnings: [CAS_REQUIRED_WARNING] } : undefined;
    });
  }

  async function patch(ctx: Ctx): Promise<HandlerResult | undefined> {
    if (ctx.path === 'metadata') return invalidPathResult(ctx.path, ctx.operation);
    const key = ctx.data.path ?? '';
    if (key === '') throw VaultError.invalid('missing path');
    // A null member of a merge patch resets the setting; the framework turns nulls into "absent", so read them raw.
    const sent = (name: keyof typeof fields): boolean => Object.hasOwn(ctx.raw, name) && ctx.raw[name] !== undefined;
    const isNull = (name: keyof typeof fields): boolean => sent(name) && ctx.raw[name] === null;
    checkMaxVersions(ctx.data.max_versions);
    const customPatch = ctx.data.custom_metadata === undefined ? undefined : parseCustomMetadata(ctx.data.custom_metadata, true);
    if (!isStorableKey(key)) throw VaultError.notFound();
    const layout = engine.layout;
    return engine.atomically(ctx.storage, layout.metadata(key), async (storage) => {
      const meta = await readKeyMetadata(storage, layout, key);
      if (!meta) throw VaultError.notFound();
      const config = await engine.config.read(storage, layout);
      if (sent('max_versions')) meta.maxVersions = ctx.data.max_versions ?? 0;
      if (sent('cas_required')) meta.casRequired = ctx.data.cas_required ?? false;
      if (sent('delete_version_after')) meta.deleteVersionAfterSec = ctx.data.delete_version_after ?? 0;
      if (isNull('custom_metadata')) meta.customMetadata = null;
      else if (customPatch !== undefined) {
        const merged: Record<string, string> = { ...meta.customMetadata };
        for (const [name, value] of Object.entries(customPatch)) {
          if (value === null) delete merged[name];
          else merged[name] = value;
        }
        meta.customMetadata = merged;
      }
      await writeKeyMetadata(storage, layout, meta);
      return ctx.data.cas_required === false && config.casRequired ? { warnings: [CAS_REQUIRED_WARNING] } : undefined;
    });
  }

  async function remove(ctx: Ctx): Promise<HandlerResult | undefined> {
    if (ctx.path === 'metadata') return invalidPathResult(ctx.path, ctx.operation);
    const key = ctx.data.path ?? '';
    if (!isStorableKey(key)) return undefined;
    const layout = engine.layout;
    await engine.atomically(ctx.storage, layout.metadata(key), async (storage) => {
      // Metadata first: once it is gone no read reaches the versions, and a crash before the sweep
      // finishes leaves only unreferenced data, which this same call sweeps when repeated.
      await storage.delete(layout.metadata(key));
      await removeAllVersionData(storage, layout, key);
    });
    return undefined;
  }

  return definePath({
    pattern: 'metadata/*path?',
    fields,
    exists: async (ctx) => {
      const key = ctx.data.path ?? '';
      if (!isStorableKey(key)) return false;
      return hasKeyMetadata(ctx.storage, engine.layout, key);
    },
    operations: {
      list: { summary: 'List the keys below a prefix.', handler: list },
      read: { summary: "Read a key's metadata and its versions.", handler: read },
      create: { summary: "Write a key's settings and custom_metadata.", handler: write },
      update: { summary: "Write a key's settings and custom_metadata.", handler: write },
      patch: { summary: "Merge-patch a key's settings and custom_metadata.", handler: patch },
      delete: { summary: 'Delete a key, its metadata and every version, permanently.', handler: remove },
    },
    help: {
      synopsis: 'Allows interaction with key metadata and settings in the KV store.',
      description: 'Read information about a key, write its settings, and permanently delete a key and all its versions.',
    },
  });
}
