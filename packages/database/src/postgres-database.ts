// The postgresql-database-plugin: a connection pool and the user lifecycle Vault's PostgreSQL plugin runs (create, change, drop).
import pg from 'pg';
import type { Clock, Crypto, Logger, Random } from '@coffer/sdk';
import { clientSettingsOf, renderConnectionUrl, type ConnectionCredentials } from './connection-url.js';
import { DEFAULT_PASSWORD_STATEMENT, DEFAULT_RENEW_STATEMENT, formatExpiration, queriesOf, quoteIdentifier, renderQuery } from './statements.js';
import { scramSha256Verifier } from './scram-verifier.js';
import { compileUsernameTemplate, DEFAULT_USERNAME_TEMPLATE, type UsernameMetadata, type UsernameTemplate } from './username-template.js';

export const PASSWORD_AUTHENTICATIONS = ['password', 'scram-sha-256'] as const;
export type PasswordAuthentication = (typeof PASSWORD_AUTHENTICATIONS)[number];

/** A connection's settings as stored (connection_details). */
export interface ConnectionSettings extends ConnectionCredentials {
  maxOpenConnections: number;
  maxIdleConnections: number;
  maxConnectionLifetimeSec: number;
  usernameTemplate: string;
  passwordAuthentication: PasswordAuthentication;
}

export interface DatabaseDeps {
  random: Random;
  clock: Clock;
  crypto: Crypto;
  logger: Logger;
}

/**
 * A failure talking to the database, with every secret of the call replaced by `[password]`
 * (Vault's DatabaseErrorSanitizerMiddleware): PostgreSQL quotes the text near a syntax error, and
 * that text may be a password.
 */
export class DatabaseOperationError extends Error {
  override readonly name = 'DatabaseOperationError';
  constructor(
    message: string,
    /** The connection broke, as opposed to PostgreSQL refusing a statement. */
    readonly connectionLost: boolean,
    /** A user whose creation may have committed although the call failed, and who could not be dropped. */
    readonly orphanUsername?: string,
  ) {
    super(message);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return error.errors.map(messageOf).join('; ');
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}

/** An error PostgreSQL answered with (it carries an SQLSTATE), as opposed to a broken socket. */
function isServerError(error: unknown): boolean {
  return error instanceof pg.DatabaseError;
}

/** Ends the sessions `which` selects; through pg_stat_get_activity, as the pg_stat_activity view joins two catalogs for nothing here. */
function endSessionsQuery(which: string): string {
  return `SELECT pg_terminate_backend(s.pid) FROM pg_stat_get_activity(NULL) s WHERE ${which} AND s.pid <> pg_backend_pid()`;
}

/** The one thing a pooled connection is used for here. */
interface Session {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface NewUserRequest {
  metadata: UsernameMetadata;
  password: string;
  expiresAtMs: number;
  creationStatements: readonly string[];
  rollbackStatements: readonly string[];
  /** Used to drop the user again if creation fails after it may have committed. */
  revocationStatements: readonly string[];
}

/** How long to wait for a new connection before failing: an unreachable host must not hang a request. */
const CONNECT_TIMEOUT_MS = 15_000;
const QUERY_TIMEOUT_MS = 90_000;

export class PostgresDatabase {
  private pool: pg.Pool;
  private readonly usernames: UsernameTemplate;
  private readonly rootSecrets: string[];
  /** sslmode prefer/allow: TLS is tried first and dropped once if the server has none. */
  private tlsFallback: boolean;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly settings: ConnectionSettings,
    private readonly deps: DatabaseDeps,
  ) {
    this.usernames = compileUsernameTemplate(settings.usernameTemplate || DEFAULT_USERNAME_TEMPLATE, deps);
    this.rootSecrets = [settings.password, encodeURIComponent(settings.password)].filter((s) => s.length > 0);
    const { config, tlsFallback } = clientSettingsOf(renderConnectionUrl(settings));
    this.tlsFallback = tlsFallback;
    this.pool = this.createPool(config);
  }

  private createPool(config: pg.ClientConfig): pg.Pool {
    const open = this.settings.maxOpenConnections;
    const pool = new pg.Pool({
      ...config,
      max: open,
      // Go's database/sql keeps max_idle_connections idle; pg's pool keeps idle ones until a timeout.
      idleTimeoutMillis: this.settings.maxIdleConnections >= open ? 0 : 10_000,
      ...(this.settings.maxConnectionLifetimeSec > 0 ? { maxLifetimeSeconds: this.settings.maxConnectionLifetimeSec } : {}),
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // A query on a silently dropped connection must end, not hang every request behind it
      // (Vault bounds each request by max_request_duration, 90 s).
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
      // An embedded vault must never keep Node alive.
      allowExitOnIdle: true,
    });
    // An idle connection PostgreSQL closes (restart, pg_terminate_backend) is dropped from the
    // pool; without a listener the event would end the process.
    pool.on('error', (error) => this.deps.logger.log('warn', 'database: idle connection lost', { error: this.sanitize(messageOf(error)) }));
    return pool;
  }

  /** The server has no TLS and the mode allows plain TCP: the pool starts over without it. */
  private dropTls(error: unknown): boolean {
    if (!this.tlsFallback || !/does not support SSL/i.test(messageOf(error))) return false;
    this.tlsFallback = false;
    const old = this.pool;
    const { config } = clientSettingsOf(renderConnectionUrl(this.settings));
    this.pool = this.createPool({ ...config, ssl: false });
    void old.end().catch(() => undefined);
    return true;
  }

  /** Opens the pool; with `verify`, fails unless a connection can be made now (verify_connection). */
  static async open(settings: ConnectionSettings, deps: DatabaseDeps, verify: boolean): Promise<PostgresDatabase> {
    const database = new PostgresDatabase(settings, deps);
    if (verify) {
      try {
        await database.withClient([], (client) => client.query('SELECT 1'));
      } catch (error) {
        await database.close();
        throw new DatabaseOperationError(`error verifying connection: ${database.sanitize(messageOf(error))}`, true);
      }
    }
    return database;
  }

  private sanitize(message: string, extra: readonly string[] = []): string {
    let clean = message;
    for (const secret of [...this.rootSecrets, ...extra]) if (secret) clean = clean.replaceAll(secret, '[password]');
    return clean;
  }

  private fail(error: unknown, secrets: readonly string[], orphanUsername?: string): DatabaseOperationError {
    if (error instanceof DatabaseOperationError) return error;
    return new DatabaseOperationError(this.sanitize(messageOf(error), secrets), !isServerError(error), orphanUsername);
  }

  /**
   * Runs `fn` on a pooled connection. A connection that turns out dead on its first query (the
   * server restarted, an idle session was terminated) is discarded and `fn` runs once more on a
   * fresh one, as database/sql retries a bad connection.
   */
  private async withClient<T>(secrets: readonly string[], fn: (session: Session) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; ) {
      if (this.closing) throw new DatabaseOperationError('database connection is closed', true);
      const pool = this.pool;
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        // Another caller may have found out first that the server has no TLS: use its new pool.
        if (pool !== this.pool || this.dropTls(error)) continue;
        throw this.fail(error, secrets);
      }
      attempt++;
      // A connection that breaks while checked out emits 'error' with nobody listening (the
      // pool listens only to idle ones), which would end the process; the query fails anyway.
      let lost: Error | undefined;
      const onError = (error: Error): void => {
        lost = error;
      };
      client.on('error', onError);
      let queries = 0;
      const session: Session = {
        query: (text, values) => {
          queries++;
          return client.query(text, values);
        },
      };
      let broken: Error | undefined;
      try {
        return await fn(session);
      } catch (error) {
        if (!isServerError(error)) broken = error instanceof Error ? error : new Error(String(error));
        if (broken && attempt === 1 && queries <= 1) continue;
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken ?? lost);
      }
    }
  }

  private async passwordValue(password: string): Promise<string> {
    return this.settings.passwordAuthentication === 'scram-sha-256' ? scramSha256Verifier(password, this.deps.random, this.deps.crypto) : password;
  }

  /** Runs each query of `statements` with `values` in one transaction; a failure rolls all of it back. */
  private async inTransaction(client: Session, statements: readonly string[], values: Readonly<Record<string, string>>, onCommit?: () => void): Promise<void> {
    await client.query('BEGIN');
    try {
      for (const query of queriesOf(statements)) await client.query(renderQuery(query, values));
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    onCommit?.();
    await client.query('COMMIT');
  }

  /** Creates a user with the role's creation statements; returns its name. */
  async newUser(request: NewUserRequest): Promise<string> {
    if (queriesOf(request.creationStatements).length === 0) throw new DatabaseOperationError('empty creation statements', false);
    const username = this.usernames.generate(request.metadata);
    const secrets = [request.password];
    const values = {
      name: username,
      username,
      password: await this.passwordValue(request.password),
      expiration: formatExpiration(request.expiresAtMs),
    };
    let committing = false;
    try {
      await this.withClient(secrets, (client) =>
        this.inTransaction(client, request.creationStatements, values, () => {
          committing = true;
        }),
      );
      return username;
    } catch (error) {
      const failure = this.fail(error, secrets);
      if (request.rollbackStatements.length > 0) {
        await this.withClient(secrets, (client) => this.inTransaction(client, request.rollbackStatements, { name: username, username }))
          .catch((rollbackError: unknown) => this.deps.logger.log('warn', 'database: rollback statements failed', { error: this.sanitize(messageOf(rollbackError), secrets) }));
      }
      // The connection broke while COMMIT was on its way: the user may exist. Drop it now, or
      // report it so the engine keeps trying (no role may outlive a failed request).
      if (committing && failure.connectionLost) {
        try {
          await this.deleteUser(username, request.revocationStatements);
        } catch {
          throw new DatabaseOperationError(failure.message, true, username);
        }
      }
      throw failure;
    }
  }

  /** Moves the user's expiry (renewal). */
  async changeExpiration(username: string, expiresAtMs: number, statements: readonly string[]): Promise<void> {
    const values = { name: username, username, expiration: formatExpiration(expiresAtMs) };
    try {
      await this.withClient([], (client) => this.inTransaction(client, statements.length > 0 ? statements : [DEFAULT_RENEW_STATEMENT], values));
    } catch (error) {
      throw this.fail(error, []);
    }
  }

  /** Sets a new password (root rotation, static roles). */
  async changePassword(username: string, password: string, statements: readonly string[]): Promise<void> {
    const values = { name: username, username, password: await this.passwordValue(password) };
    try {
      await this.withClient([password], (client) => this.inTransaction(client, statements.length > 0 ? statements : [DEFAULT_PASSWORD_STATEMENT], values));
    } catch (error) {
      throw this.fail(error, [password]);
    }
  }

  /** Drops the user: the role's revocation statements, or Vault's default sequence. Dropping a missing user succeeds. */
  async deleteUser(username: string, statements: readonly string[]): Promise<void> {
    try {
      await this.withClient([], async (client) => {
        if (statements.length > 0) await this.inTransaction(client, statements, { name: username, username });
        else await this.defaultDeleteUser(client, username);
      });
    } catch (error) {
      throw this.fail(error, []);
    }
  }

  /**
   * Vault's default revocation: revoke what the user holds in each schema and in `public`, revoke
   * CONNECT, then drop it. Its open sessions are ended first (vault#8668: a dropped role's sessions
   * otherwise stay usable).
   */
  private async defaultDeleteUser(client: Session, username: string): Promise<void> {
    // Every user schema, rather than the schemas the user holds grants in: finding those means
    // reading every table's ACL, which grows with every user issued (16 ms at a thousand), while
    // a REVOKE of nothing is only a warning.
    const info = await client.query<{ oid: number; database: string; schemas: string[] }>(
      `SELECT r.oid::int AS oid,
              current_database() AS database,
              ARRAY(SELECT nspname::text FROM pg_namespace
                     WHERE nspname <> 'public' AND nspname <> 'information_schema' AND nspname !~ '^pg_'
                       AND has_schema_privilege(oid, 'USAGE')) AS schemas
         FROM pg_roles r WHERE r.rolname = $1`,
      [username],
    );
    const row = info.rows[0];
    // Gone already: dropped by hand, or by an earlier attempt whose reply was lost. That attempt
    // had ended its sessions before the drop, and none could start after its NOLOGIN.
    if (!row) return;
    const user = quoteIdentifier(username);
    const revocations: string[] = [];
    for (const schema of row.schemas) {
      revocations.push(`REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA ${quoteIdentifier(schema)} FROM ${user}`);
      revocations.push(`REVOKE USAGE ON SCHEMA ${quoteIdentifier(schema)} FROM ${user}`);
    }
    revocations.push(
      `REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM ${user}`,
      `REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public FROM ${user}`,
      `REVOKE USAGE ON SCHEMA public FROM ${user}`,
      `REVOKE CONNECT ON DATABASE ${quoteIdentifier(row.database)} FROM ${user}`,
    );
    // NOLOGIN is committed before the sessions are ended, so none can start in between and
    // outlive the role; sessions are picked by oid, which splices no name into SQL.
    const noLogin = `ALTER ROLE ${user} NOLOGIN`;
    const sessions = `s.usesysid = ${Number(row.oid)}`;
    const drop = `DROP ROLE IF EXISTS ${user}`;
    try {
      // One round trip in the usual case.
      await client.query(['BEGIN', ...revocations, noLogin, 'COMMIT', endSessionsQuery(sessions), drop].join(';\n'));
      return;
    } catch (error) {
      if (!isServerError(error)) throw error;
      await client.query('ROLLBACK');
    }
    // Like Vault, revoke as much as possible one by one, then drop; ending the sessions is best
    // effort, as an admin without pg_signal_backend may not.
    let last: unknown;
    for (const query of revocations) await client.query(query).catch((e: unknown) => (last = e));
    if (last) throw last;
    await client.query(noLogin);
    await this.endSessions(client, sessions);
    await client.query(drop);
  }

  /**
   * Ends sessions, as far as the vault's user may: without superuser or pg_signal_backend
   * PostgreSQL refuses, and that must not fail a revocation whose user is already dropped.
   */
  private async endSessions(client: Session, which: string): Promise<void> {
    try {
      await client.query(endSessionsQuery(which));
    } catch (error) {
      if (!isServerError(error)) throw error;
      this.deps.logger.log('warn', 'database: could not end the sessions of a revoked user', { error: this.sanitize(messageOf(error)) });
    }
  }

  /** Closes the pool once in-flight work is done; idempotent. */
  close(): Promise<void> {
    this.closing ??= this.pool.end().catch((error: unknown) => this.deps.logger.log('warn', 'database: closing the pool failed', { error: this.sanitize(messageOf(error)) }));
    return this.closing;
  }
}
