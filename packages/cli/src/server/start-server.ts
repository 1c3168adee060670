// `coffer server`: a vault and its listeners, from the dev flags or a configuration file.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createVault, type Vault, type VaultOptions } from 'coffer';
import { listen, DEFAULT_MAX_REQUEST_BYTES, type HttpListener, type ListenOptions } from '@coffer/http';
import { createSystemClock } from '@coffer/sdk';
import { MemoryStorage, type Storage } from '@coffer/storage';
import { createFileStorage } from '@coffer/storage-file';
import type { ServerConfig, StorageConfig, TcpListenerConfig } from '../server-config/index.js';
import type { ServerFlags } from '../server-flags.js';
import { createDevTls } from './dev-tls.js';
import { splitHostPort } from './listen-address.js';
import { configurationBanner, devBanner, type BannerListener } from './server-banner.js';

/** A start that cannot go on; the message is what the operator reads. */
export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
}

export interface RunningServer {
  vault: Vault;
  listeners: readonly HttpListener[];
  /** Printed once the server is up. */
  banner: string;
  /** Stops the listeners (in-flight requests finish), then seals the vault and closes storage. */
  close(): Promise<void>;
}

export interface StartEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  /** Where relative paths in a configuration are resolved (Vault uses the working directory). */
  cwd: string;
}

/** Vault's wording for a listener that cannot start (command/server.go). */
function listenerFailure(address: string, error: unknown): ServerStartError {
  const code = (error as { code?: string }).code;
  const reason = code === 'EADDRINUSE' ? 'bind: address already in use' : code === 'EACCES' ? 'bind: permission denied' : (error as Error).message;
  return new ServerStartError(`Error initializing listener of type tcp: listen tcp ${address}: ${reason}`);
}

async function openListener(vault: Vault, address: string, options: Omit<ListenOptions, 'host' | 'port'>): Promise<HttpListener> {
  let host: string;
  let port: number;
  try {
    ({ host, port } = splitHostPort(address));
  } catch (error) {
    throw new ServerStartError(`Error initializing listener of type tcp: ${(error as Error).message}`);
  }
  try {
    return await listen(vault, { ...options, host, port });
  } catch (error) {
    throw listenerFailure(address, error);
  }
}

/** Closes what was opened so far when a later step fails, then rethrows. */
async function unwindOnFailure<T>(opened: Array<{ close(): Promise<void> }>, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    for (const resource of opened.reverse()) await resource.close().catch(() => undefined);
    throw error;
  }
}

/**
 * Writes the token helper's file as Vault does: a new file renamed over the old one, so an
 * existing file's looser mode (or a symlink in its place) never carries over to the root token.
 */
async function storeToken(file: string, token: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, token, { mode: 0o600, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new ServerStartError(`Error storing the root token in ${file}: ${(error as Error).message} (use -dev-no-store-token)`);
  }
}

export async function startDevServer(flags: ServerFlags, environment: StartEnvironment): Promise<RunningServer> {
  const vault = await createVault({ dev: { ...(flags.devRootTokenId ? { rootTokenId: flags.devRootTokenId } : {}), kvVersion: flags.devKvV1 ? 1 : 2 } });
  const opened: Array<{ close(): Promise<void> }> = [vault];
  return unwindOnFailure(opened, async () => {
    let host: string;
    try {
      ({ host } = splitHostPort(flags.devListenAddress));
    } catch (error) {
      throw new ServerStartError(`Error initializing listener of type tcp: ${(error as Error).message}`);
    }
    const tls = flags.devTls ? await createDevTls(host, createSystemClock().now(), flags.devTlsCertDir && resolve(environment.cwd, flags.devTlsCertDir)) : undefined;
    const listener = await openListener(vault, flags.devListenAddress, tls ? { tls: { cert: tls.certPem, key: tls.keyPem } } : {});
    opened.push(listener);
    const rootToken = vault.rootToken!;
    // Like Vault, dev mode logs the CLI in: the root token goes to the token helper's file.
    const home = environment.env.HOME ?? homedir();
    if (!flags.devNoStoreToken) await storeToken(join(home, '.vault-token'), rootToken);
    const banner =
      configurationBanner({
        apiAddress: listener.address.url,
        listeners: [{ address: flags.devListenAddress, tls: tls !== undefined, maxRequestSizeBytes: DEFAULT_MAX_REQUEST_BYTES }],
        storage: 'inmem',
        logLevel: flags.logLevel ?? 'info',
        seal: 'shamir',
      }) + devBanner({ address: listener.address.url, ...(tls ? { caFile: tls.caFile } : {}), unsealKey: Buffer.from(vault.unsealKey!, 'hex').toString('base64'), rootToken });
    return running(vault, [listener], banner);
  });
}

async function openStorage(config: StorageConfig, cwd: string): Promise<Storage> {
  switch (config.type) {
    case 'inmem':
      return new MemoryStorage();
    case 'file':
      try {
        return await createFileStorage({ path: resolve(cwd, config.path) });
      } catch (error) {
        throw new ServerStartError(`Error initializing storage of type file: ${(error as Error).message}`);
      }
    case 'postgresql':
      throw new ServerStartError('Error initializing storage of type postgresql: the PostgreSQL storage adapter is not part of this Coffer release yet');
  }
}

async function readTlsFile(kind: string, path: string, cwd: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    throw new ServerStartError(`Error initializing listener of type tcp: error loading TLS ${kind} file ${path}: ${(error as Error).message}`);
  }
}

const TLS_VERSION_NAMES = { tls10: 'TLSv1', tls11: 'TLSv1.1', tls12: 'TLSv1.2', tls13: 'TLSv1.3' } as const;

async function listenerOptions(listener: TcpListenerConfig, cwd: string): Promise<Omit<ListenOptions, 'host' | 'port'>> {
  const size = listener.maxRequestSizeBytes;
  const maxRequestBytes = size === undefined || size === 0 ? DEFAULT_MAX_REQUEST_BYTES : size < 0 ? Number.POSITIVE_INFINITY : size;
  const tls = listener.tls;
  if (!tls) return { maxRequestBytes };
  const cert = await readTlsFile('certificate', tls.certFile, cwd);
  const key = await readTlsFile('key', tls.keyFile, cwd);
  // Client certificates, as Vault's listener: asked for (and checked against the CA) when a CA
  // is given, required with tls_require_and_verify_client_cert, never with tls_disable_client_certs.
  const clientCa = tls.clientCaFile && !tls.disableClientCerts ? await readTlsFile('client CA', tls.clientCaFile, cwd) : undefined;
  return {
    maxRequestBytes,
    tls: {
      cert,
      key,
      minVersion: TLS_VERSION_NAMES[tls.minVersion ?? 'tls12'],
      ...(tls.maxVersion ? { maxVersion: TLS_VERSION_NAMES[tls.maxVersion] } : {}),
      ...(clientCa ? { clientCa } : {}),
      ...(tls.requireAndVerifyClientCert ? { requireClientCert: true } : {}),
    },
  };
}

export async function startConfiguredServer(config: ServerConfig, environment: StartEnvironment): Promise<RunningServer> {
  // Certificates are read before anything starts: a typo in a path stops the start cleanly.
  const prepared = await Promise.all(config.listeners.map(async (listener) => ({ listener, options: await listenerOptions(listener, environment.cwd) })));
  if (config.seal?.previousKey) {
    throw new ServerStartError('Error parsing Seal configuration: previous_key (rotating the static seal key) is not supported by Coffer yet; unseal with current_key set to the key the vault was initialised with');
  }
  const storage = await openStorage(config.storage, environment.cwd);
  const options: VaultOptions = {
    storage,
    ...(config.seal ? { seal: { type: 'static', key: config.seal.key } } : {}),
    ...(config.defaultLeaseTtlSec ? { defaultLeaseTtlSec: config.defaultLeaseTtlSec } : {}),
    ...(config.maxLeaseTtlSec ? { maxLeaseTtlSec: config.maxLeaseTtlSec } : {}),
    ...(config.clusterName ? { clusterName: config.clusterName } : {}),
    ...(config.disableCache ? { cache: false as const } : config.cacheSize ? { cache: { maxEntries: config.cacheSize } } : {}),
  };
  let vault: Vault;
  try {
    vault = await createVault(options);
  } catch (error) {
    await storage.close?.();
    // A wrong auto-unseal key or a seal that does not match the stored one: the operator's to fix.
    throw error instanceof Error ? new ServerStartError(`Error initializing core: ${error.message}`) : error;
  }
  const opened: Array<{ close(): Promise<void> }> = [vault];
  return unwindOnFailure(opened, async () => {
    const listeners: HttpListener[] = [];
    const banners: BannerListener[] = [];
    for (const { listener, options: listenOptions } of prepared) {
      const http = await openListener(vault, listener.address, listenOptions);
      opened.push(http);
      listeners.push(http);
      banners.push({ address: listener.address, tls: listener.tls !== false, maxRequestSizeBytes: listenOptions.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES });
    }
    const banner = configurationBanner({
      apiAddress: config.apiAddr ?? listeners[0]!.address.url,
      listeners: banners,
      storage: config.storage.type,
      logLevel: config.logLevel ?? 'info',
      seal: config.seal ? `static (declared as "${config.seal.declaredAs}")` : 'shamir',
    });
    const warnings = config.warnings.map((w) => `WARNING: ${w}\n`).join('');
    return running(vault, listeners, warnings + banner);
  });
}

function running(vault: Vault, listeners: readonly HttpListener[], banner: string): RunningServer {
  let closing: Promise<void> | undefined;
  return {
    vault,
    listeners,
    banner,
    close: () =>
      (closing ??= (async () => {
        await Promise.all(listeners.map((l) => l.close()));
        await vault.close();
      })()),
  };
}
