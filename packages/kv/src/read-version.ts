// What data/ and subkeys/ reads share: the requested (or latest) version of a key, read without a lock.
import { VaultError, type PathContext } from '@coffer/sdk';
import { isDeleted, readKeyMetadata, versionOf, versionWire } from './key-metadata.js';
import type { KvV2Engine } from './kv-v2-engine.js';
import { findVersionData } from './version-data.js';

export interface ReadVersion {
  /** The version's metadata as Vault answers it. */
  metadata: Record<string, unknown>;
  /** Undefined when the version is deleted or destroyed: Vault's 404 that still carries metadata (§5 #3). */
  data: Record<string, unknown> | undefined;
}

/**
 * 404 when the key or the version is unknown. `version` 0 means the latest.
 *
 * Reads take no lock and open no transaction: a read is most of a vault's traffic and must not
 * queue behind writers. Writers store a version's data before the metadata that names it and
 * drop data only after the metadata stopped naming it live, so the one race a reader can lose is
 * metadata read just before a destroy, a prune or a delete of the whole key removed the data.
 * Reading the metadata again then gives the answer a reader arriving a moment later would get.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function readVersion(engine: KvV2Engine, ctx: PathContext<any>, key: string, version: number): Promise<ReadVersion> {
  const layout = engine.layout;
  for (let attempt = 0; ; attempt++) {
    const meta = await readKeyMetadata(ctx.storage, layout, key);
    if (!meta) throw VaultError.notFound();
    const number = version > 0 ? version : meta.currentVersion;
    const vm = versionOf(meta, number);
    if (!vm) throw VaultError.notFound();
    const metadata = versionWire(meta, number, vm);
    if (isDeleted(vm, ctx.clock.now()) || vm.destroyed) return { metadata, data: undefined };
    const data = await findVersionData(ctx.storage, layout, key, number);
    if (data !== undefined) return { metadata, data };
    if (attempt === 1) throw VaultError.internal('could not find version data');
  }
}
