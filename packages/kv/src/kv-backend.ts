// The `kv` mount type: KV v1 or v2 chosen per request from the mount's `options.version`, upgrading v1 data on the switch.
import { createAtomically, defineBackend, type Backend, type BackendFactory, type BackendRequest } from '@coffer/sdk';
import { createEngineConfigCache } from './engine-config.js';
import type { KvV2Engine } from './kv-v2-engine.js';
import { configPath } from './path-config.js';
import { dataPath } from './path-data.js';
import { deletePath } from './path-delete.js';
import { destroyPath } from './path-destroy.js';
import { invalidPath } from './path-invalid.js';
import { metadataPath } from './path-metadata.js';
import { subkeysPath } from './path-subkeys.js';
import { undeletePath } from './path-undelete.js';
import { v1Path } from './path-v1.js';
import { kvV2Layout } from './storage-layout.js';
import { createUpgradeGate } from './upgrade.js';

const V1_HELP =
  'The kv backend reads and writes arbitrary secrets to the backend. The secrets are encrypted/decrypted by Vault: they are never stored unencrypted in the backend.';
const V2_HELP =
  'This backend provides a versioned key-value store. Each key can have a configured number of versions, and versions can be retrieved based on their version numbers.';

/** Vault's `kv` plugin (vault-plugin-secrets-kv): `options.version` "2" is the versioned store, anything else the passthrough. */
export function createKvBackend(): BackendFactory {
  return async (env) => {
    const engine: KvV2Engine = { atomically: createAtomically(), config: createEngineConfigCache(), layout: kvV2Layout(env.mount().uuid, env.crypto) };
    const v1 = await defineBackend(() => ({ type: 'kv', help: V1_HELP, paths: [v1Path()] }))(env);
    const v2 = await defineBackend(() => ({
      type: 'kv',
      help: V2_HELP,
      // The catch-all stays last so the real routes match first.
      paths: [configPath(engine), dataPath(engine), metadataPath(engine), deletePath(engine), undeletePath(engine), destroyPath(engine), subkeysPath(engine), invalidPath()],
    }))(env);
    const upgraded = createUpgradeGate({ storage: env.storage, clock: env.clock, logger: env.logger, atomically: engine.atomically });

    /** Read at every request: a mount tuned from version 1 to 2 switches without being rebuilt. */
    async function current(request: BackendRequest): Promise<Backend> {
      const mount = env.mount();
      if (mount.options.version !== '2') return v1;
      if (request.operation !== 'help') await upgraded(engine.layout);
      return v2;
    }

    return {
      type: 'kv',
      unauthenticatedPaths: [],
      rootPaths: [],
      handle: async (request) => (await current(request)).handle(request),
      exists: async (request) => (await current(request)).exists(request),
      secret: () => undefined,
      cleanup: async () => {},
    };
  };
}
