// node-vault, npm's Vault client nobody here wrote, against real `coffer server` processes: the
// same steps as hvac_compat.py, through node-vault's commands where it has one and its generic
// read/write/list/delete otherwise, with its response schemas checked (node-vault-schemas.ts).
// The steps of a describe share one server and run in order, as a Vault user's session would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INMEM_PLAIN_CONFIG, INMEM_TLS_CONFIG, startCoffer, startCoffers, writeSelfSignedCertificate, type CofferProcess } from './coffer-process.js';
import { apiError, nodeVault, type NodeVaultClient } from './node-vault-client.js';
import { schemaViolation } from './node-vault-schemas.js';

function expectSchema(command: string, response: unknown): void {
  expect(schemaViolation(command, response)).toBeUndefined();
}

/** The status Vault's HTTP layer gave, seen without any client's interpretation. */
async function rawStatus(url: string): Promise<number> {
  return (await fetch(url)).status;
}

describe('node-vault against `coffer server -config` (inmem, tls_disable): uninitialised and sealed at start', () => {
  let main: CofferProcess | undefined;
  let second: CofferProcess | undefined;
  let anon: NodeVaultClient;
  let keys: string[] = [];
  let rootToken = '';
  /** A fresh root client per use: node-vault moves a client onto any token it creates or renews. */
  const root = () => nodeVault({ endpoint: main!.address, token: rootToken });

  beforeAll(async () => {
    [main, second] = await startCoffers([{ mode: 'config', hcl: INMEM_PLAIN_CONFIG }, { mode: 'config', hcl: INMEM_PLAIN_CONFIG }]);
    anon = nodeVault({ endpoint: main!.address });
  });
  afterAll(async () => {
    await Promise.all([main?.stop(), second?.stop()]);
  });

  it('health: uninitialised server answers 501', async () => {
    const client = nodeVault({ endpoint: second!.address });
    // node-vault treats any sys/health answer as a success and returns the body.
    const health = await client.health();
    expectSchema('health', health);
    expect(health).toMatchObject({ initialized: false, sealed: true, standby: false });
    expect(await rawStatus(`${second!.address}/v1/sys/health`)).toBe(501);
  });

  it('health: initialised but sealed server answers 503', async () => {
    const client = nodeVault({ endpoint: second!.address });
    const init = await client.init({ secret_shares: 1, secret_threshold: 1 });
    expectSchema('init', init);
    const health = await client.health();
    expectSchema('health', health);
    expect(health).toMatchObject({ initialized: true, sealed: true });
    expect(await rawStatus(`${second!.address}/v1/sys/health`)).toBe(503);
    // sealedcode overrides the status; node-vault validates the query against its schema.
    expect(await rawStatus(`${second!.address}/v1/sys/health?sealedcode=299`)).toBe(299);
    expect(await client.health({ sealedcode: 299 })).toMatchObject({ sealed: true });
    const sealed = await apiError(nodeVault({ endpoint: second!.address, token: init.root_token }).mounts());
    expect(sealed.response.statusCode).toBe(503);
    expect(sealed.message).toBe('Vault is sealed');
  });

  it('sys.initialize(3, 2)', async () => {
    expect(await anon.initialized()).toEqual({ initialized: false });
    const status = await anon.status();
    expectSchema('status', status);
    expect(status).toMatchObject({ initialized: false, sealed: true, t: 0, n: 0 });
    const init = await anon.init({ secret_shares: 3, secret_threshold: 2 });
    expectSchema('init', init);
    expect(init.keys).toHaveLength(3);
    expect(new Set(init.keys).size).toBe(3);
    expect(init.root_token).toMatch(/^hvs\./);
    keys = init.keys;
    rootToken = init.root_token;
    expect(await anon.initialized()).toEqual({ initialized: true });
    const again = await apiError(anon.init({ secret_shares: 3, secret_threshold: 2 }));
    expect(again.response.statusCode).toBe(400);
    expect(again.message).toBe('Vault is already initialized');
  });

  it('unseal with two distinct keys', async () => {
    const first = await anon.unseal({ key: keys[0] });
    expectSchema('unseal', first);
    expect(first).toMatchObject({ sealed: true, t: 2, n: 3, progress: 1 });
    expect(await anon.unseal({ key: keys[0] })).toMatchObject({ sealed: true, progress: 1 });
    const done = await anon.unseal({ key: keys[1] });
    expectSchema('unseal', done);
    expect(done).toMatchObject({ sealed: false, progress: 0 });
    expect((await anon.status()).sealed).toBe(false);
  });

  it('sys.seal() then unseal again', async () => {
    await root().seal();
    expect((await anon.status()).sealed).toBe(true);
    const sealed = await apiError(root().read('secret/data/x'));
    expect(sealed.response.statusCode).toBe(503);
    expect(sealed.message).toBe('Vault is sealed');
    await anon.unseal({ key: keys[2] });
    expect(await anon.unseal({ key: keys[0] })).toMatchObject({ sealed: false });
    // No schema check here: the root token has no metadata, and Vault itself answers `meta: null`,
    // which node-vault's schema (`meta: object`) would refuse. Tokens with metadata are checked below.
    const self = await root().tokenLookupSelf();
    expect(self.data).toMatchObject({ policies: ['root'], meta: null });
  });

  it('enable KV v2 at secret/', async () => {
    // node-vault's `mount` has no schema: the whole argument object, mount_point included, is the body.
    await root().mount({ mount_point: 'secret', type: 'kv', options: { version: '2' } });
    const mounts = await root().mounts();
    expect(mounts.data['secret/']).toMatchObject({ type: 'kv', options: { version: '2' } });
  });

  it('kv2 create_or_update_secret', async () => {
    const written = await root().write('secret/data/app/db', { data: { password: 'one' } });
    expect(written.data).toMatchObject({ version: 1, destroyed: false, deletion_time: '' });
  });

  it('kv2 update with cas', async () => {
    const written = await root().write('secret/data/app/db', { options: { cas: 1 }, data: { password: 'two' } });
    expect(written.data.version).toBe(2);
    const stale = await apiError(root().write('secret/data/app/db', { options: { cas: 1 }, data: { password: 'three' } }));
    expect(stale.response.statusCode).toBe(400);
    expect(stale.message).toBe('check-and-set parameter did not match the current version');
  });

  it('kv2 read_secret_version (latest and version=1)', async () => {
    const latest = await root().read('secret/data/app/db');
    expect(latest.data).toMatchObject({ data: { password: 'two' }, metadata: { version: 2 } });
    const first = await root().read('secret/data/app/db?version=1');
    expect(first.data).toMatchObject({ data: { password: 'one' }, metadata: { version: 1 } });
    const missing = await apiError(root().read('secret/data/app/missing'));
    expect(missing.response.statusCode).toBe(404);
  });

  it('kv2 read_secret_metadata', async () => {
    const meta = (await root().read('secret/metadata/app/db')).data;
    expect(meta).toMatchObject({ current_version: 2, oldest_version: 0, max_versions: 0, cas_required: false });
    expect(Object.keys(meta.versions).sort()).toEqual(['1', '2']);
  });

  it('kv2 delete_latest_version_of_secret', async () => {
    await root().delete('secret/data/app/db');
    const deleted = await apiError(root().read('secret/data/app/db'));
    // A deleted version is a 404 that still carries the version's metadata (no `errors`).
    expect(deleted.response.statusCode).toBe(404);
    expect(deleted.message).toBe('Status 404');
    expect(deleted.response.body).toMatchObject({ data: { data: null, metadata: { version: 2, destroyed: false } } });
    expect((deleted.response.body as { data: { metadata: { deletion_time: string } } }).data.metadata.deletion_time).not.toBe('');
  });

  it('kv2 undelete_secret_versions', async () => {
    await root().write('secret/undelete/app/db', { versions: [2] });
    expect((await root().read('secret/data/app/db')).data.data).toEqual({ password: 'two' });
  });

  it('kv2 destroy_secret_versions', async () => {
    await root().write('secret/destroy/app/db', { versions: [1] });
    const destroyed = await apiError(root().read('secret/data/app/db?version=1'));
    expect(destroyed.response.statusCode).toBe(404);
    expect(destroyed.response.body).toMatchObject({ data: { metadata: { version: 1, destroyed: true } } });
    expect((await root().read('secret/metadata/app/db')).data.versions['1'].destroyed).toBe(true);
  });

  it('kv2 list_secrets', async () => {
    await root().write('secret/data/app/api', { data: { key: 'k' } });
    await root().write('secret/data/app/nested/deep', { data: { x: 'y' } });
    // The LIST verb, which node:http's own parser would refuse (DESIGN.md §2).
    expect((await root().list('secret/metadata/app')).data.keys).toEqual(['api', 'db', 'nested/']);
    expect((await root().list('secret/metadata/')).data.keys).toEqual(['app/']);
    const getList = nodeVault({ endpoint: main!.address, token: rootToken, noCustomHTTPVerbs: true });
    expect((await getList.list('secret/metadata/app')).data.keys).toEqual(['api', 'db', 'nested/']);
    const empty = await apiError(root().list('secret/metadata/nothing-here'));
    expect(empty.response.statusCode).toBe(404);
  });

  it('kv2 delete_metadata_and_all_versions', async () => {
    await root().delete('secret/metadata/app/api');
    expect((await apiError(root().read('secret/metadata/app/api'))).response.statusCode).toBe(404);
    expect((await apiError(root().read('secret/data/app/api'))).response.statusCode).toBe(404);
    expect((await root().list('secret/metadata/app')).data.keys).toEqual(['db', 'nested/']);
  });

  it('policy: read-only token reads, list is Forbidden', async () => {
    // node-vault's addPolicy sends Vault's legacy `rules` field to sys/policy/:name.
    await root().addPolicy({ name: 'app-db-reader', rules: 'path "secret/data/app/db" {\n  capabilities = ["read"]\n}\n' });
    expect((await root().policies()).policies).toContain('app-db-reader');
    expect((await root().getPolicy({ name: 'app-db-reader' })).rules).toContain('secret/data/app/db');
    const created = await root().tokenCreate({ policies: ['app-db-reader'], meta: { purpose: 'reader' } });
    expectSchema('tokenCreate', created);
    expect(created.auth.policies).toEqual(['app-db-reader', 'default']);
    const reader = nodeVault({ endpoint: main!.address, token: created.auth.client_token });
    expect((await reader.read('secret/data/app/db')).data.data).toEqual({ password: 'two' });
    const listing = await apiError(reader.list('secret/metadata/app'));
    expect(listing.response.statusCode).toBe(403);
    expect(listing.message).toContain('permission denied');
    const writing = await apiError(reader.write('secret/data/app/db', { data: { password: 'mine' } }));
    expect(writing.response.statusCode).toBe(403);
    expect(writing.message).toContain('permission denied');
  });

  it('token create/lookup/lookup_self/renew/revoke', async () => {
    const creator = root();
    const created = await creator.tokenCreate({ policies: ['default'], ttl: '1h', meta: { purpose: 'node-vault' } });
    expectSchema('tokenCreate', created);
    const token: string = created.auth.client_token;
    expect(created.auth).toMatchObject({ lease_duration: 3600, renewable: true, metadata: { purpose: 'node-vault' } });
    // node-vault's tokenSource commands switch the client to the token they return.
    expect(creator.token).toBe(token);

    const looked = await root().tokenLookup({ token });
    expectSchema('tokenLookup', looked);
    expect(looked.data).toMatchObject({ id: token, accessor: created.auth.accessor, meta: { purpose: 'node-vault' }, policies: ['default'] });
    expect(looked.data.ttl).toBeGreaterThan(0);
    expect(looked.data.ttl).toBeLessThanOrEqual(3600);

    const holder = nodeVault({ endpoint: main!.address, token });
    const self = await holder.tokenLookupSelf();
    expectSchema('tokenLookupSelf', self);
    expect(self.data).toMatchObject({ id: token, policies: ['default'] });

    const renewed = await root().tokenRenew({ token, increment: '2h' });
    expectSchema('tokenRenew', renewed);
    expect(renewed.auth).toMatchObject({ client_token: token, lease_duration: 7200 });

    await root().tokenRevoke({ token });
    const revoked = await apiError(holder.tokenLookupSelf());
    expect(revoked.response.statusCode).toBe(403);
    expect(revoked.message).toContain('permission denied');
    expect((await apiError(root().tokenLookup({ token }))).response.statusCode).toBe(403);
  });

  it('response wrapping: token create with wrap_ttl, sys.unwrap', async () => {
    const creator = root();
    const wrapped = await creator.tokenCreate({ policies: ['default'], requestOptions: { headers: { 'X-Vault-Wrap-TTL': '60s' } } });
    expect(wrapped.auth).toBeNull();
    expect(wrapped.wrap_info).toMatchObject({ ttl: 60, creation_path: 'auth/token/create' });
    // No auth in a wrapped answer, so the client keeps its own token.
    expect(creator.token).toBe(rootToken);
    const unwrapped = await root().unwrap({ token: wrapped.wrap_info.token });
    const inner = nodeVault({ endpoint: main!.address, token: unwrapped.auth.client_token });
    expect((await inner.tokenLookupSelf()).data.policies).toEqual(['default']);
    const reused = await apiError(root().unwrap({ token: wrapped.wrap_info.token }));
    expect(reused.response.statusCode).toBe(400);
    expect(reused.message).toBe('wrapping token is not valid or does not exist');
  });

  it('response wrapping: KV read through X-Vault-Wrap-TTL, unwrap with the wrapping token', async () => {
    const wrapped = await root().read('secret/data/app/db', { headers: { 'X-Vault-Wrap-TTL': '90s' } });
    expect(wrapped.data).toBeNull();
    expect(wrapped.wrap_info).toMatchObject({ ttl: 90, creation_path: 'secret/data/app/db' });
    // The wrapping token authenticates the unwrap itself: a POST with no body.
    const unwrapped = await nodeVault({ endpoint: main!.address, token: wrapped.wrap_info.token }).unwrap();
    expect(unwrapped.data.data).toEqual({ password: 'two' });
  });

  it('mounts: enable/list/tune/read/disable', async () => {
    await root().mount({ mount_point: 'scratch', type: 'kv', description: 'node-vault scratch', options: { version: '1' } });
    const mounts = await root().mounts();
    expect(mounts.data['scratch/']).toMatchObject({ type: 'kv', description: 'node-vault scratch' });
    // sys/mounts repeats its data at the top level (legacy injection).
    expect(mounts['scratch/']).toMatchObject({ type: 'kv' });
    expect(Object.keys(mounts.data)).toEqual(expect.arrayContaining(['cubbyhole/', 'identity/', 'sys/', 'secret/']));
    const taken = await apiError(root().mount({ mount_point: 'scratch', type: 'kv' }));
    expect(taken.response.statusCode).toBe(400);
    expect(taken.message).toContain('path is already in use at scratch/');
    expect((await root().read('sys/mounts/scratch/tune')).data).toMatchObject({ default_lease_ttl: 2764800, max_lease_ttl: 2764800 });
    await root().write('sys/mounts/scratch/tune', { default_lease_ttl: '1h', max_lease_ttl: '2h', description: 'tuned' });
    expect((await root().read('sys/mounts/scratch/tune')).data).toMatchObject({ default_lease_ttl: 3600, max_lease_ttl: 7200, description: 'tuned' });
    expect((await apiError(root().write('sys/mounts/scratch/tune', { default_lease_ttl: '3h' }))).response.statusCode).toBe(400);
    await root().unmount({ mount_point: 'scratch' });
    expect(Object.keys((await root().mounts()).data)).not.toContain('scratch/');
  });

  it('path help: node-vault help() reads `help` at the top of the body', async () => {
    // Vault answers ?help=1 with the help data alone (http/help.go), not inside an envelope.
    const help = await root().help('secret/data/app/db');
    expect(typeof help.help).toBe('string');
    expect(help.help).not.toBe('');
    expect(help).not.toHaveProperty('request_id');
  });

  it('health: unsealed server answers 200', async () => {
    const health = await anon.health();
    expectSchema('health', health);
    expect(health).toMatchObject({ initialized: true, sealed: false, standby: false });
    expect(await rawStatus(`${main!.address}/v1/sys/health`)).toBe(200);
    const leader = await anon.leader();
    expectSchema('leader', leader);
    expect(leader).toMatchObject({ ha_enabled: false });
  });

  it('errors: unknown route is InvalidPath, no token is Forbidden', async () => {
    const unknown = await apiError(root().read('nowhere/at/all'));
    expect(unknown.response.statusCode).toBe(404);
    expect(unknown.message).toContain('no handler for route');
    const anonymous = await apiError(anon.read('secret/data/app/db'));
    expect(anonymous.response.statusCode).toBe(403);
    expect(anonymous.message).toContain('permission denied');
  });
});

/** Health, a KV v2 put/get and a LIST over HTTPS, trusting only `ca`. */
function tlsSteps(server: () => { address: string; ca: string; rootToken: () => string }) {
  it('tls: an untrusted certificate is refused', async () => {
    const error = await nodeVault({ endpoint: server().address }).health().then(
      () => undefined,
      (reason: unknown) => reason as { code?: string },
    );
    expect(error?.code).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  it('tls: health', async () => {
    const health = await nodeVault({ endpoint: server().address, ca: server().ca }).health();
    expectSchema('health', health);
    expect(health).toMatchObject({ initialized: true, sealed: false });
  });

  it('tls: kv put/get', async () => {
    const client = nodeVault({ endpoint: server().address, ca: server().ca, token: server().rootToken() });
    expect((await client.write('secret/data/tls/one', { data: { v: '1' } })).data.version).toBe(1);
    expect((await client.read('secret/data/tls/one')).data.data).toEqual({ v: '1' });
  });

  it('tls: list', async () => {
    const client = nodeVault({ endpoint: server().address, ca: server().ca, token: server().rootToken() });
    await client.write('secret/data/tls/two', { data: { v: '2' } });
    expect((await client.list('secret/metadata/tls')).data.keys).toEqual(['one', 'two']);
  });
}

describe('node-vault over TLS: `coffer server -dev -dev-tls`, trusting the CA file from the banner', () => {
  let server: CofferProcess | undefined;
  let ca = '';
  beforeAll(async () => {
    server = await startCoffer({ mode: 'dev', tls: true, rootTokenId: 'node-vault-root' });
    expect(server.address).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.rootToken).toBe('node-vault-root');
    ca = await readFile(server.caFile!, 'utf8');
  });
  afterAll(async () => {
    await server?.stop();
  });
  tlsSteps(() => ({ address: server!.address, ca, rootToken: () => server!.rootToken! }));

  it('tls: seal, then unseal with the base64 key from the dev banner', async () => {
    const client = nodeVault({ endpoint: server!.address, ca, token: server!.rootToken! });
    await client.seal();
    expect((await client.status()).sealed).toBe(true);
    const status = await client.unseal({ key: server!.unsealKey! });
    expectSchema('unseal', status);
    expect(status).toMatchObject({ sealed: false, t: 1, n: 1 });
    expect((await client.read('secret/data/tls/one')).data.data).toEqual({ v: '1' });
  });
});

describe('node-vault over TLS: `coffer server -config` with tls_cert_file/tls_key_file made by openssl', () => {
  let server: CofferProcess | undefined;
  let ca = '';
  let rootToken = '';
  beforeAll(async () => {
    server = await startCoffer({ mode: 'config', hcl: INMEM_TLS_CONFIG, files: writeSelfSignedCertificate });
    expect(server.address).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    // Self-signed: the certificate is its own CA.
    ca = await readFile(join(server.dir, 'c.pem'), 'utf8');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('tls: initialise, unseal, enable KV v2', async () => {
    const client = nodeVault({ endpoint: server!.address, ca });
    const init = await client.init({ secret_shares: 3, secret_threshold: 2 });
    rootToken = init.root_token;
    await client.unseal({ key: init.keys[0] });
    expect(await client.unseal({ key: init.keys[1] })).toMatchObject({ sealed: false });
    await nodeVault({ endpoint: server!.address, ca, token: rootToken }).mount({ mount_point: 'secret', type: 'kv', options: { version: '2' } });
  });

  tlsSteps(() => ({ address: server!.address, ca, rootToken: () => rootToken }));
});
