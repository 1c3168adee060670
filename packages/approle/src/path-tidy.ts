// auth/<mount>/tidy/secret-id (vault-api.md R13): expired secret ids and dangling accessors go.
import { definePath, startPeriodicTask, type BackendEnv, type HandlerResult, type PeriodicTask } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';
import type { AppRoleStore } from './approle-storage.js';

/** Removes every expired secret id, then every accessor whose secret id is gone. */
export async function tidySecretIds(store: AppRoleStore, storage: Storage, nowMs: number): Promise<void> {
  for (const name of await store.listRoles(storage)) {
    const role = await store.readRole(storage, name);
    if (!role) continue;
    for (const hmac of await store.listSecretIdHmacs(storage, role)) {
      await store.secretIdUnit(storage, hmac, async (unit) => {
        const entry = await store.readSecretId(unit, role, hmac);
        if (entry && entry.expirationTimeMs !== 0 && entry.expirationTimeMs <= nowMs) await store.deleteSecretId(unit, role, hmac);
      });
    }
  }
  for (const { key, entry } of await store.listAccessors(storage)) {
    // In the secret id's unit: an issue writes the accessor just before the secret id.
    await store.secretIdUnit(storage, entry.secretIdHmac, async (unit) => {
      const role = await store.readRole(unit, entry.roleName);
      if (!role || !(await store.readSecretId(unit, role, entry.secretIdHmac))) await unit.delete(key);
    });
  }
}

export function tidyPath(store: AppRoleStore) {
  return definePath({
    pattern: 'tidy/secret-id',
    fields: {},
    operations: {
      update: {
        summary: 'Remove expired secret ids and dangling accessors.',
        handler: async (ctx): Promise<HandlerResult> => {
          await tidySecretIds(store, ctx.storage, ctx.clock.now());
          return { status: 202, data: {}, warnings: ["Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."] };
        },
      },
    },
    help: { synopsis: 'Trigger the clean-up of expired secret ids.' },
  });
}

/** How often expired secret ids are swept without being asked (Vault: about once a minute). */
const TIDY_INTERVAL_MS = 60_000;

/** Runs the tidy every minute on the mount's clock until `stop` (unmount or seal), which waits for a run in progress. */
export function periodicTidy(env: BackendEnv, store: AppRoleStore): PeriodicTask {
  return startPeriodicTask(
    { clock: env.clock, logger: env.logger, intervalMs: TIDY_INTERVAL_MS, failure: 'approle: periodic tidy of secret ids failed' },
    () => tidySecretIds(store, env.storage, env.clock.now()),
  );
}
