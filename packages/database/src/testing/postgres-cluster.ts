// A throwaway PostgreSQL cluster for tests and benchmarks: initdb in a temp dir, a server on a free port, gone at stop().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How to reach the cluster as its superuser, over TCP with a password (scram-sha-256). */
export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface PostgresCluster extends PostgresServer {
  /** Stops the server (fast shutdown) and removes its data directory. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const READY_LINE = 'database system is ready to accept connections';

/**
 * Where `initdb` and `postgres` are: COFFER_PG_BIN, else the newest of Debian's
 * `/usr/lib/postgresql/<major>/bin`, else a directory on PATH that has them.
 */
export function findPostgresBinaries(): string | undefined {
  const hasServer = (dir: string): boolean => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  const fromEnv = process.env['COFFER_PG_BIN'];
  if (fromEnv && hasServer(fromEnv)) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((major) => hasServer(join(root, major, 'bin')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors[0] !== undefined) return join(root, majors[0], 'bin');
  }
  return (process.env['PATH'] ?? '').split(':').find((dir) => dir !== '' && hasServer(dir));
}

/**
 * initdb refuses to run as root, so as root the cluster belongs to the `postgres` account,
 * which Debian's package creates; on a machine that has the binaries without it, it is created
 * here as a system account.
 */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = () => ({ uid: spawnSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }), gid: spawnSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }) });
  let ids = lookup();
  if (ids.uid.status !== 0) {
    const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER], { encoding: 'utf8' });
    ids = lookup();
    if (ids.uid.status !== 0) {
      throw new Error(`running as root, and there is no \`${SUPERUSER}\` account to run PostgreSQL as (initdb refuses root); creating it failed: ${created.stderr || created.error?.message}`);
    }
  }
  return { uid: Number(ids.uid.stdout.trim()), gid: Number(ids.gid.stdout.trim()) };
}

function asServerAccount(account: { uid: number; gid: number } | undefined, command: string, args: string[]): [string, string[]] {
  return account ? ['runuser', ['-u', SUPERUSER, '--', command, ...args]] : [command, args];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function waitUntilReady(child: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes(READY_LINE)) {
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        // Keep draining the server's log so a full pipe never blocks it.
        child.stderr?.resume();
        resolve();
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`postgres exited with ${code} before accepting connections:\n${output}${log()}`));
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Starts a private cluster: password logins over TCP on 127.0.0.1 (so tests see real
 * authentication failures), durability off because nothing in it must survive.
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBinaries();
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, postgres) not found under /usr/lib/postgresql/*/bin or on PATH (install Debian\'s `postgresql` package, or set COFFER_PG_BIN)');
  const account = serverAccount();
  const dir = mkdtempSync(join(tmpdir(), 'coffer-pg-'));
  const dataDir = join(dir, 'data');
  const passwordFile = join(dir, 'superuser-password');
  const password = randomBytes(18).toString('base64url');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (account) {
    chownSync(dir, account.uid, account.gid);
    chownSync(passwordFile, account.uid, account.gid);
  }
  chmodSync(dir, 0o700);
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });

  const [initdb, initdbArgs] = asServerAccount(account, join(bin, 'initdb'), [
    '-D', dataDir, '-U', SUPERUSER, `--pwfile=${passwordFile}`, '--auth-local=trust', '--auth-host=scram-sha-256',
    '-E', 'UTF8', '--locale=C', '--no-sync',
  ]);
  const init = spawnSync(initdb, initdbArgs, { encoding: 'utf8' });
  if (init.status !== 0) {
    removeDir();
    throw new Error(`initdb failed (${init.status ?? init.signal}): ${init.stderr || init.stdout || init.error?.message}`);
  }

  const port = await freePort();
  const [postgres, postgresArgs] = asServerAccount(account, join(bin, 'postgres'), [
    '-D', dataDir, '-k', dir, '-h', '127.0.0.1', '-p', String(port),
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=300', '-c', 'password_encryption=scram-sha-256',
  ]);
  const child = spawn(postgres, postgresArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await waitUntilReady(child, () => '');
  } catch (error) {
    child.kill('SIGKILL');
    removeDir();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    password,
    stop() {
      stopped ??= (async () => {
        const [pgCtl, pgCtlArgs] = asServerAccount(account, join(bin, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
        const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
        const stop = spawnSync(pgCtl, pgCtlArgs, { encoding: 'utf8' });
        if (stop.status !== 0) child.kill('SIGKILL');
        await exited;
        removeDir();
      })();
      return stopped;
    },
  };
}
