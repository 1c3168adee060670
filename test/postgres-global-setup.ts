// Vitest global setup: one throwaway PostgreSQL cluster for the whole run (DESIGN.md §7); each test file makes its own database in it.
import type { TestProject } from 'vitest/node';
// By path: global setup runs outside the test environment, without the coffer-source export condition.
import { startPostgresCluster, type PostgresServer } from '../packages/database/src/testing/postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresServer;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // No fallback and no skip: a suite that needs PostgreSQL fails when it cannot start.
  const cluster = await startPostgresCluster();
  project.provide('postgres', { host: cluster.host, port: cluster.port, user: cluster.user, password: cluster.password });
  return () => cluster.stop();
}
