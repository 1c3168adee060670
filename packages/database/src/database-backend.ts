// The `database` secrets engine (builtin/logical/database) with its PostgreSQL plugin: connections, dynamic and static roles, leases.
import { defineBackend, type BackendFactory } from '@coffer/sdk';
import { ConnectionRegistry } from './connection-registry.js';
import { credentialPasswords } from './credential-passwords.js';
import { configPaths } from './path-config.js';
import { credsPath, credsSecret } from './path-creds.js';
import { rolePaths } from './path-roles.js';
import { rotateRootPath } from './path-rotate-root.js';
import { staticRolePaths } from './path-static-roles.js';
import { periodicPendingWork } from './pending-work.js';
import { StaticRotations } from './static-rotation.js';

export function createDatabaseBackend(): BackendFactory {
  return defineBackend((env) => {
    const deps = { random: env.random, clock: env.clock, crypto: env.crypto, logger: env.logger };
    const registry = new ConnectionRegistry(deps);
    const passwords = credentialPasswords(env);
    const rotations = new StaticRotations(env, registry, passwords);
    // Neither waits: a database that is down must not hold up the unseal that mounts this engine.
    const started = rotations.start().catch((error: unknown) => env.logger.log('error', 'database: could not load static roles', { error: String(error) }));
    const pending = periodicPendingWork({ env, deps, registry, rotations });
    return {
      type: 'database',
      help: 'The database secrets engine generates database credentials dynamically based on configured roles.',
      paths: [
        ...configPaths(registry, deps),
        rotateRootPath(env, registry, passwords),
        ...rolePaths(),
        credsPath(registry, passwords),
        ...staticRolePaths(registry, rotations),
      ],
      secrets: [credsSecret(registry)],
      rootPaths: ['config/*'],
      async cleanup() {
        try {
          await started;
          await Promise.all([rotations.stop(), pending.stop()]);
        } finally {
          await registry.closeAll();
        }
      },
    };
  });
}
