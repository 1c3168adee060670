// Test helpers for the database engine: a throwaway PostgreSQL cluster, a database per test file, and a proxy that breaks connections.
export { findPostgresBinaries, startPostgresCluster, type PostgresCluster, type PostgresServer } from './postgres-cluster.js';
export { createTestDatabase, postgresUrl, type TestDatabase } from './test-database.js';
export { startChaosProxy, type ChaosProxy, type CutMoment } from './chaos-proxy.js';
