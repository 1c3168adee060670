// database/rotate-root/:name (vault-api.md D5): a new root password only the vault knows, written ahead so a crash cannot lose it.
import { definePath, field, randomUuid, VaultError, type BackendEnv } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';
import type { ConnectionRegistry } from './connection-registry.js';
import type { CredentialPasswords } from './credential-passwords.js';
import { connections, pendingWork } from './database-storage.js';
import { DatabaseOperationError } from './postgres-database.js';

export function rotateRootPath(env: BackendEnv, registry: ConnectionRegistry, passwords: CredentialPasswords) {
  /**
   * Runs with the connection held (ConnectionRegistry.exclusive): every change of a connection's
   * config happens under that hold and updates the registry, so the config it has is the stored one.
   */
  async function rotateRoot(storage: Storage, name: string): Promise<void> {
    const { config, database } = await registry.get(storage, name);
    const username = config.settings.username;
    if (!username) throw VaultError.invalid('unable to rotate root credentials: no username in configuration');
    const newPassword = await passwords.generate(config.passwordPolicy);
    const walId = randomUuid(env.random);
    await pendingWork.write(storage, walId, { kind: 'root-rotation', connection: name, newPassword, createdMs: env.clock.now() });
    try {
      await database.changePassword(username, newPassword, config.rootRotationStatements);
    } catch (error) {
      // Refused by PostgreSQL: the old password still holds. A lost connection leaves the record for the clean-up pass to settle.
      if (error instanceof DatabaseOperationError && !error.connectionLost) await pendingWork.delete(storage, walId);
      throw error instanceof DatabaseOperationError ? VaultError.internal(`failed to update user: ${error.message}`) : error;
    }
    await connections.write(storage, name, { ...config, settings: { ...config.settings, password: newPassword } });
    // The pool logged in with the old password; the next use opens one with the new.
    await registry.close(name);
    await pendingWork.delete(storage, walId);
  }

  return definePath({
    pattern: 'rotate-root/:name',
    fields: { name: field.string('Name of the database connection.', { required: true, default: '' }) },
    operations: {
      update: {
        summary: 'Rotate the root password of the connection.',
        handler: async (ctx) => {
          await registry.exclusive(ctx.data.name, () => rotateRoot(ctx.storage, ctx.data.name));
          return undefined;
        },
      },
    },
    help: { synopsis: 'Request to rotate the root credentials for a certain database connection.' },
  });
}
