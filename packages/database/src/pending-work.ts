// The clean-up pass over write-ahead records (Vault's rollback manager): finishes or undoes what a failure interrupted.
import type { BackendEnv, TimerHandle } from '@coffer/sdk';
import type { ConnectionRegistry } from './connection-registry.js';
import { connections, pendingWork, staticRoles, type PendingWork } from './database-storage.js';
import { PostgresDatabase, type DatabaseDeps } from './postgres-database.js';
import type { StaticRotations } from './static-rotation.js';

/** Vault's rollback manager runs once a minute. */
const PASS_INTERVAL_MS = 60_000;

export interface PendingWorkDeps {
  env: BackendEnv;
  deps: DatabaseDeps;
  registry: ConnectionRegistry;
  rotations: StaticRotations;
}

/** Settles one record; resolves to true when the record is now to be forgotten. */
async function settle(work: PendingWork, { env, deps, registry, rotations }: PendingWorkDeps): Promise<boolean> {
  switch (work.kind) {
    case 'orphan-user': {
      const { database } = await registry.get(env.storage, work.connection);
      await database.deleteUser(work.username, work.revocationStatements);
      return true;
    }
    case 'static-rotation': {
      // Setting the same password again finishes the rotation, whichever side it stopped on; the
      // rotation then forgets the record itself.
      if (!(await staticRoles.read(env.storage, work.role))) return true;
      await rotations.rotate(work.role);
      return false;
    }
    case 'root-rotation': {
      const config = await connections.read(env.storage, work.connection);
      if (!config) return true;
      // If the new password logs in, the database took it and the vault must keep it.
      const settings = { ...config.settings, password: work.newPassword };
      try {
        const probe = await PostgresDatabase.open(settings, deps, true);
        await probe.close();
      } catch (error) {
        // Refused: the old password still holds. Unreachable: try again next pass.
        return isRefusedLogin(error);
      }
      await connections.write(env.storage, work.connection, { ...config, settings });
      await registry.close(work.connection);
      return true;
    }
  }
}

function isRefusedLogin(error: unknown): boolean {
  return error instanceof Error && /password authentication failed/.test(error.message);
}

/** One pass over every record; failures stay for the next pass. */
export async function settlePendingWork(deps: PendingWorkDeps): Promise<void> {
  const { env } = deps;
  for (const id of await pendingWork.list(env.storage)) {
    const work = await pendingWork.read(env.storage, id);
    if (!work) continue;
    try {
      if (await settle(work, deps)) await pendingWork.delete(env.storage, id);
    } catch (error) {
      env.logger.log('warn', 'database: pending work not settled yet', { kind: work.kind, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** Runs the pass now and then every minute until `stop`. */
export function periodicPendingWork(deps: PendingWorkDeps): { stop(): Promise<void> } {
  let timer: TimerHandle | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = (): void => {
    running = settlePendingWork(deps).finally(() => {
      running = undefined;
      if (!stopped) timer = deps.env.clock.setTimer(PASS_INTERVAL_MS, run);
    });
  };
  run();
  return {
    async stop() {
      stopped = true;
      timer?.cancel();
      await running;
    },
  };
}
