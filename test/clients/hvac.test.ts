// hvac, the Python Vault client nobody here wrote, against real `coffer server` processes:
// the Vault compatibility promise of DESIGN.md §7, checked with Vault's own client semantics.
// The steps live in hvac_compat.py; each step is one test here so a failure names the hvac call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
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
  beforeAll(async () => {
    servers = await startCoffers([{ mode: 'config', hcl: INMEM_PLAIN_CONFIG }, { mode: 'config', hcl: INMEM_PLAIN_CONFIG }]);
    const [main, second] = servers as [CofferProcess, CofferProcess];
    run = await runHvacScript('full', { COFFER_ADDR: main.address, COFFER_SECOND_ADDR: second.address }, main.dir);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
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
