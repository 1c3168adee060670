// `coffer server` arguments, read as `vault server` reads them: Go's flag package (`-name=value`,
// `-name value`, `--name`, bare booleans, parsing stops at the first positional argument or `--`)
// and Vault's flag defaults from the environment, with Vault's own error messages.
import { parseGoBool } from '@coffer/sdk';
import { parseLogFormat, parseLogLevel } from './server-config/log-settings.js';
import type { LogFormat, LogLevel } from './server-config/server-config.js';

export const DEFAULT_DEV_LISTEN_ADDRESS = '127.0.0.1:8200';

export interface ServerFlags {
  /** `-h`/`-help` was given: print usage and stop (Go's flag.ErrHelp). Nothing else is meaningful then. */
  readonly help: boolean;
  /** Every `-config` value in order, trimmed (files or directories; see loadServerConfig). */
  readonly configPaths: readonly string[];
  /** `-dev`, or implied by `-dev-tls` / `-dev-kv-v1` as in Vault. */
  readonly dev: boolean;
  /** Only in dev mode; undefined means "generate one". */
  readonly devRootTokenId?: string;
  readonly devListenAddress: string;
  readonly devKvV1: boolean;
  readonly devTls: boolean;
  readonly devTlsCertDir?: string;
  readonly devNoStoreToken: boolean;
  readonly logLevel?: LogLevel;
  readonly logFormat?: LogFormat;
  /** Positional arguments after the flags; `vault server` ignores them. */
  readonly args: readonly string[];
  /** Vault's warnings (a root token id outside dev mode, flags after positional arguments). */
  readonly warnings: readonly string[];
}

/** A command line `vault server` would refuse; `message` is Vault's text, printed as is. */
export class ServerFlagsError extends Error {
  override readonly name = 'ServerFlagsError';
}

type FlagKind = 'bool' | 'string' | 'list';

const FLAGS = {
  config: 'list',
  dev: 'bool',
  'dev-root-token-id': 'string',
  'dev-listen-address': 'string',
  'dev-kv-v1': 'bool',
  'dev-tls': 'bool',
  'dev-tls-cert-dir': 'string',
  'dev-no-store-token': 'bool',
  'log-level': 'string',
  'log-format': 'string',
} as const satisfies Record<string, FlagKind>;
type FlagName = keyof typeof FLAGS;

/** Flags whose default Vault reads from an environment variable (present, even if empty, wins over the default). */
const ENV_DEFAULTS: Partial<Record<FlagName, string>> = {
  'dev-root-token-id': 'VAULT_DEV_ROOT_TOKEN_ID',
  'dev-listen-address': 'VAULT_DEV_LISTEN_ADDRESS',
  'log-level': 'VAULT_LOG_LEVEL',
  'log-format': 'VAULT_LOG_FORMAT',
};

/**
 * Parses the arguments after `server`. Throws ServerFlagsError with Go's or Vault's message for an
 * unknown flag, a missing value, a bad boolean, an unknown log level, or no `-config` outside dev
 * mode. Starts nothing and reads no file.
 */
export function parseServerFlags(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): ServerFlags {
  const strings = new Map<FlagName, string>();
  const bools = new Map<FlagName, boolean>();
  const configPaths: string[] = [];
  const warnings: string[] = [];
  for (const [flag, variable] of Object.entries(ENV_DEFAULTS) as Array<[FlagName, string]>) {
    const value = env[variable];
    if (value !== undefined) strings.set(flag, value);
  }

  let index = 0;
  while (index < argv.length) {
    const arg = argv[index]!;
    if (arg.length < 2 || !arg.startsWith('-')) break;
    index++;
    if (arg === '--') break;
    const name = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (name === '' || name.startsWith('-') || name.startsWith('=')) throw new ServerFlagsError(`bad flag syntax: ${arg}`);
    const eq = name.indexOf('=');
    const flag = eq === -1 ? name : name.slice(0, eq);
    const inline = eq === -1 ? undefined : name.slice(eq + 1);
    if (!Object.hasOwn(FLAGS, flag)) {
      if (flag === 'help' || flag === 'h') return helpFlags();
      throw new ServerFlagsError(`flag provided but not defined: -${flag}`);
    }
    const known = flag as FlagName;
    if (FLAGS[known] === 'bool') {
      // A boolean never takes the next argument: `-dev false` is -dev and a positional "false".
      const parsed = inline === undefined ? true : parseGoBool(inline);
      if (parsed !== undefined) bools.set(known, parsed);
      else throw new ServerFlagsError(`invalid boolean value ${JSON.stringify(inline)} for -${known}: strconv.ParseBool: parsing ${JSON.stringify(inline)}: invalid syntax`);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (index >= argv.length) throw new ServerFlagsError(`flag needs an argument: -${known}`);
      value = argv[index++]!;
    }
    if (FLAGS[known] === 'list') configPaths.push(value.trim());
    else strings.set(known, value);
  }
  const args = argv.slice(index);
  const trailing = args.filter((a) => a.startsWith('-') && a !== '-');
  if (trailing.length > 0) {
    warnings.push(`Command flags must be provided before positional arguments. The following arguments will not be parsed as flags: [${trailing.join(',')}]`);
  }

  const devTls = bools.get('dev-tls') ?? false;
  const devKvV1 = bools.get('dev-kv-v1') ?? false;
  const dev = (bools.get('dev') ?? false) || devTls || devKvV1;
  let devRootTokenId = strings.get('dev-root-token-id') || undefined;
  if (!dev) {
    if (configPaths.length === 0) throw new ServerFlagsError('Must specify at least one config path using -config');
    if (devRootTokenId !== undefined) {
      warnings.push('You cannot specify a custom root token ID outside of "dev" mode. Your request has been ignored.');
      devRootTokenId = undefined;
    }
  }
  const logLevel = optionalSetting(strings.get('log-level'), parseLogLevel, 'unknown log level');
  const logFormat = optionalSetting(strings.get('log-format'), parseLogFormat, 'unknown log format');
  const devTlsCertDir = strings.get('dev-tls-cert-dir') || undefined;
  return {
    help: false,
    configPaths,
    dev,
    ...(devRootTokenId !== undefined && { devRootTokenId }),
    // An empty value (flag or variable) falls back to the default, as Vault's dev config does.
    devListenAddress: strings.get('dev-listen-address') || DEFAULT_DEV_LISTEN_ADDRESS,
    devKvV1,
    devTls,
    ...(devTlsCertDir !== undefined && { devTlsCertDir }),
    devNoStoreToken: bools.get('dev-no-store-token') ?? false,
    ...(logLevel !== undefined && { logLevel }),
    ...(logFormat !== undefined && { logFormat }),
    args,
    warnings,
  };
}

/** An empty value means "not set"; anything else must be a name Vault knows. */
function optionalSetting<T>(value: string | undefined, parse: (text: string) => T | undefined, unknown: string): T | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = parse(value);
  if (parsed === undefined) throw new ServerFlagsError(`${unknown}: ${value.trim().toLowerCase()}`);
  return parsed;
}

function helpFlags(): ServerFlags {
  return {
    help: true,
    configPaths: [],
    dev: false,
    devListenAddress: DEFAULT_DEV_LISTEN_ADDRESS,
    devKvV1: false,
    devTls: false,
    devNoStoreToken: false,
    args: [],
    warnings: [],
  };
}
