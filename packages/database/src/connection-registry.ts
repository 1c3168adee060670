// The open connection pools of one mount, by connection name (Vault's databaseBackend.connections).
import { createKeyedMutex, VaultError } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';
import { connections, type ConnectionConfig } from './database-storage.js';
import { PostgresDatabase, type DatabaseDeps } from './postgres-database.js';

export interface OpenConnection {
  config: ConnectionConfig;
  database: PostgresDatabase;
}

/**
 * Pools open lazily on first use from the stored config, without verification (as Vault's
 * GetConnection does), and close when their config changes or goes, on reset, and at cleanup.
 */
export class ConnectionRegistry {
  private readonly open = new Map<string, Promise<OpenConnection>>();
  private readonly perConnection = createKeyedMutex();
  private closed = false;

  constructor(private readonly deps: DatabaseDeps) {}

  /**
   * Runs `fn` alone among the changes to connection `name`: config writes, deletes, resets, root
   * rotations and their clean-up. Each reads the stored config inside, so none writes back a
   * config (or a root password) another has replaced meanwhile.
   */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.perConnection.run(name, fn);
  }

  /** The connection `name`, opened from storage if it is not open yet. */
  async get(storage: Storage, name: string): Promise<OpenConnection> {
    const existing = this.open.get(name);
    if (existing) return existing;
    if (this.closed) throw VaultError.internal('the database mount is closing');
    const opening = (async () => {
      const config = await connections.read(storage, name);
      if (!config) throw VaultError.internal(`failed to find entry for connection with name: "${name}"`);
      return { config, database: await PostgresDatabase.open(config.settings, this.deps, false) };
    })();
    this.open.set(name, opening);
    opening.catch(() => {
      if (this.open.get(name) === opening) this.open.delete(name);
    });
    return opening;
  }

  /** Makes `connection` the one used for `name`, closing the one it replaces. */
  async replace(name: string, connection: OpenConnection): Promise<void> {
    if (this.closed) {
      // The mount was torn down while this connection was being verified.
      await connection.database.close();
      throw VaultError.internal('the database mount is closing');
    }
    const previous = this.open.get(name);
    this.open.set(name, Promise.resolve(connection));
    await closeQuietly(previous);
  }

  /** Closes `name`'s pool; the next use opens a new one from storage. */
  async close(name: string): Promise<void> {
    const previous = this.open.get(name);
    this.open.delete(name);
    await closeQuietly(previous);
  }

  /** Closes every pool (unmount, seal, vault close); nothing opens afterwards. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map(closeQuietly));
  }
}

async function closeQuietly(connection: Promise<OpenConnection> | undefined): Promise<void> {
  if (!connection) return;
  try {
    await (await connection).database.close();
  } catch {
    // A pool that never opened has nothing to close.
  }
}
