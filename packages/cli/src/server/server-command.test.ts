// `coffer server` in-process: dev mode, configuration files, restarts on file storage, auto-unseal,
// and the starts that must fail with a clear message.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { chmod, stat } from 'node:fs/promises';
import { createDevTls } from './dev-tls.js';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runServerCommand, type CommandIo } from './server-command.js';
import type { RunningServer } from './start-server.js';

interface Session {
  /** Resolves with the exit code once the command returns. */
  exit: Promise<number>;
  /** The running server, once started (undefined if the start failed). */
  server: Promise<RunningServer | undefined>;
  stdout(): string;
  stderr(): string;
  stop(): Promise<number>;
}

function start(argv: string[], env: Record<string, string> = {}, cwd = tmpdir()): Session {
  let out = '';
  let err = '';
  let requestStop!: (signal: string) => void;
  let started!: (server: RunningServer | undefined) => void;
  const server = new Promise<RunningServer | undefined>((resolve) => (started = resolve));
  const io: CommandIo = {
    stdout: (text) => (out += text),
    stderr: (text) => (err += text),
    env,
    cwd,
    shutdownRequested: new Promise((resolve) => (requestStop = resolve)),
    started,
  };
  const exit = runServerCommand(argv, io).finally(() => started(undefined));
  return {
    exit,
    server,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      requestStop('SIGTERM');
      return exit;
    },
  };
}

async function up(session: Session): Promise<{ url: string; server: RunningServer }> {
  const server = await session.server;
  if (!server) throw new Error(`server did not start: ${session.stderr()}`);
  return { url: server.listeners[0]!.address.url, server };
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'coffer-cli-'));
}

async function configFile(dir: string, text: string): Promise<string> {
  const file = join(dir, 'vault.hcl');
  await writeFile(file, text);
  return file;
}

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

describe('coffer server -dev', () => {
  it('serves an unsealed in-memory vault with KV v2 at secret/ and prints the root token and unseal key', async () => {
    const home = await tempDir();
    // A world-readable token file left from before must not pass its mode on to the root token.
    await writeFile(join(home, '.vault-token'), 'old');
    await chmod(join(home, '.vault-token'), 0o644);
    const session = start(['-dev', '-dev-root-token-id=root', '-dev-listen-address=127.0.0.1:0'], { HOME: home });
    const { url } = await up(session);
    expect(session.stdout()).toContain('Root Token: root');
    const unsealKey = /Unseal Key: (\S+)/.exec(session.stdout())![1]!;
    expect(Buffer.from(unsealKey, 'base64')).toHaveLength(32);
    expect(session.stdout()).toContain(`$ export VAULT_ADDR='${url}'`);
    expect(await readFile(join(home, '.vault-token'), 'utf8')).toBe('root');
    expect((await stat(join(home, '.vault-token'))).mode & 0o777).toBe(0o600);
    expect((await json(`${url}/v1/sys/health`)).body).toMatchObject({ initialized: true, sealed: false });
    const mounts = await json(`${url}/v1/sys/mounts`, { headers: { 'x-vault-token': 'root' } });
    expect(mounts.body['secret/']).toMatchObject({ type: 'kv', options: { version: '2' } });
    expect(await session.stop()).toBe(0);
    expect(session.stdout()).toContain('==> Vault shutdown triggered (SIGTERM)');
    await expect(fetch(`${url}/v1/sys/health`)).rejects.toThrow();
  });

  it('takes the root token from VAULT_DEV_ROOT_TOKEN_ID, mounts KV v1 with -dev-kv-v1, and stores no token with -dev-no-store-token', async () => {
    const home = await tempDir();
    const session = start(['-dev', '-dev-kv-v1', '-dev-no-store-token', '-dev-listen-address', '127.0.0.1:0'], { HOME: home, VAULT_DEV_ROOT_TOKEN_ID: 'from-env' });
    const { url } = await up(session);
    const mounts = await json(`${url}/v1/sys/mounts`, { headers: { 'x-vault-token': 'from-env' } });
    expect(mounts.body['secret/']).toMatchObject({ type: 'kv', options: { version: '1' } });
    await expect(readFile(join(home, '.vault-token'))).rejects.toThrow();
    expect(await session.stop()).toBe(0);
  });

  it('-dev-tls serves HTTPS with a certificate that openssl verifies against the printed CA', async () => {
    const dir = await tempDir();
    const session = start(['-dev', '-dev-tls', `-dev-tls-cert-dir=${dir}`, '-dev-no-store-token', '-dev-listen-address=127.0.0.1:0']);
    const { url } = await up(session);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const caFile = join(dir, 'vault-ca.pem');
    expect(session.stdout()).toContain(`$ export VAULT_CACERT='${caFile}'`);
    expect(execFileSync('openssl', ['verify', '-CAfile', caFile, join(dir, 'vault-cert.pem')]).toString()).toContain(': OK');
    const ca = await readFile(caFile);
    const status = await new Promise<number>((resolve, reject) => {
      httpsRequest(`${url}/v1/sys/health`, { ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(200);
    expect(await session.stop()).toBe(0);
  });
});

describe('coffer server -config', () => {
  it('starts uninitialised and sealed, then initialises and unseals over HTTP', async () => {
    const dir = await tempDir();
    const file = await configFile(dir, 'storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nui = true\n');
    const session = start([`-config=${file}`]);
    const { url } = await up(session);
    expect((await json(`${url}/v1/sys/health`)).status).toBe(501);
    const init = await json(`${url}/v1/sys/init`, { method: 'PUT', body: JSON.stringify({ secret_shares: 3, secret_threshold: 2 }) });
    const keys = init.body.keys as string[];
    expect((await json(`${url}/v1/sys/health`)).status).toBe(503);
    await json(`${url}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key: keys[0] }) });
    const unsealed = await json(`${url}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key: keys[2] }) });
    expect(unsealed.body.sealed).toBe(false);
    expect((await json(`${url}/v1/sys/health`)).status).toBe(200);
    expect(await session.stop()).toBe(0);
  });

  it('keeps data on file storage across a restart, sealed again until unsealed', async () => {
    const dir = await tempDir();
    const file = await configFile(dir, `storage "file" {\n  path = "${join(dir, 'data')}"\n}\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = "true"\n}\n`);
    const first = start([`-config=${file}`]);
    let { url } = await up(first);
    const init = await json(`${url}/v1/sys/init`, { method: 'PUT', body: JSON.stringify({ secret_shares: 1, secret_threshold: 1 }) });
    const [key] = init.body.keys as string[];
    const token = init.body.root_token as string;
    await json(`${url}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key }) });
    await json(`${url}/v1/sys/mounts/kv`, { method: 'POST', headers: { 'x-vault-token': token }, body: JSON.stringify({ type: 'kv-v2' }) });
    await json(`${url}/v1/kv/data/app`, { method: 'POST', headers: { 'x-vault-token': token }, body: JSON.stringify({ data: { password: 'p' } }) });
    expect(await first.stop()).toBe(0);

    const second = start([`-config=${file}`]);
    ({ url } = await up(second));
    expect((await json(`${url}/v1/sys/seal-status`)).body).toMatchObject({ initialized: true, sealed: true });
    await json(`${url}/v1/sys/unseal`, { method: 'PUT', body: JSON.stringify({ key }) });
    const read = await json(`${url}/v1/kv/data/app`, { headers: { 'x-vault-token': token } });
    expect(read.body).toMatchObject({ data: { data: { password: 'p' } } });
    expect(await second.stop()).toBe(0);
  });

  it('auto-unseals with a seal "aesgcm" key, as in seed 002, after init and after a restart', async () => {
    const dir = await tempDir();
    const key = Buffer.alloc(32, 7).toString('base64');
    const file = await configFile(
      dir,
      `ui = true listener "tcp" { address = "127.0.0.1:0" tls_disable = true } storage "file" { path = "${join(dir, 'data')}" } seal "aesgcm" { keys = ["${key}"] }`,
    );
    const first = start([`-config=${file}`]);
    let { url } = await up(first);
    const init = await json(`${url}/v1/sys/init`, { method: 'PUT', body: JSON.stringify({ recovery_shares: 1, recovery_threshold: 1 }) });
    expect(init.status).toBe(200);
    expect((await json(`${url}/v1/sys/seal-status`)).body).toMatchObject({ sealed: false, type: 'static' });
    expect(await first.stop()).toBe(0);
    const second = start([`-config=${file}`]);
    ({ url } = await up(second));
    expect((await json(`${url}/v1/sys/seal-status`)).body).toMatchObject({ initialized: true, sealed: false });
    expect(await second.stop()).toBe(0);
  });
});

describe('coffer server -config TLS settings', () => {
  async function tlsServer(extra: (dir: string) => string): Promise<{ session: Session; url: string; dir: string }> {
    const dir = await tempDir();
    await createDevTls('127.0.0.1', Date.UTC(2026, 0, 1), dir);
    const file = await configFile(
      dir,
      `storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_cert_file = "${join(dir, 'vault-cert.pem')}"\n  tls_key_file = "${join(dir, 'vault-key.pem')}"\n${extra(dir)}}\n`,
    );
    const session = start([`-config=${file}`]);
    const { url } = await up(session);
    return { session, url, dir };
  }

  function health(url: string, options: { ca: Buffer; cert?: Buffer; key?: Buffer }): Promise<number> {
    return new Promise((resolve, reject) => {
      httpsRequest(`${url}/v1/sys/health`, options, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
  }

  it('requires a client certificate the client CA verifies (tls_require_and_verify_client_cert)', async () => {
    const { session, url, dir } = await tlsServer((dir) => `  tls_client_ca_file = "${join(dir, 'vault-ca.pem')}"\n  tls_require_and_verify_client_cert = true\n`);
    const ca = await readFile(join(dir, 'vault-ca.pem'));
    await expect(health(url, { ca })).rejects.toThrow();
    expect(await health(url, { ca, cert: await readFile(join(dir, 'vault-cert.pem')), key: await readFile(join(dir, 'vault-key.pem')) })).toBe(501);
    expect(await session.stop()).toBe(0);
  });

  it('caps the protocol at tls_max_version', async () => {
    const { session, url, dir } = await tlsServer(() => '  tls_max_version = "tls12"\n');
    const ca = await readFile(join(dir, 'vault-ca.pem'));
    const { port } = new URL(url);
    const protocol = await new Promise<string | null>((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), ca, servername: 'localhost' }, () => {
        resolve(socket.getProtocol());
        socket.end();
      }).on('error', reject);
    });
    expect(protocol).toBe('TLSv1.2');
    expect(await session.stop()).toBe(0);
  });
});

describe('starts that fail', () => {
  it('exits 1 naming the port when it is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const dir = await tempDir();
      const file = await configFile(dir, `storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  tls_disable = 1\n}\n`);
      const session = start([`-config=${file}`]);
      expect(await session.exit).toBe(1);
      expect(session.stderr()).toBe(`Error: Error initializing listener of type tcp: listen tcp 127.0.0.1:${port}: bind: address already in use\n`);
    } finally {
      blocker.close();
    }
  });

  it('exits 1 when the TLS files cannot be read, before opening any storage', async () => {
    const dir = await tempDir();
    const file = await configFile(dir, `storage "file" { path = "${join(dir, 'data')}" }\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_cert_file = "${join(dir, 'missing.pem')}"\n  tls_key_file = "${join(dir, 'missing-key.pem')}"\n}\n`);
    const session = start([`-config=${file}`]);
    expect(await session.exit).toBe(1);
    expect(session.stderr()).toContain('error loading TLS certificate file');
    await expect(readFile(join(dir, 'data', '.lock'))).rejects.toThrow();
  });

  it('exits 1 with one line, no stack, when the auto-unseal key is not the one the vault was made with', async () => {
    const dir = await tempDir();
    const withKey = (byte: number) => `storage "file" { path = "${join(dir, 'data')}" }\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nseal "aesgcm" { keys = ["${Buffer.alloc(32, byte).toString('base64')}"] }\n`;
    const first = start([`-config=${await configFile(dir, withKey(1))}`]);
    const { url } = await up(first);
    await json(`${url}/v1/sys/init`, { method: 'PUT', body: JSON.stringify({ recovery_shares: 1, recovery_threshold: 1 }) });
    expect(await first.stop()).toBe(0);
    const second = start([`-config=${await configFile(dir, withKey(2))}`]);
    expect(await second.exit).toBe(1);
    expect(second.stderr()).toMatch(/^Error: Error initializing core: .+\n$/);
  });

  it('exits 1 for a static seal previous_key, which Coffer cannot rotate from yet', async () => {
    const dir = await tempDir();
    const key = (byte: number) => Buffer.alloc(32, byte).toString('hex');
    const file = await configFile(dir, `storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nseal "static" {\n  current_key_id = "b"\n  current_key = "${key(2)}"\n  previous_key_id = "a"\n  previous_key = "${key(1)}"\n}\n`);
    const session = start([`-config=${file}`]);
    expect(await session.exit).toBe(1);
    expect(session.stderr()).toContain('previous_key');
  });

  it('exits 1 with one line for a dev listen address without a port', async () => {
    const session = start(['-dev', '-dev-no-store-token', '-dev-listen-address=localhost']);
    expect(await session.exit).toBe(1);
    expect(session.stderr()).toBe('Error: Error initializing listener of type tcp: address localhost: missing port in address\n');
  });

  it('exits 1 naming the file and line of an unknown setting', async () => {
    const dir = await tempDir();
    const file = await configFile(dir, 'storage "inmem" {}\nlistener "tcp" {\n  adress = "127.0.0.1:0"\n}\n');
    const session = start([`-config=${file}`]);
    expect(await session.exit).toBe(1);
    expect(session.stderr()).toMatch(/^Error: .*vault\.hcl:3.*adress/);
  });

  it('exits 1 with Go\'s wording for an unknown flag, and without -config or -dev', async () => {
    const unknown = start(['-bogus']);
    expect(await unknown.exit).toBe(1);
    expect(unknown.stderr()).toMatch(/^flag provided but not defined: -bogus\n/);
    const none = start([]);
    expect(await none.exit).toBe(1);
    expect(none.stderr()).toMatch(/^Must specify at least one config path using -config/);
  });
});
