// Vault's `storage` (or legacy `backend`) stanza, mapped onto the adapters Coffer has: memory,
// files, and PostgreSQL. `raft` becomes the file storage at its path, since Coffer runs one node.
import type { LabeledBlock } from './config-blocks.js';
import type { ConfigContext } from './config-context.js';
import { readBool, readInt, readNonEmptyString, readString, singleEntries } from './config-values.js';
import type { ConfigEntry } from './config-values.js';
import type { StorageConfig } from './server-config.js';

/** Keys Vault takes out of every storage block before the backend sees the rest. */
const COMMON_KEYS = ['redirect_addr', 'advertise_addr', 'cluster_addr', 'disable_clustering'] as const;

/** Raft settings that only matter to a cluster of nodes; Coffer accepts and ignores them. */
const RAFT_CLUSTER_KEYS = [
  'retry_join',
  'performance_multiplier',
  'trailing_logs',
  'snapshot_threshold',
  'snapshot_interval',
  'max_entry_size',
  'max_transaction_size',
  'autopilot_reconcile_interval',
  'autopilot_update_interval',
  'autopilot_redundancy_zone',
  'autopilot_upgrade_version',
  'raft_wal',
  'raft_log_verifier_enabled',
  'raft_log_verification_interval',
] as const;

const POSTGRESQL_KEYS = ['connection_url', 'table', 'ha_enabled', 'ha_table', 'max_parallel', 'max_idle_connections', 'max_connect_retries', 'skip_create_table'] as const;

const KEYS_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  inmem: [],
  file: ['path'],
  raft: ['path', 'node_id', ...RAFT_CLUSTER_KEYS],
  postgresql: POSTGRESQL_KEYS,
};

/** Vault reads this variable before the block's `connection_url`. */
export const POSTGRESQL_CONNECTION_URL_ENV = 'VAULT_PG_CONNECTION_URL';

export interface ParsedStorage {
  readonly storage: StorageConfig;
  /** The block's `redirect_addr` (or `advertise_addr`), which stands in for a missing top-level `api_addr`. */
  readonly redirectAddr?: string;
}

/** One storage block, validated. */
export function parseStorage(ctx: ConfigContext, block: LabeledBlock): ParsedStorage {
  const where = `${block.name.name} ${JSON.stringify(block.label.name)}`;
  const keys = KEYS_BY_TYPE[block.type];
  if (keys === undefined) {
    throw ctx.fail(block.label.pos, `${where} is not available in Coffer: use "file", "postgresql", "inmem" or "raft" (kept in files on a single node)`);
  }
  const entries = singleEntries(ctx, block.body, where, new Set([...COMMON_KEYS, ...keys]));

  let redirectAddr: string | undefined;
  const redirect = entries.get('redirect_addr') ?? entries.get('advertise_addr');
  if (redirect) redirectAddr = readNonEmptyString(ctx, redirect, where);
  for (const key of ['cluster_addr', 'disable_clustering'] as const) {
    const entry = entries.get(key);
    if (entry) ctx.warn(entry.key.pos, `${key} in ${where} is accepted but ignored by Coffer: it runs no cluster`);
  }
  const storage = storageOfType(ctx, block, entries, where);
  return { storage, ...(redirectAddr !== undefined && { redirectAddr }) };
}

function storageOfType(ctx: ConfigContext, block: LabeledBlock, entries: ReadonlyMap<string, ConfigEntry>, where: string): StorageConfig {
  switch (block.type) {
    case 'inmem':
      return { type: 'inmem' };
    case 'file':
      return { type: 'file', path: requiredPath(ctx, block, entries, where) };
    case 'raft': {
      const path = requiredPath(ctx, block, entries, where);
      const nodeId = entries.get('node_id');
      if (nodeId) readString(ctx, nodeId, where);
      const ignored = RAFT_CLUSTER_KEYS.filter((key) => entries.has(key));
      const also = [...(nodeId ? ['node_id'] : []), ...ignored];
      ctx.warn(
        block.label.pos,
        `${where}: Coffer runs a single node, so the data is kept by the file storage at ${JSON.stringify(path)}` +
          (also.length > 0 ? `; ${also.join(', ')} ignored` : ''),
      );
      return { type: 'file', path };
    }
    default:
      return postgresql(ctx, block, entries, where);
  }
}

/** Vault's file and raft backends both refuse a block without `path` in these words. */
function requiredPath(ctx: ConfigContext, block: LabeledBlock, entries: ReadonlyMap<string, ConfigEntry>, where: string): string {
  const entry = entries.get('path');
  if (!entry) throw ctx.fail(block.label.pos, `${where}: 'path' must be set`);
  return readNonEmptyString(ctx, entry, where);
}

function postgresql(ctx: ConfigContext, block: LabeledBlock, entries: ReadonlyMap<string, ConfigEntry>, where: string): StorageConfig {
  const urlEntry = entries.get('connection_url');
  const fromFile = urlEntry && readNonEmptyString(ctx, urlEntry, where);
  const connectionUrl = ctx.env[POSTGRESQL_CONNECTION_URL_ENV] || fromFile;
  if (connectionUrl === undefined) throw ctx.fail(block.label.pos, `${where}: 'connection_url' must be set (or ${POSTGRESQL_CONNECTION_URL_ENV})`);
  const str = (key: string): string | undefined => {
    const entry = entries.get(key);
    return entry && readNonEmptyString(ctx, entry, where);
  };
  const nonNegativeInt = (key: string): number | undefined => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    const value = readInt(ctx, entry, where);
    if (value < 0) throw ctx.fail(entry.value.pos, `invalid value for ${key} in ${where}: must not be negative`);
    return value;
  };
  const flag = (key: string): boolean => {
    const entry = entries.get(key);
    return entry ? readBool(ctx, entry, where) : false;
  };
  const table = str('table');
  const haTable = str('ha_table');
  const maxParallel = nonNegativeInt('max_parallel');
  const maxIdleConnections = nonNegativeInt('max_idle_connections');
  const maxConnectRetries = nonNegativeInt('max_connect_retries');
  return {
    type: 'postgresql',
    connectionUrl,
    ...(table !== undefined && { table }),
    haEnabled: flag('ha_enabled'),
    ...(haTable !== undefined && { haTable }),
    ...(maxParallel !== undefined && { maxParallel }),
    ...(maxIdleConnections !== undefined && { maxIdleConnections }),
    ...(maxConnectRetries !== undefined && { maxConnectRetries }),
    skipCreateTable: flag('skip_create_table'),
  };
}
