// What data/ and subkeys/ reads share: the requested (or latest) version of a key, read in one atomic unit.
import { VaultError, type PathContext } from '@coffer/sdk';
import { isDeleted, readKeyMetadata, versionOf, versionWire } from './key-metadata.js';
import { layoutOf, type KvV2Engine } from './kv-v2-engine.js';
import { readVersionData } from './version-data.js';

export interface ReadVersion {
  /** The version's metadata as Vault answers it. */
  metadata: Record<string, unknown>;
  /** Undefined when the version is deleted or destroyed: Vault's 404 that still carries metadata (§5 #3). */
  data: Record<string, unknown> | undefined;
}

/** 404 when the key or the version is unknown. `version` 0 means the latest. */
export async function readVersion(engine: KvV2Engine, ctx: PathContext, key: string, version: number): Promise<ReadVersion> {
  const layout = layoutOf(ctx);
  return engine.atomically(ctx.storage, layout.metadata(key), async (storage) => {
    const meta = await readKeyMetadata(storage, layout, key);
    if (!meta) throw VaultError.notFound();
    const number = version > 0 ? version : meta.currentVersion;
    const vm = versionOf(meta, number);
    if (!vm) throw VaultError.notFound();
    const metadata = versionWire(meta, number, vm);
    if (isDeleted(vm, ctx.clock.now()) || vm.destroyed) return { metadata, data: undefined };
    return { metadata, data: await readVersionData(storage, layout, key, number) };
  });
}
