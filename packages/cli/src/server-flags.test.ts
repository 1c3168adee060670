// `coffer server` flags as Go's flag package and Vault read them: every flag form, booleans,
// repeated -config, environment defaults and their precedence, and Vault's error messages.
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEV_LISTEN_ADDRESS, parseServerFlags, ServerFlagsError } from './server-flags.js';

const parse = (argv: string[], env: Record<string, string> = {}) => parseServerFlags(argv, env);

function flagsError(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseServerFlags(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ServerFlagsError);
    return (error as Error).message;
  }
  throw new Error('expected a ServerFlagsError');
}

describe('parseServerFlags', () => {
  it('gives Vault`s defaults for -dev alone', () => {
    expect(parse(['-dev'])).toEqual({
      help: false,
      configPaths: [],
      dev: true,
      devListenAddress: DEFAULT_DEV_LISTEN_ADDRESS,
      devKvV1: false,
      devTls: false,
      devNoStoreToken: false,
      args: [],
      warnings: [],
    });
    expect(DEFAULT_DEV_LISTEN_ADDRESS).toBe('127.0.0.1:8200');
  });

  it.each([
    [['-config=/etc/vault.d/vault.hcl']],
    [['-config', '/etc/vault.d/vault.hcl']],
    [['--config=/etc/vault.d/vault.hcl']],
    [['--config', '/etc/vault.d/vault.hcl']],
    [['-config= /etc/vault.d/vault.hcl ']],
  ])('reads the value forms %j', (argv) => {
    expect(parse(argv).configPaths).toEqual(['/etc/vault.d/vault.hcl']);
  });

  it('collects repeated -config values in order, keeping commas as part of a path', () => {
    expect(parse(['-config', 'a.hcl', '-config=conf.d', '--config', 'b,c.json']).configPaths).toEqual(['a.hcl', 'conf.d', 'b,c.json']);
  });

  it('reads every boolean form Go accepts, the last one winning', () => {
    for (const value of ['true', '1', 't', 'T', 'TRUE', 'True']) expect(parse([`-dev=${value}`]).dev).toBe(true);
    for (const value of ['false', '0', 'f', 'F', 'FALSE', 'False']) expect(parse([`-dev=${value}`, '-config=x.hcl']).dev).toBe(false);
    expect(parse(['-dev', '-dev=false', '-config=x.hcl']).dev).toBe(false);
    expect(parse(['--dev-no-store-token', '-dev']).devNoStoreToken).toBe(true);
  });

  it('never lets a boolean take the next argument: `-dev false` is -dev and a positional', () => {
    const flags = parse(['-dev', 'false', '-dev-root-token-id=root']);
    expect(flags.dev).toBe(true);
    expect(flags.devRootTokenId).toBeUndefined();
    expect(flags.args).toEqual(['false', '-dev-root-token-id=root']);
    expect(flags.warnings).toEqual(['Command flags must be provided before positional arguments. The following arguments will not be parsed as flags: [-dev-root-token-id=root]']);
  });

  it('stops at `--` and at a lone `-`', () => {
    expect(parse(['-dev', '--', '-config=x']).args).toEqual(['-config=x']);
    expect(parse(['-dev', '-', '-x']).args).toEqual(['-', '-x']);
  });

  it('reads every dev flag, and -dev-tls or -dev-kv-v1 turn dev mode on as in Vault', () => {
    const flags = parse(['-dev-tls', '-dev-tls-cert-dir', '/tmp/certs', '-dev-kv-v1', '-dev-root-token-id', 'root', '-dev-listen-address=0.0.0.0:8300', '-dev-no-store-token']);
    expect(flags).toMatchObject({ dev: true, devTls: true, devTlsCertDir: '/tmp/certs', devKvV1: true, devRootTokenId: 'root', devListenAddress: '0.0.0.0:8300', devNoStoreToken: true });
    expect(parse(['-dev-kv-v1']).dev).toBe(true);
  });

  it('takes dev defaults from the environment, and flags win over it', () => {
    const env = { VAULT_DEV_ROOT_TOKEN_ID: 'env-root', VAULT_DEV_LISTEN_ADDRESS: '0.0.0.0:8200', VAULT_LOG_LEVEL: 'debug' };
    expect(parse(['-dev'], env)).toMatchObject({ devRootTokenId: 'env-root', devListenAddress: '0.0.0.0:8200', logLevel: 'debug' });
    expect(parse(['-dev', '-dev-root-token-id=flag-root', '-dev-listen-address', '127.0.0.1:9200', '-log-level=error'], env)).toMatchObject({
      devRootTokenId: 'flag-root',
      devListenAddress: '127.0.0.1:9200',
      logLevel: 'error',
    });
  });

  it('reads an empty root token id or listen address as unset', () => {
    const flags = parse(['-dev', '-dev-root-token-id='], { VAULT_DEV_LISTEN_ADDRESS: '' });
    expect(flags.devRootTokenId).toBeUndefined();
    expect(flags.devListenAddress).toBe(DEFAULT_DEV_LISTEN_ADDRESS);
  });

  it('reads log level and format, with Vault`s aliases', () => {
    expect(parse(['-dev', '-log-level', 'WARNING', '-log-format=json'])).toMatchObject({ logLevel: 'warn', logFormat: 'json' });
    expect(parse(['-dev', '-log-level=err']).logLevel).toBe('error');
    expect(parse(['-dev', '-log-level='])).not.toHaveProperty('logLevel');
  });

  it('ignores a root token id outside dev mode with Vault`s warning', () => {
    const flags = parse(['-config=vault.hcl'], { VAULT_DEV_ROOT_TOKEN_ID: 'root' });
    expect(flags.devRootTokenId).toBeUndefined();
    expect(flags.warnings).toEqual(['You cannot specify a custom root token ID outside of "dev" mode. Your request has been ignored.']);
  });

  it('answers -h, -help and --help with help, whatever follows', () => {
    for (const argv of [['-h'], ['-help'], ['--help'], ['-config=x', '-help', '-nonsense']]) expect(parse(argv).help).toBe(true);
  });

  it.each([
    [['-x'], 'flag provided but not defined: -x'],
    [['--dev-mode'], 'flag provided but not defined: -dev-mode'],
    [['-dev', '-listen=1'], 'flag provided but not defined: -listen'],
    [['---dev'], 'bad flag syntax: ---dev'],
    [['-=x'], 'bad flag syntax: -=x'],
    [['-config'], 'flag needs an argument: -config'],
    [['-dev', '-dev-root-token-id'], 'flag needs an argument: -dev-root-token-id'],
    [['-dev=maybe'], 'invalid boolean value "maybe" for -dev: strconv.ParseBool: parsing "maybe": invalid syntax'],
    [['-dev='], 'invalid boolean value "" for -dev: strconv.ParseBool: parsing "": invalid syntax'],
    [['-dev', '-log-level=loud'], 'unknown log level: loud'],
    [['-dev', '-log-format=xml'], 'unknown log format: xml'],
    [[], 'Must specify at least one config path using -config'],
    [['-dev=false'], 'Must specify at least one config path using -config'],
    [['-dev-root-token-id=root'], 'Must specify at least one config path using -config'],
  ])('%j fails: %s', (argv, message) => {
    expect(flagsError(argv)).toBe(message);
  });

  it('reports an invalid VAULT_LOG_LEVEL as Vault does', () => {
    expect(flagsError(['-dev'], { VAULT_LOG_LEVEL: 'chatty' })).toBe('unknown log level: chatty');
  });
});
