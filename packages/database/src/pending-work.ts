// The clean-up pass over write-ahead records (Vault's rollback manager): finishes or undoes what a failure interrupted.
import { startPeriodicTask, type BackendEnv, type PeriodicTask } from '@coffer/sdk';
import type { ConnectionRegistry } from './connection-registry.js';
import { connections, pendingWork, type PendingWork } from './database-storage.js';
import { PostgresDatabase, type DatabaseDeps } from './postgres-database.js';
import type { StaticRotations } from './static-rotation.js';

/** Vault's rollback manager runs once a minute. */
const PASS_INTERVAL_MS = 60_000;
/**
 * Records younger than this belong to work that may still be running (Vault's
 * minRootCredRollbackAge): settling them could undo a rotation in flight.
 */
const MIN_AGE_MS = 60_000;

export interface PendingWorkDeps {
  env: BackendEnv;
  deps: DatabaseDeps;
  registry: ConnectionRegistry;
  rotations: StaticRotations;
}

function isRefusedLogin(error: unknown): boolean {
  return error instanceof Error && /password authentication failed/.test(error.message);
}

/** Settles one record, and forgets it once settled. */
async function settle(id: string, work: PendingWork, { env, deps, registry, rotations }: PendingWorkDeps): Promise<void> {
  switch (work.kind) {
    case 'orphan-user': {
      const { database } = await registry.get(env.storage, work.connection);
      await database.deleteUser(work.username, work.revocationStatements);
      await pendingWork.delete(env.storage, id);
      return;
    }
    case 'static-rotation':
      // Setting the same password again finishes the rotation, whichever side it stopped on.
      await rotations.finishPending(work.role, id);
      return;
    case 'root-rotation':
      await registry.exclusive(work.connection, async () => {
        if (!(await pendingWork.read(env.storage, id))) return;
        const config = await connections.read(env.storage, work.connection);
        if (config) {
          // If the new password logs in, the database took it and the vault must keep it.
          const settings = { ...config.settings, password: work.newPassword };
          try {
            const probe = await PostgresDatabase.open(settings, deps, true);
            await probe.close();
            await connections.write(env.storage, work.connection, { ...config, settings });
            await registry.close(work.connection);
          } catch (error) {
            // Unreachable: try again next pass. Refused: the old password still holds.
            if (!isRefusedLogin(error)) throw error;
          }
        }
        await pendingWork.delete(env.storage, id);
      });
      return;
  }
}

/** One pass over every record old enough, until `stopped()`; failures stay for the next pass. Never rejects. */
export async function settlePendingWork(deps: PendingWorkDeps, stopped: () => boolean = () => false): Promise<void> {
  const { env } = deps;
  try {
    for (const id of await pendingWork.list(env.storage)) {
      // Sealing or unmounting must not wait for every record against a database that may be down.
      if (stopped()) return;
      const work = await pendingWork.read(env.storage, id);
      if (!work || env.clock.now() - work.createdMs < MIN_AGE_MS) continue;
      try {
        await settle(id, work, deps);
      } catch (error) {
        env.logger.log('warn', 'database: pending work not settled yet', { kind: work.kind, error: error instanceof Error ? error.message : String(error) });
      }
    }
  } catch (error) {
    env.logger.log('warn', 'database: pending work could not be read', { error: error instanceof Error ? error.message : String(error) });
  }
}

/** Runs the pass now and then every minute until `stop`. */
export function periodicPendingWork(deps: PendingWorkDeps): PeriodicTask {
  const { clock, logger } = deps.env;
  return startPeriodicTask({ clock, logger, intervalMs: PASS_INTERVAL_MS, failure: 'database: pending work pass failed', immediately: true }, (stopped) => settlePendingWork(deps, stopped));
}
