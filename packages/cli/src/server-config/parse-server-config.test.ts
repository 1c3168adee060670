// parseServerConfig on whole files: the seed configurations verbatim, the JSON form, top-level
// settings and their warnings, lease TTLs, and every file-level error with its line.
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from './parse-server-config.js';
import { ServerConfigError } from './server-config-error.js';

function configError(text: string, fileName = 'vault.hcl'): ServerConfigError {
  try {
    parseServerConfig(text, fileName, { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ServerConfigError);
    return error as ServerConfigError;
  }
  throw new Error('expected a ServerConfigError');
}

const parse = (text: string, fileName = 'vault.hcl') => parseServerConfig(text, fileName, { env: {} });
const MINIMAL = 'listener "tcp" { tls_disable = true }\nstorage "inmem" {}\n';

describe('the seed configurations', () => {
  it('reads /etc/vault.d/vault.hcl from the Linode guide (seed 000): TLS listener and file storage', () => {
    const text = `listener "tcp" {
  address = "0.0.0.0:8200"
  tls_cert_file = "/etc/letsencrypt/live/example.com/fullchain.pem"
  tls_key_file = "/etc/letsencrypt/live/example.com/privkey.pem"
}

storage "file" {
  path = "/var/lib/vault"
}
`;
    expect(parseServerConfig(text, '/etc/vault.d/vault.hcl')).toEqual({
      listeners: [
        {
          type: 'tcp',
          address: '0.0.0.0:8200',
          tls: {
            certFile: '/etc/letsencrypt/live/example.com/fullchain.pem',
            keyFile: '/etc/letsencrypt/live/example.com/privkey.pem',
            requireAndVerifyClientCert: false,
            disableClientCerts: false,
          },
        },
      ],
      storage: { type: 'file', path: '/var/lib/vault' },
      ui: false,
      disableMlock: false,
      disableCache: false,
      warnings: [],
    });
  });

  it('reads the one-line VAULT_LOCAL_CONFIG of the docker-compose guide (seed 002)', () => {
    const text =
      'ui = true listener "tcp" { address = "0.0.0.0:8200" tls_disable = true } storage "raft" { path = "/vault/data" node_id = "vault-1" } seal "aesgcm" { keys = ["Z3M5bnR0MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY="] } service_registration "consul" { address = "consul:8500" }';
    const config = parseServerConfig(text, 'local.json', { env: {} });
    expect(config.listeners).toEqual([{ type: 'tcp', address: '0.0.0.0:8200', tls: false }]);
    expect(config.storage).toEqual({ type: 'file', path: '/vault/data' });
    expect(config.seal).toEqual({ type: 'static', declaredAs: 'aesgcm', key: new TextEncoder().encode('gs9ntt12345678901234567890123456') });
    expect(config.ui).toBe(true);
    expect(config.warnings).toEqual([
      'local.json:1: storage "raft": Coffer runs a single node, so the data is kept by the file storage at "/vault/data"; node_id ignored',
      'local.json:1: service_registration "consul" is accepted but ignored by Coffer: it registers with no service catalog',
      'local.json:1: ui = true is ignored: Coffer serves no web UI',
    ]);
  });
});

describe('the JSON form', () => {
  it('is chosen by content, as Vault does, and accepts object and list forms of labelled blocks', () => {
    const json = `{
  "listener": [{"tcp": {"address": "127.0.0.1:443", "tls_disable": "true"}}, {"tcp": {"address": "127.0.0.1:444", "tls_disable": 1}}],
  "storage": {"postgresql": {"connection_url": "postgres://vault@db/vault", "ha_enabled": "true"}},
  "max_lease_ttl": "10h",
  "default_lease_ttl": "10h",
  "cluster_name": "testcluster",
  "ui": false,
  "pid_file": "./pidfile",
  "raw_storage_endpoint": true
}`;
    for (const fileName of ['config.json', 'config.hcl']) {
      const config = parse(json, fileName);
      expect(config.listeners.map((l) => l.address)).toEqual(['127.0.0.1:443', '127.0.0.1:444']);
      expect(config.storage).toEqual({ type: 'postgresql', connectionUrl: 'postgres://vault@db/vault', haEnabled: true, skipCreateTable: false });
      expect([config.defaultLeaseTtlSec, config.maxLeaseTtlSec, config.clusterName, config.pidFile]).toEqual([36_000, 36_000, 'testcluster', './pidfile']);
      expect(config.warnings).toEqual([`${fileName}:9: raw_storage_endpoint is accepted but ignored by Coffer`]);
    }
  });

  it('reports JSON syntax errors with the file and line', () => {
    const error = configError('{\n  "ui": true,\n}', 'config.json');
    expect(error.message).toBe(`config.json:3: expected object key string, got: "}"`);
    expect([error.line, error.column]).toEqual([3, 1]);
  });
});

describe('top-level settings', () => {
  it('reads addresses, names, log settings and the pid file', () => {
    const config = parse(`${MINIMAL}
api_addr = "https://vault.example.com:8200"
cluster_addr = "https://10.0.0.1:8201"
cluster_name = "prod"
log_level = " Warning "
log_format = "JSON"
pid_file = "/run/vault.pid"
disable_mlock = true
`);
    expect(config).toMatchObject({
      apiAddr: 'https://vault.example.com:8200',
      clusterAddr: 'https://10.0.0.1:8201',
      clusterName: 'prod',
      logLevel: 'warn',
      logFormat: 'json',
      pidFile: '/run/vault.pid',
      disableMlock: true,
      disableCache: false,
    });
    expect(config.warnings).toEqual(['vault.hcl:5: cluster_addr is accepted but ignored by Coffer: it runs no cluster port']);
  });

  it('reads booleans as Vault does: true, "true", "1", 1 and "t" are all true', () => {
    for (const value of ['true', '"true"', '"1"', '1', '"t"', '"TRUE"']) expect(parse(`${MINIMAL}ui = ${value}`).ui).toBe(true);
    for (const value of ['false', '"false"', '"0"', '0', '""']) expect(parse(`${MINIMAL}ui = ${value}`).ui).toBe(false);
  });

  it('warns about every setting it accepts but ignores', () => {
    const config = parse(`${MINIMAL}disable_mlock = false
plugin_directory = "/etc/vault/plugins"
telemetry {
  prometheus_retention_time = "30s"
  disable_hostname = true
}
`);
    expect(config.warnings).toEqual([
      'vault.hcl:3: disable_mlock = false is ignored: Node cannot lock memory, so Coffer never does',
      'vault.hcl:4: plugin_directory is accepted but ignored by Coffer',
      'vault.hcl:5: telemetry is accepted but ignored by Coffer: it exports no metrics',
    ]);
  });

  it('reads disable_cache and cache_size, where 0 means the default size as in Vault', () => {
    expect(parse(`${MINIMAL}disable_cache = true\ncache_size = 1000`)).toMatchObject({ disableCache: true, cacheSize: 1000, warnings: [] });
    const defaults = parse(`${MINIMAL}cache_size = 0`);
    expect(defaults.disableCache).toBe(false);
    expect(defaults.cacheSize).toBeUndefined();
    expect(() => parse(`${MINIMAL}cache_size = -1`)).toThrow('vault.hcl:3: invalid value for cache_size: must not be negative');
    expect(() => parse(`${MINIMAL}cache_size = "lots"`)).toThrow(/vault.hcl:3: invalid value for cache_size: expected an integer/);
  });

  it('takes the storage block`s redirect_addr as the API address when api_addr is absent, as Vault does', () => {
    expect(parse('listener "tcp" { tls_disable = true }\nstorage "file" { path = "d" redirect_addr = "http://10.0.0.2:8200" }').apiAddr).toBe('http://10.0.0.2:8200');
    expect(parse('listener "tcp" { tls_disable = true }\nstorage "file" { path = "d" redirect_addr = "http://x:1" }\napi_addr = "http://y:2"').apiAddr).toBe('http://y:2');
  });

  it('accepts the legacy top-level name `backend` for storage', () => {
    expect(parse('listener "tcp" { tls_disable = true }\nbackend "file" { path = "./data" }').storage).toEqual({ type: 'file', path: './data' });
  });
});

describe('lease TTLs', () => {
  it('reads Go durations, integer seconds and whole days', () => {
    const config = parse(`${MINIMAL}default_lease_ttl = "768h"\nmax_lease_ttl = "40d"`);
    expect([config.defaultLeaseTtlSec, config.maxLeaseTtlSec]).toEqual([2_764_800, 3_456_000]);
    expect(parse(`${MINIMAL}default_lease_ttl = 3600\nmax_lease_ttl = "7200"`)).toMatchObject({ defaultLeaseTtlSec: 3600, maxLeaseTtlSec: 7200 });
  });

  it('reads 0 as unset, as Vault does', () => {
    const config = parse(`${MINIMAL}default_lease_ttl = "0s"\nmax_lease_ttl = 0`);
    expect(config.defaultLeaseTtlSec).toBeUndefined();
    expect(config.maxLeaseTtlSec).toBeUndefined();
  });

  it.each([
    ['default_lease_ttl = "2h"\nmax_lease_ttl = "1h"', 4, 'cannot have default_lease_ttl (2h0m0s) larger than max_lease_ttl (1h0m0s)'],
    ['default_lease_ttl = "800h"', 3, 'cannot have default_lease_ttl (800h0m0s) larger than max_lease_ttl (768h0m0s, the default)'],
    ['max_lease_ttl = "1h"', 3, 'cannot have default_lease_ttl (768h0m0s) larger than max_lease_ttl (1h0m0s)'],
    ['default_lease_ttl = "soon"', 3, 'invalid value for default_lease_ttl: time: invalid duration "soon"'],
    ['max_lease_ttl = "-1h"', 3, 'invalid value for max_lease_ttl: duration cannot be negative'],
    ['max_lease_ttl = true', 3, 'invalid value for max_lease_ttl: expected a duration, got the bool true'],
  ])('%j fails at line %i', (extra, line, detail) => {
    const error = configError(`${MINIMAL}${extra}`);
    expect(error.message).toBe(`vault.hcl:${line}: ${detail}`);
    expect(error.line).toBe(line);
  });
});

describe('file-level errors', () => {
  it.each([
    ['listener "tcp" { tls_disable = true }\nadress = "x"\nstorage "inmem" {}', 2, 'unknown key "adress"'],
    [`${MINIMAL}ui = true\nui = false`, 4, 'duplicate key "ui"'],
    [`${MINIMAL}storage "file" { path = "/d" }`, 3, 'only one "storage" block is permitted'],
    [`${MINIMAL}backend "file" { path = "/d" }`, 3, 'only one storage block is permitted: "backend" is the old name of "storage"'],
    [`${MINIMAL}ha_storage "consul" {}`, 3, 'a separate HA storage is not available in Coffer: processes sharing one storage "postgresql" (ha_enabled = true) coordinate through it'],
    [`${MINIMAL}service_registration "consul" {}\nservice_registration "kubernetes" {}`, 4, 'only one "service_registration" block is permitted'],
    [`${MINIMAL}api_addr = 8200`, 3, 'invalid value for api_addr: expected a string, got the number 8200'],
    [`${MINIMAL}api_addr = "127.0.0.1:8200"`, 3, `invalid value for api_addr: "127.0.0.1:8200" must be a URL with a scheme (ex. 'http://127.0.0.1:8200')`],
    [`${MINIMAL}api_addr = "http://{{ GetPrivateIP }}:8200"`, 3, 'invalid value for api_addr: go-sockaddr templates are not supported by Coffer'],
    [`${MINIMAL}cluster_name = ""`, 3, 'invalid value for cluster_name: must not be empty'],
    [`${MINIMAL}log_level = "verbose"`, 3, 'unknown log level: verbose'],
    [`${MINIMAL}log_format = "xml"`, 3, 'unknown log format: xml'],
    [`${MINIMAL}ui = "maybe"`, 3, 'invalid value for ui: cannot parse "maybe" as bool'],
    [`${MINIMAL}ui = ["yes"]`, 3, 'invalid value for ui: expected a bool, got a list'],
    [`${MINIMAL}telemetry { statsd_adress = "x" }`, 3, 'unknown key "statsd_adress" in telemetry'],
    [`${MINIMAL}telemetry "x" {}`, 3, 'telemetry takes no label, got "x"'],
    [`${MINIMAL}storage = "file"`, 3, 'storage: expected storage "<type>" { ... }, got the string "file"'],
    [`${MINIMAL}storage { path = "/d" }`, 3, 'storage: expected storage "<type>" { ... }, got "path" = the string "/d"'],
    [`${MINIMAL}storage "file" "x" {}`, 3, 'storage takes one label, got another: "x"'],
    ['listener "tcp" {\n  tls_disable = true\n', 3, 'object expected closing RBRACE got: EOF'],
    ['ui = @', 1, 'illegal char "@"'],
  ])('%j fails at line %i', (text, line, detail) => {
    const error = configError(text);
    expect(error.message).toBe(`vault.hcl:${line}: ${detail}`);
    expect([error.fileName, error.line, error.detail]).toEqual(['vault.hcl', line, detail]);
  });

  it('needs a storage block, in Vault`s words, and at least one listener', () => {
    expect(configError('listener "tcp" { tls_disable = true }').message).toBe('vault.hcl: A storage backend must be specified');
    expect(configError('storage "inmem" {}').message).toBe('vault.hcl: no listener configured: add a listener "tcp" block');
    expect(configError('').line).toBeUndefined();
  });

  it('keeps the HCL error as the cause of a syntax error', () => {
    const error = configError('ui = "open');
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).name).toBe('HclParseError');
    expect([error.line, error.column]).toEqual([1, 6]);
  });
});
