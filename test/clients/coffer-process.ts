// A real `coffer server` child process for the client compatibility suites: the clients under
// test talk to it over a socket exactly as they would talk to `vault server`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(REPO_ROOT, 'packages/cli/src/main.ts');

/** A start that has not printed its banner by then is stuck; the watchdog kills it rather than leak it. */
const START_DEADLINE_MS = 20_000;
const STOP_DEADLINE_MS = 10_000;

export type CofferStart =
  /** `coffer server -dev`: unsealed, KV v2 at secret/, root token printed. `tls` adds -dev-tls. */
  | { mode: 'dev'; rootTokenId?: string; tls?: boolean }
  /** `coffer server -config=<file>`: `hcl` is the file's text; `{dir}` in it is replaced by the temp directory. */
  | { mode: 'config'; hcl: string; files?: (dir: string) => Promise<void> };

export interface CofferProcess {
  /** VAULT_ADDR, with the port the listener really bound (the banner's Api Address). */
  readonly address: string;
  /** Dev mode only. */
  readonly rootToken?: string;
  /** Dev mode only: the single unseal key, base64 as Vault's banner prints it. */
  readonly unsealKey?: string;
  /** -dev-tls only: the CA that signed the listener's certificate (VAULT_CACERT). */
  readonly caFile?: string;
  /** A private temporary directory, removed by stop(). */
  readonly dir: string;
  /** Everything the process wrote to stdout and stderr so far, for failure messages. */
  output(): string;
  /** SIGTERM, then waits for the exit; rejects unless the process exited with code 0. */
  stop(): Promise<void>;
}

function bannerValue(banner: string, label: string): string | undefined {
  const match = new RegExp(`^\\s*${label}: (.+)$`, 'm').exec(banner);
  return match?.[1]?.trim();
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Resolves once `done(stdout)` holds; rejects if the process exits first or the deadline passes. */
function waitForOutput(child: ChildProcess, log: () => string, stdout: () => string, done: (text: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!done(stdout())) return;
      cleanup();
      resolve();
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`coffer server exited (code ${code}, signal ${signal}) before its banner:\n${log()}`));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new Error(`cannot start coffer server: ${error.message}`));
    };
    const watchdog = setTimeout(() => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`coffer server printed no banner within ${START_DEADLINE_MS} ms:\n${log()}`));
    }, START_DEADLINE_MS);
    const cleanup = () => {
      clearTimeout(watchdog);
      child.stdout?.off('data', check);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.stdout?.on('data', check);
    child.once('exit', onExit);
    child.once('error', onError);
    check();
  });
}

export async function startCoffer(start: CofferStart): Promise<CofferProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-client-'));
  try {
    return await launch(start, dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Spawns the server in `dir` and reads its banner; a process that never got that far is killed. */
async function launch(start: CofferStart, dir: string): Promise<CofferProcess> {
  const args = ['--conditions=coffer-source', '--import', 'tsx', MAIN, 'server'];
  if (start.mode === 'dev') {
    // -dev-no-store-token: the suite must not overwrite the developer's ~/.vault-token.
    args.push('-dev', '-dev-listen-address=127.0.0.1:0', '-dev-no-store-token');
    if (start.rootTokenId) args.push(`-dev-root-token-id=${start.rootTokenId}`);
    if (start.tls) args.push('-dev-tls', `-dev-tls-cert-dir=${join(dir, 'tls')}`);
  } else {
    await start.files?.(dir);
    const configFile = join(dir, 'server.hcl');
    await writeFile(configFile, start.hcl.replaceAll('{dir}', dir));
    args.push(`-config=${configFile}`);
  }
  // VAULT_* from the developer's shell would change what the server does (dev root token, address).
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VAULT_')));
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...env, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    log += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    log += text;
  });

  // The dev banner follows the configuration banner; its last line says it is complete.
  const complete = start.mode === 'dev' ? /Development mode should NOT be used/ : /==> Vault server started!/;
  await waitForOutput(child, () => log, () => stdout, (text) => complete.test(text));

  const address = bannerValue(stdout, 'Api Address');
  if (!address || /:0$/.test(address)) {
    child.kill('SIGKILL');
    throw new Error(`coffer server's banner has no usable Api Address:\n${stdout}`);
  }
  const caFile = /VAULT_CACERT='([^']+)'/.exec(stdout)?.[1];
  const rootToken = bannerValue(stdout, 'Root Token');
  const unsealKey = bannerValue(stdout, 'Unseal Key');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        const exit = exited(child);
        child.kill('SIGTERM');
        const watchdog = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
        const { code, signal } = await exit;
        clearTimeout(watchdog);
        if (code !== 0) throw new Error(`coffer server did not stop cleanly on SIGTERM (code ${code}, signal ${signal}):\n${log}`);
        if (!/==> Vault shutdown triggered \(SIGTERM\)/.test(stdout)) throw new Error(`coffer server exited without its shutdown line:\n${log}`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    })());

  return {
    address,
    dir,
    ...(rootToken !== undefined ? { rootToken } : {}),
    ...(unsealKey !== undefined ? { unsealKey } : {}),
    ...(caFile !== undefined ? { caFile } : {}),
    output: () => log,
    stop,
  };
}

/** Starts several servers at once; if one cannot start, the others are stopped before the error propagates. */
export async function startCoffers(starts: readonly CofferStart[]): Promise<CofferProcess[]> {
  const results = await Promise.allSettled(starts.map((start) => startCoffer(start)));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (!failed) return started;
  await Promise.allSettled(started.map((server) => server.stop()));
  throw failed.reason;
}

/** `listener "tcp"` on a free loopback port, plain HTTP, in-memory storage: starts uninitialised and sealed. */
export const INMEM_PLAIN_CONFIG = `
listener "tcp" {
  address     = "127.0.0.1:0"
  tls_disable = true
}
storage "inmem" {}
`;

/** The same with HTTPS from a certificate and key file the test wrote into `{dir}`. */
export const INMEM_TLS_CONFIG = `
listener "tcp" {
  address       = "127.0.0.1:0"
  tls_cert_file = "{dir}/c.pem"
  tls_key_file  = "{dir}/k.pem"
}
storage "inmem" {}
`;

/** A self-signed certificate for 127.0.0.1 and localhost, made by openssl as an operator would make one. */
export async function writeSelfSignedCertificate(dir: string): Promise<void> {
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'];
  const child = spawn('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`openssl req -x509 failed (code ${code}): ${stderr}`);
}
