// A fresh database per test file on a shared cluster, so files never see each other's tables or grants.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { PostgresServer } from './postgres-cluster.js';

export interface TestDatabase extends PostgresServer {
  database: string;
  /** `postgresql://` URL of this database for the superuser, password included. */
  url: string;
  /** Runs SQL as the superuser in this database. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Logs in as `user` with `password`, runs `sql`, and disconnects; rejects when PostgreSQL refuses. */
  queryAs<R extends pg.QueryResultRow = pg.QueryResultRow>(user: string, password: string, sql: string): Promise<pg.QueryResult<R>>;
  /** Closes the superuser's connection and drops the database. */
  drop(): Promise<void>;
}

export function postgresUrl(server: PostgresServer, database: string, user = server.user, password = server.password): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${server.host}:${server.port}/${encodeURIComponent(database)}?sslmode=disable`;
}

export async function createTestDatabase(server: PostgresServer, prefix = 'coffer'): Promise<TestDatabase> {
  const database = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl(server, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  const client = new pg.Client({ connectionString: postgresUrl(server, database) });
  await client.connect();
  // The cluster stays up while files come and go: a dropped connection must not crash the test process.
  client.on('error', () => {});
  return {
    ...server,
    database,
    url: postgresUrl(server, database),
    query: (sql, values) => client.query(sql, values),
    async queryAs(user, password, sql) {
      const login = new pg.Client({ connectionString: postgresUrl(server, database, user, password) });
      login.on('error', () => {});
      await login.connect();
      try {
        return await login.query(sql);
      } finally {
        await login.end();
      }
    },
    async drop() {
      await client.end();
      const cleanup = new pg.Client({ connectionString: postgresUrl(server, 'postgres') });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
