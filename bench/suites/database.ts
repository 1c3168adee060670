// S4: database credentials issued and revoked through handle(), against the raw SQL they run on the same server (performance.md §12).
import pg from 'pg';
import { createVault } from 'coffer';
import { createTestDatabase, startPostgresCluster } from '@coffer/database/testing';
import { compare, formatTable, judge, type BenchOptions, type GoalOutcome } from '../harness.js';

const DEFAULTS = { warmupMs: 250, sampleMs: 80, samples: 11 };

/** Vault's documented PostgreSQL role: create with a password and an expiry, grant read on the schema. */
const CREATION = `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";`;

export async function databaseSuite(options: BenchOptions): Promise<{ report: string; outcomes: GoalOutcome[] }> {
  const cluster = await startPostgresCluster();
  const db = await createTestDatabase(cluster, 'bench');
  const vault = await createVault({ dev: { rootTokenId: 'root' } });
  const raw = new pg.Client({ connectionString: db.url });
  try {
    for (const table of ['orders', 'customers', 'invoices']) await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, body text)`);
    await raw.connect();
    const root = (operation: 'read' | 'update', path: string, data?: Record<string, unknown>) => vault.handle({ operation, path, token: 'root', ...(data ? { data } : {}) });
    await root('update', 'sys/mounts/database', { type: 'database' });
    await root('update', 'database/config/bench', {
      plugin_name: 'postgresql-database-plugin',
      connection_url: db.url.replace(/\/\/[^@]*@/, '//{{username}}:{{password}}@'),
      username: db.user,
      password: db.password,
      allowed_roles: '*',
      // One connection, like the floor's.
      max_open_connections: 1,
    });
    await root('update', 'database/roles/app', { db_name: 'bench', creation_statements: CREATION, default_ttl: '1h' });

    let counter = 0;
    const rawNames: string[] = [];
    const expiration = new Date(Date.now() + 3600_000).toISOString().replace('T', ' ').replace(/\..*/, '+0000');
    const rawIssue = async (): Promise<void> => {
      const name = `raw-${counter++}`;
      await raw.query(`CREATE ROLE "${name}" WITH LOGIN PASSWORD 'A1a-bench-password00' VALID UNTIL '${expiration}'`);
      await raw.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO "${name}"`);
      rawNames.push(name);
    };
    const rawRevoke = async (): Promise<void> => {
      const name = rawNames.pop();
      if (!name) throw new Error('bench ran out of raw roles to drop: raise the supply');
      await raw.query(`REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM "${name}"`);
      await raw.query(`DROP ROLE "${name}"`);
    };
    const leases: string[] = [];
    const issue = async (): Promise<void> => {
      leases.push((await root('read', 'database/creds/app')).leaseId);
    };
    const revoke = async (): Promise<void> => {
      const leaseId = leases.pop();
      if (!leaseId) throw new Error('bench ran out of leases to revoke: raise the supply');
      await root('update', 'sys/leases/revoke', { lease_id: leaseId });
    };

    const issued = await compare(
      [
        { name: 'floor: raw CREATE ROLE … VALID UNTIL + GRANT', run: rawIssue },
        { name: 'database/creds/app via handle() (lease included)', run: issue },
      ],
      options,
    );
    // Revocation consumes users: make enough for every call the run can make (≥ 1 ms each).
    const { warmupMs, sampleMs, samples } = { ...DEFAULTS, ...options };
    const supply = warmupMs + sampleMs * samples;
    while (rawNames.length < supply) await rawIssue();
    while (leases.length < supply) await issue();
    const revoked = await compare(
      [
        { name: 'floor: raw REVOKE ALL + DROP ROLE', run: rawRevoke },
        { name: 'sys/leases/revoke via handle() (default statements)', run: revoke },
      ],
      options,
    );
    return {
      report: formatTable('S4 database credentials: issue', issued) + '\n' + formatTable('S4 database credentials: revoke', revoked),
      outcomes: [
        judge({ id: 'S4', description: 'db creds issue vs raw SQL', floor: issued[0]!, subject: issued[1]!, minRatio: 1 / 1.5, asCostMultiple: true }),
        judge({ id: 'S4', description: 'db creds revoke vs raw SQL', floor: revoked[0]!, subject: revoked[1]!, minRatio: 1 / 1.5, asCostMultiple: true }),
      ],
    };
  } finally {
    await raw.end().catch(() => undefined);
    await vault.close();
    await db.drop().catch(() => undefined);
    await cluster.stop();
  }
}
