// KV v2 data/<key>: write, read (?version=), JSON merge patch and soft delete of the latest version (vault-api.md V2–V5).
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';
import type { EngineConfig } from './engine-config.js';
import {
  addVersion,
  casOption,
  checkCas,
  effectiveMaxVersions,
  emptyKeyMetadata,
  isDeleted,
  hasKeyMetadata,
  readKeyMetadata,
  scheduledDeletionMs,
  versionOf,
  versionWire,
  writeKeyMetadata,
  type KeyMetadata,
} from './key-metadata.js';
import { invalidPathResult, type KvV2Engine } from './kv-v2-engine.js';
import { mergePatch } from './merge-patch.js';
import { readVersion } from './read-version.js';
import { checkKeyPath, isStorableKey, type KvV2Layout } from './storage-layout.js';
import { readVersionData, removePrunedVersionData, writeVersionData } from './version-data.js';

const fields = {
  path: field.string('Location of the secret.'),
  version: field.int('If provided during a read, the value at the version number will be returned.'),
  options: field.map('Options for writing a KV entry: "cas" makes the write a check-and-set.'),
  data: field.map('The contents of the data map will be stored and returned on read.'),
};
type Ctx = PathContext<typeof fields>;

/** Vault's data route refuses an empty key and a trailing slash; those fall through to the invalid-path answer. */
function keyOf(ctx: Ctx): string | undefined {
  const key = ctx.data.path ?? '';
  return key === '' || key.endsWith('/') ? undefined : key;
}

/** Stores `data` as the next version, prunes past max_versions, and answers with the new version's metadata. */
async function appendVersion(ctx: Ctx, storage: Storage, layout: KvV2Layout, config: EngineConfig, meta: KeyMetadata, data: Record<string, unknown>): Promise<HandlerResult> {
  const nowMs = ctx.clock.now();
  const deletionMs = scheduledDeletionMs(nowMs, config, meta);
  const version = meta.currentVersion + 1;
  // Data before metadata: a crash in between leaves unreferenced data the next write of this version overwrites.
  await writeVersionData(storage, layout, meta.key, version, data);
  const previousOldest = meta.oldestVersion;
  const pruned = addVersion(meta, nowMs, deletionMs, effectiveMaxVersions(config, meta));
  await writeKeyMetadata(storage, layout, meta);
  if (pruned.length > 0) await removePrunedVersionData(storage, layout, meta.key, previousOldest, meta.oldestVersion);
  return { data: versionWire(meta, version, meta.versions[String(version)]!) };
}

export function dataPath(engine: KvV2Engine) {
  async function read(ctx: Ctx): Promise<HandlerResult | undefined> {
    const key = keyOf(ctx);
    if (key === undefined) return invalidPathResult(ctx.path, ctx.operation);
    if (!isStorableKey(key)) throw VaultError.notFound();
    const { metadata, data } = await readVersion(engine, ctx, key, ctx.data.version ?? 0);
    // Vault §5 #3: a deleted or destroyed version is a 404 that still carries its metadata.
    if (data === undefined) return { status: 404, data: { data: null, metadata } };
    return { data: { data, metadata } };
  }

  async function write(ctx: Ctx): Promise<HandlerResult | undefined> {
    const key = keyOf(ctx);
    if (key === undefined) return invalidPathResult(ctx.path, ctx.operation);
    const data = ctx.data.data;
    if (data === undefined) throw VaultError.invalid('no data provided');
    checkKeyPath(key);
    const cas = casOption(ctx.data.options);
    const layout = engine.layout;
    return engine.atomically(ctx.storage, layout.metadata(key), async (storage) => {
      const config = await engine.config.read(storage, layout);
      const meta = (await readKeyMetadata(storage, layout, key)) ?? emptyKeyMetadata(key);
      checkCas(cas, config, meta);
      return appendVersion(ctx, storage, layout, config, meta, data);
    });
  }

  async function patch(ctx: Ctx): Promise<HandlerResult | undefined> {
    const key = keyOf(ctx);
    if (key === undefined) return invalidPathResult(ctx.path, ctx.operation);
    const patchData = ctx.data.data;
    if (patchData === undefined) throw VaultError.invalid('no data provided');
    if (!isStorableKey(key)) throw VaultError.notFound();
    const cas = casOption(ctx.data.options);
    const layout = engine.layout;
    return engine.atomically(ctx.storage, layout.metadata(key), async (storage) => {
      const meta = await readKeyMetadata(storage, layout, key);
      if (!meta) throw VaultError.notFound();
      const config = await engine.config.read(storage, layout);
      checkCas(cas, config, meta);
      const current = versionOf(meta, meta.currentVersion);
      if (!current) throw VaultError.notFound();
      // Unlike a read, Vault's patch answers a deleted or destroyed latest version with the flat metadata.
      if (isDeleted(current, ctx.clock.now()) || current.destroyed) return { status: 404, data: versionWire(meta, meta.currentVersion, current) };
      const existing = await readVersionData(storage, layout, key, meta.currentVersion);
      const patched = mergePatch(existing, patchData) as Record<string, unknown>;
      return appendVersion(ctx, storage, layout, config, meta, patched);
    });
  }

  async function softDeleteLatest(ctx: Ctx): Promise<HandlerResult | undefined> {
    const key = keyOf(ctx);
    if (key === undefined) return invalidPathResult(ctx.path, ctx.operation);
    if (!isStorableKey(key)) return undefined;
    const layout = engine.layout;
    return engine.atomically(ctx.storage, layout.metadata(key), async (storage) => {
      const meta = await readKeyMetadata(storage, layout, key);
      const latest = meta && versionOf(meta, meta.currentVersion);
      const nowMs = ctx.clock.now();
      if (!meta || !latest || latest.destroyed || isDeleted(latest, nowMs)) return undefined;
      latest.deletionMs = nowMs;
      await writeKeyMetadata(storage, layout, meta);
      return undefined;
    });
  }

  return definePath({
    pattern: 'data/*path?',
    fields,
    exists: async (ctx) => {
      const key = keyOf(ctx);
      if (key === undefined || !isStorableKey(key)) return false;
      return hasKeyMetadata(ctx.storage, engine.layout, key);
    },
    operations: {
      read: { summary: 'Read a version of the secret.', handler: read },
      create: { summary: 'Write a new version of the secret.', handler: write },
      update: { summary: 'Write a new version of the secret.', handler: write },
      patch: { summary: 'Merge-patch the latest version into a new version.', handler: patch },
      delete: { summary: 'Soft-delete the latest version.', handler: softDeleteLatest },
      list: { summary: 'Listing is not supported on data/.', handler: (ctx) => invalidPathResult(ctx.path, ctx.operation) },
    },
    help: {
      synopsis: 'Write, Patch, Read, and Delete data in the Key-Value Store.',
      description: 'Each write creates a new version; reads return the latest version unless "version" is set; deletes are soft and can be undone.',
    },
  });
}
