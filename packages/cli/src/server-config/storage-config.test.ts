// storage blocks: inmem, file, raft (mapped to file on one node, with a warning), postgresql with
// every field Vault reads, the common keys Vault strips, and the errors for anything else.
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from './parse-server-config.js';
import type { ParseServerConfigOptions } from './config-context.js';
import { ServerConfigError } from './server-config-error.js';

const LISTENER = 'listener "tcp" { tls_disable = true }\n';
const parse = (storage: string, options: ParseServerConfigOptions = { env: {} }) => parseServerConfig(`${LISTENER}${storage}`, 'vault.hcl', options);

function storageError(storage: string): ServerConfigError {
  try {
    parse(storage);
  } catch (error) {
    expect(error).toBeInstanceOf(ServerConfigError);
    return error as ServerConfigError;
  }
  throw new Error('expected a ServerConfigError');
}

describe('storage', () => {
  it('reads inmem and file, keeping relative paths as written', () => {
    expect(parse('storage "inmem" {}').storage).toEqual({ type: 'inmem' });
    expect(parse('storage "file" {\n  path = "./vault-data"\n}').storage).toEqual({ type: 'file', path: './vault-data' });
  });

  it('maps raft to the file storage at its path and says so, naming what it ignores', () => {
    const config = parse('storage "raft" {\n  path = "/vault/data"\n  node_id = "node-1"\n  retry_join {\n    leader_api_addr = "http://vault-1:8200"\n  }\n  performance_multiplier = 1\n}');
    expect(config.storage).toEqual({ type: 'file', path: '/vault/data' });
    expect(config.warnings).toEqual([
      'vault.hcl:2: storage "raft": Coffer runs a single node, so the data is kept by the file storage at "/vault/data"; node_id, retry_join, performance_multiplier ignored',
    ]);
    expect(parse('storage "raft" { path = "/d" }').warnings).toEqual(['vault.hcl:2: storage "raft": Coffer runs a single node, so the data is kept by the file storage at "/d"']);
  });

  it('reads every postgresql field, with Vault`s loose booleans and integers', () => {
    const config = parse(`storage "postgresql" {
  connection_url = "postgres://vault:secret@db:5432/vault?sslmode=disable"
  table = "vault_kv_store"
  ha_enabled = "true"
  ha_table = "vault_ha_locks"
  max_parallel = "128"
  max_idle_connections = 4
  max_connect_retries = 3
  skip_create_table = true
}`);
    expect(config.storage).toEqual({
      type: 'postgresql',
      connectionUrl: 'postgres://vault:secret@db:5432/vault?sslmode=disable',
      table: 'vault_kv_store',
      haEnabled: true,
      haTable: 'vault_ha_locks',
      maxParallel: 128,
      maxIdleConnections: 4,
      maxConnectRetries: 3,
      skipCreateTable: true,
    });
    expect(config.warnings).toEqual([]);
  });

  it('takes the PostgreSQL URL from VAULT_PG_CONNECTION_URL before the block, as Vault does', () => {
    const env = { VAULT_PG_CONNECTION_URL: 'postgres://from-env/vault' };
    expect(parse('storage "postgresql" {}', { env }).storage).toMatchObject({ connectionUrl: 'postgres://from-env/vault', haEnabled: false, skipCreateTable: false });
    expect(parse('storage "postgresql" { connection_url = "postgres://from-file/vault" }', { env }).storage).toMatchObject({ connectionUrl: 'postgres://from-env/vault' });
  });

  it('warns about the cluster keys Vault takes from any storage block', () => {
    expect(parse('storage "file" {\n  path = "d"\n  cluster_addr = "https://10.0.0.1:8201"\n  disable_clustering = "true"\n}').warnings).toEqual([
      'vault.hcl:4: cluster_addr in storage "file" is accepted but ignored by Coffer: it runs no cluster',
      'vault.hcl:5: disable_clustering in storage "file" is accepted but ignored by Coffer: it runs no cluster',
    ]);
  });

  it.each([
    ['storage "consul" {\n  address = "127.0.0.1:8500"\n}', 2, 'storage "consul" is not available in Coffer: use "file", "postgresql", "inmem" or "raft" (kept in files on a single node)'],
    ['storage "file" {}', 2, `storage "file": 'path' must be set`],
    ['storage "raft" {\n  node_id = "n1"\n}', 2, `storage "raft": 'path' must be set`],
    ['storage "file" {\n  path = ["/a"]\n}', 3, 'invalid value for path in storage "file": expected a string, got a list'],
    ['storage "file" {\n  path = "/a"\n  max_parallel = 4\n}', 4, 'unknown key "max_parallel" in storage "file"'],
    ['storage "inmem" {\n  path = "/a"\n}', 3, 'unknown key "path" in storage "inmem"'],
    ['storage "raft" {\n  path = "/a"\n  node_id = 7\n}', 4, 'invalid value for node_id in storage "raft": expected a string, got the number 7'],
    ['storage "postgresql" {\n  table = "kv"\n}', 2, `storage "postgresql": 'connection_url' must be set (or VAULT_PG_CONNECTION_URL)`],
    ['storage "postgresql" {\n  connection_url = "postgres://x"\n  ha_enabled = "yes"\n}', 4, 'invalid value for ha_enabled in storage "postgresql": cannot parse "yes" as bool'],
    ['storage "postgresql" {\n  connection_url = "postgres://x"\n  max_parallel = "many"\n}', 4, 'invalid value for max_parallel in storage "postgresql": expected an integer, got the string "many"'],
    ['storage "postgresql" {\n  connection_url = "postgres://x"\n  max_idle_connections = -1\n}', 4, 'invalid value for max_idle_connections in storage "postgresql": must not be negative'],
    ['storage "postgresql" {\n  connection_url = "postgres://x"\n  conection_url = "postgres://y"\n}', 4, 'unknown key "conection_url" in storage "postgresql"'],
    ['storage "file" {\n  path = "/a"\n  path = "/b"\n}', 4, 'duplicate key "path" in storage "file"'],
  ])('%j fails at line %i', (storage, line, detail) => {
    expect(storageError(storage).message).toBe(`vault.hcl:${line}: ${detail}`);
  });
});
