// hvac, the Python Vault client nobody here wrote, against real `coffer server` processes:
// the Vault compatibility promise of DESIGN.md §7, checked with Vault's own client semantics.
// The steps live in hvac_compat.py; each step is one test here so a failure names the hvac call.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { createTestDatabase, findPostgresBinaries, type TestDatabase } from '@coffer/database/testing';
import { INMEM_PLAIN_CONFIG, INMEM_TLS_CONFIG, startCoffer, startCoffers, writeSelfSignedCertificate, type CofferProcess } from './coffer-process.js';
import { runHvacScript, stepReport, type HvacRun } from './hvac-script.js';

const FULL_STEPS = [
  'health: uninitialised server answers 501',
  'health: initialised but sealed server answers 503',
  'sys.initialize(3, 2)',
  'unseal with two distinct keys',
  'sys.seal() then unseal again',
  'enable KV v2 at secret/',
  'kv2 create_or_update_secret',
  'kv2 update with cas',
  'kv2 read_secret_version (latest and version=1)',
  'kv2 read_secret_metadata',
  'kv2 delete_latest_version_of_secret',
  'kv2 undelete_secret_versions',
  'kv2 destroy_secret_versions',
  'kv2 list_secrets',
  'kv2 delete_metadata_and_all_versions',
  'policy: read-only token reads, list is Forbidden',
  'token create/lookup/lookup_self/renew/revoke',
  'response wrapping: token create with wrap_ttl, sys.unwrap',
  'response wrapping: KV read through X-Vault-Wrap-TTL, unwrap with the wrapping token',
  'mounts: enable/list/tune/read/disable',
  'userpass: enable, create user, login, bad password, list, renew, delete',
  'approle: the pull flow (role, role id, wrapped secret id, unwrap, login, read, uses exhausted)',
  'database: configure, role, creds, renew, revoke, static role, rotate-root (logins checked with psql)',
  'health: unsealed server answers 200',
  'errors: unknown route is InvalidPath, no token is Forbidden',
] as const;

const TLS_STEPS = ['tls: an untrusted certificate is refused', 'tls: health', 'tls: kv put/get', 'tls: list'] as const;
const TLS_CONFIG_STEPS = ['tls: an untrusted certificate is refused', 'tls: initialise, unseal, enable KV v2', 'tls: health', 'tls: kv put/get', 'tls: list'] as const;

/** The script's report as tests: it exits 0 having run exactly `steps`, and each step passed. */
function reportSteps(steps: readonly string[], run: () => HvacRun) {
  it('the script runs exactly these steps and exits 0', () => {
    const { code, steps: ran, stdout, stderr } = run();
    expect([...ran.keys()], `stdout:\n${stdout}\nstderr:\n${stderr}`).toEqual(steps);
    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(0);
  });
  it.each(steps)('%s', (step) => {
    expect(stepReport(run(), step)).toBe('ok');
  });
}

describe('hvac against `coffer server -config` (inmem, tls_disable): uninitialised and sealed at start', () => {
  let servers: CofferProcess[] = [];
  let run: HvacRun;
  let db: TestDatabase | undefined;
  // A superuser of this file's own (the script rotates its password) and a user for a static role.
  const suffix = Math.random().toString(36).slice(2, 8);
  const admin = { user: `hvac_admin_${suffix}`, password: 'hvac-admin-password' };
  const staticUser = `hvac_static_${suffix}`;
  beforeAll(async () => {
    db = await createTestDatabase(inject('postgres'), 'hvac');
    await db.query(`CREATE ROLE "${admin.user}" LOGIN SUPERUSER PASSWORD '${admin.password}'`);
    await db.query(`CREATE ROLE "${staticUser}" LOGIN PASSWORD 'static-before'`);
    servers = await startCoffers([{ mode: 'config', hcl: INMEM_PLAIN_CONFIG }, { mode: 'config', hcl: INMEM_PLAIN_CONFIG }]);
    const [main, second] = servers as [CofferProcess, CofferProcess];
    run = await runHvacScript(
      'full',
      {
        COFFER_ADDR: main.address,
        COFFER_SECOND_ADDR: second.address,
        COFFER_PG_HOST: db.host,
        COFFER_PG_PORT: String(db.port),
        COFFER_PG_DATABASE: db.database,
        COFFER_PG_ADMIN: admin.user,
        COFFER_PG_ADMIN_PASSWORD: admin.password,
        COFFER_PG_STATIC_USER: staticUser,
        COFFER_PSQL: join(findPostgresBinaries()!, 'psql'),
      },
      main.dir,
    );
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    // Roles belong to the cluster, not the database: this file's own two go before the database.
    await db?.query(`DROP ROLE IF EXISTS "${admin.user}"; DROP ROLE IF EXISTS "${staticUser}"`).catch(() => undefined);
    await db?.drop();
  });
  reportSteps(FULL_STEPS, () => run);
});

describe('hvac over TLS: `coffer server -dev -dev-tls`, verify=<the CA file from the banner>', () => {
  let server: CofferProcess | undefined;
  let run: HvacRun;
  beforeAll(async () => {
    server = await startCoffer({ mode: 'dev', tls: true });
    expect(server.address).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.caFile, server.output()).toBe(join(server.dir, 'tls', 'vault-ca.pem'));
    run = await runHvacScript('tls', { COFFER_ADDR: server.address, COFFER_CACERT: server.caFile!, COFFER_ROOT_TOKEN: server.rootToken! }, server.dir);
  });
  afterAll(async () => {
    await server?.stop();
  });
  reportSteps(TLS_STEPS, () => run);
});

describe('hvac over TLS: `coffer server -config` with tls_cert_file/tls_key_file made by openssl', () => {
  let server: CofferProcess | undefined;
  let run: HvacRun;
  beforeAll(async () => {
    server = await startCoffer({ mode: 'config', hcl: INMEM_TLS_CONFIG, files: writeSelfSignedCertificate });
    expect(server.address).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // Self-signed: the certificate is its own CA.
    run = await runHvacScript('tls', { COFFER_ADDR: server.address, COFFER_CACERT: join(server.dir, 'c.pem') }, server.dir);
  });
  afterAll(async () => {
    await server?.stop();
  });
  reportSteps(TLS_CONFIG_STEPS, () => run);
});
