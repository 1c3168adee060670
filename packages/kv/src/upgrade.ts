// KV v1 -> v2 upgrade of a tuned mount: every v1 entry becomes version 1 of a v2 key (vault-plugin-secrets-kv upgrade.go).
import { VaultError, type Atomically, type Clock, type Logger } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';
import { addVersion, emptyKeyMetadata, writeKeyMetadata } from './key-metadata.js';
import { decodeJson, encodeJson, type KvV2Layout } from './storage-layout.js';
import { writeVersionData } from './version-data.js';

/** What Vault answers while a mount's data is still being upgraded. */
export const UPGRADE_IN_PROGRESS_ERROR =
  'Upgrading from non-versioned to versioned data. This backend will be unavailable for a brief period and will resume service shortly.';

interface UpgradeMarker {
  startedMs: number;
  done: boolean;
}

export interface UpgradeDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  atomically: Atomically;
}

/** Every v1 entry below `folder`, depth first, leaving out the v2 data under the uuid folder. */
async function collectV1Keys(storage: Storage, layout: KvV2Layout, folder = ''): Promise<string[]> {
  const keys: string[] = [];
  for (const name of await storage.list(folder)) {
    const full = folder + name;
    if (full === layout.root) continue;
    if (name.endsWith('/')) keys.push(...(await collectV1Keys(storage, layout, full)));
    else keys.push(full);
  }
  return keys;
}

/**
 * Moves one v1 entry into version 1 of the v2 layout. Idempotent and crash-safe: the v1 entry
 * is deleted last, so a rerun after a crash finds it again and rewrites the same version 1 (the
 * upgrade completes before any v2 request is served, so nothing newer can be overwritten).
 */
async function upgradeKey(deps: UpgradeDeps, layout: KvV2Layout, key: string): Promise<void> {
  await deps.atomically(deps.storage, layout.metadata(key), async (storage) => {
    const bytes = await storage.get(key);
    if (!bytes) return;
    let data: unknown;
    try {
      data = decodeJson<unknown>(bytes);
    } catch {
      data = undefined;
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      deps.logger.log('warn', 'kv upgrade: left an entry that is not a JSON object in place', { key });
      return;
    }
    const nowMs = deps.clock.now();
    const meta = emptyKeyMetadata(key);
    // Vault adds the version with a max_versions of 1, so upgraded keys start at oldest_version 1.
    addVersion(meta, nowMs, null, 1);
    await writeVersionData(storage, layout, key, 1, data as Record<string, unknown>);
    await writeKeyMetadata(storage, layout, meta);
    await storage.delete(key);
  });
}

/** Runs the whole upgrade unless the marker says it is done; safe to rerun from any crash point. */
export async function runUpgrade(deps: UpgradeDeps, layout: KvV2Layout): Promise<void> {
  const markerBytes = await deps.storage.get(layout.upgrade);
  const marker = markerBytes ? decodeJson<UpgradeMarker>(markerBytes) : undefined;
  if (marker?.done) return;
  const started: UpgradeMarker = marker ?? { startedMs: deps.clock.now(), done: false };
  if (!marker) await deps.storage.put(layout.upgrade, encodeJson(started));
  const keys = await collectV1Keys(deps.storage, layout);
  if (keys.length > 0) deps.logger.log('info', 'kv upgrade: moving keys to the versioned layout', { keys: keys.length });
  for (const key of keys) await upgradeKey(deps, layout, key);
  await deps.storage.put(layout.upgrade, encodeJson({ ...started, done: true }));
}

/**
 * The per-instance gate every v2 request passes: the first request after the mount became v2
 * runs the upgrade and the ones arriving meanwhile wait for it. When it fails the request gets
 * Vault's "upgrading" 400 and the next request tries again.
 */
export function createUpgradeGate(deps: UpgradeDeps): (layout: KvV2Layout) => Promise<void> {
  let done = false;
  let running: Promise<void> | undefined;
  return async (layout) => {
    if (done) return;
    running ??= runUpgrade(deps, layout)
      .then(() => {
        done = true;
      })
      .finally(() => {
        running = undefined;
      });
    try {
      await running;
    } catch (error) {
      deps.logger.log('error', 'kv upgrade failed; it will be retried on the next request', { error: error instanceof Error ? error.message : String(error) });
      throw VaultError.invalid(UPGRADE_IN_PROGRESS_ERROR);
    }
  };
}
