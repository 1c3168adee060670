// `coffer server [flags]`: parse, start, print the banner, serve until told to stop.
import { loadServerConfig, ServerConfigError } from '../server-config/index.js';
import { parseServerFlags, ServerFlagsError } from '../server-flags.js';
import { ServerStartError, startConfiguredServer, startDevServer, type RunningServer } from './start-server.js';

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Resolves with the signal's name when the process is asked to stop (SIGINT, SIGTERM). */
  shutdownRequested: Promise<string>;
  /** Called once the server is up (tests drive it from here). */
  started?(server: RunningServer): void;
}

export const SERVER_USAGE = `Usage: coffer server [options]

  Starts a Coffer server that speaks Vault's /v1 HTTP API.

  Start a server with a configuration file:

      $ coffer server -config=/etc/vault.d/vault.hcl

  Run in "dev" mode (in-memory, unsealed, KV v2 at secret/):

      $ coffer server -dev -dev-listen-address="127.0.0.1:8200" -dev-root-token-id="root"

Options:

  -config=<string>               Path to a configuration file (HCL or JSON) or a directory holding one.
  -dev                           Development mode: in-memory storage, unsealed, root token printed.
  -dev-root-token-id=<string>    The dev root token's id (also VAULT_DEV_ROOT_TOKEN_ID).
  -dev-listen-address=<string>   Dev listener address (default "127.0.0.1:8200"; also VAULT_DEV_LISTEN_ADDRESS).
  -dev-kv-v1                     Mount KV version 1 at secret/ instead of version 2.
  -dev-tls                       Serve HTTPS with a certificate made at start.
  -dev-tls-cert-dir=<string>     Where -dev-tls writes its CA, certificate and key.
  -dev-no-store-token            Do not write the root token to ~/.vault-token.
  -log-level=<string>            trace, debug, info, warn or error.
`;

/** Runs the command to its end and returns the process exit code. */
export async function runServerCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let server: RunningServer;
  try {
    const flags = parseServerFlags(argv, io.env);
    if (flags.help) {
      io.stdout(SERVER_USAGE);
      return 0;
    }
    for (const warning of flags.warnings) io.stderr(`WARNING: ${warning}\n`);
    const environment = { env: io.env, cwd: io.cwd };
    server = flags.dev ? await startDevServer(flags, environment) : await startConfiguredServer(await loadServerConfig(flags.configPaths), environment);
  } catch (error) {
    if (error instanceof ServerFlagsError) {
      io.stderr(`${error.message}\n\n${SERVER_USAGE}`);
      return 1;
    }
    if (error instanceof ServerConfigError || error instanceof ServerStartError) {
      io.stderr(`Error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  io.stdout(server.banner);
  io.started?.(server);
  const signal = await io.shutdownRequested;
  io.stdout(`==> Vault shutdown triggered (${signal})\n`);
  await server.close();
  return 0;
}
