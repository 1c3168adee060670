// `vault server -config=FILE`: one configuration file (HCL1, or JSON when it starts with `{`, as
// Vault's hclutil decides) read into a validated ServerConfig. Errors name the file and line.
import { HclParseError, looksLikeJson, parseHcl, parseJson } from '@coffer/hcl';
import type { ObjectNode } from '@coffer/hcl';
import { formatDuration } from '@coffer/sdk';
import { labeledBlocks, unlabeledBlock } from './config-blocks.js';
import type { LabeledBlock } from './config-blocks.js';
import { createConfigContext } from './config-context.js';
import type { ConfigContext, ParseServerConfigOptions } from './config-context.js';
import { groupEntries, readBool, readDurationSec, readInt, readNonEmptyString, readString, single, singleEntries } from './config-values.js';
import type { ConfigEntry } from './config-values.js';
import { parseListener } from './listener-config.js';
import { parseLogFormat, parseLogLevel } from './log-settings.js';
import { parseSeal } from './seal-config.js';
import { DEFAULT_LEASE_TTL_SEC } from './server-config.js';
import type { LogFormat, LogLevel, ServerConfig } from './server-config.js';
import { ServerConfigError } from './server-config-error.js';
import { parseStorage } from './storage-config.js';
import type { ParsedStorage } from './storage-config.js';

const USED_KEYS = [
  'listener',
  'storage',
  'backend',
  'seal',
  'default_lease_ttl',
  'max_lease_ttl',
  'api_addr',
  'cluster_addr',
  'cluster_name',
  'ui',
  'disable_mlock',
  'log_level',
  'log_format',
  'pid_file',
  'disable_cache',
  'cache_size',
  'service_registration',
  'telemetry',
] as const;

/** Top-level settings Vault knows that change nothing in Coffer: each is accepted with a warning. */
const IGNORED_KEYS = [
  'cluster_cipher_suites',
  'default_max_request_duration',
  'detect_deadlocks',
  'disable_clustering',
  'disable_indexing',
  'disable_performance_standby',
  'disable_printable_check',
  'disable_sealwrap',
  'disable_sentinel_trace',
  'enable_response_header_hostname',
  'enable_response_header_raft_node_id',
  'experiments',
  'imprecise_lease_role_tracking',
  'introspection_endpoint',
  'license_path',
  'log_file',
  'log_requests_level',
  'log_rotate_bytes',
  'log_rotate_duration',
  'log_rotate_max_files',
  'plugin_directory',
  'plugin_file_permissions',
  'plugin_file_uid',
  'raw_storage_endpoint',
  'sentinel',
  'user_lockout',
] as const;

/** Settings Coffer refuses rather than ignores, because ignoring them would change what the operator gets. */
const REFUSED_KEYS: Readonly<Record<string, string>> = {
  ha_storage: 'a separate HA storage is not available in Coffer: processes sharing one storage "postgresql" (ha_enabled = true) coordinate through it',
  ha_backend: 'a separate HA storage is not available in Coffer: processes sharing one storage "postgresql" (ha_enabled = true) coordinate through it',
};

/** The telemetry keys of Vault's configutil; the block is accepted and ignored as a whole. */
const TELEMETRY_KEYS = [
  'add_lease_metrics_namespace_labels',
  'circonus_api_app',
  'circonus_api_token',
  'circonus_api_url',
  'circonus_broker_id',
  'circonus_broker_select_tag',
  'circonus_check_display_name',
  'circonus_check_force_metric_activation',
  'circonus_check_id',
  'circonus_check_instance_id',
  'circonus_check_search_tag',
  'circonus_check_tags',
  'circonus_submission_interval',
  'circonus_submission_url',
  'disable_hostname',
  'dogstatsd_addr',
  'dogstatsd_tags',
  'enable_hostname_label',
  'filter_default',
  'lease_metrics_epsilon',
  'maximum_gauge_cardinality',
  'metrics_prefix',
  'num_lease_metrics_buckets',
  'prefix_filter',
  'prometheus_retention_time',
  'stackdriver_debug_logs',
  'stackdriver_location',
  'stackdriver_namespace',
  'stackdriver_project_id',
  'statsd_address',
  'statsite_address',
  'usage_gauge_period',
];

const KNOWN_KEYS: ReadonlySet<string> = new Set([...USED_KEYS, ...IGNORED_KEYS, ...Object.keys(REFUSED_KEYS)]);
const REPEATABLE_KEYS: ReadonlySet<string> = new Set(['listener', 'storage', 'backend', 'seal', 'service_registration']);

/**
 * Parses one Vault server configuration file. `fileName` is used in messages (and nothing else:
 * the text is already read). Throws ServerConfigError naming `fileName` and the line for syntax
 * errors, unknown or repeated keys, wrong value types and settings Coffer cannot honour.
 * Relative paths are kept as written.
 */
export function parseServerConfig(text: string, fileName: string, options: ParseServerConfigOptions = {}): ServerConfig {
  const ctx = createConfigContext(fileName, options);
  const root = parseSyntax(ctx, text);
  const groups = groupEntries(ctx, root, undefined, KNOWN_KEYS);
  const entries = new Map<string, ConfigEntry>();
  for (const [name, group] of groups) {
    const refused = REFUSED_KEYS[name];
    if (refused !== undefined) throw ctx.fail(group[0]!.key.pos, refused);
    if (!REPEATABLE_KEYS.has(name)) entries.set(name, single(ctx, group, undefined));
  }
  for (const key of IGNORED_KEYS) {
    const entry = entries.get(key);
    if (entry) ctx.warn(entry.key.pos, `${key} is accepted but ignored by Coffer`);
  }
  const blocks = (name: string): LabeledBlock[] => (groups.get(name) ?? []).flatMap((entry) => labeledBlocks(ctx, entry));

  const listenerBlocks = blocks('listener');
  const listeners = listenerBlocks.map((block) => parseListener(ctx, block));
  if (listeners.length === 0) throw ctx.fail(undefined, 'no listener configured: add a listener "tcp" block');

  const storage = parseStorageBlocks(ctx, blocks('storage'), blocks('backend'));

  const sealBlocks = blocks('seal');
  if (sealBlocks[1]) throw ctx.fail(sealBlocks[1].label.pos, 'only one "seal" block is permitted: seal migration is not available in Coffer');
  const seal = sealBlocks[0] && parseSeal(ctx, sealBlocks[0]);

  const registrations = blocks('service_registration');
  if (registrations[1]) throw ctx.fail(registrations[1].label.pos, 'only one "service_registration" block is permitted');
  for (const registration of registrations) {
    ctx.warn(registration.label.pos, `service_registration ${JSON.stringify(registration.label.name)} is accepted but ignored by Coffer: it registers with no service catalog`);
  }

  const telemetry = entries.get('telemetry');
  if (telemetry) {
    singleEntries(ctx, unlabeledBlock(ctx, telemetry), 'telemetry', new Set(TELEMETRY_KEYS));
    ctx.warn(telemetry.key.pos, 'telemetry is accepted but ignored by Coffer: it exports no metrics');
  }

  const str = (key: string): string | undefined => {
    const entry = entries.get(key);
    return entry && readNonEmptyString(ctx, entry);
  };
  const flag = (key: string): boolean | undefined => {
    const entry = entries.get(key);
    return entry && readBool(ctx, entry);
  };

  const ui = flag('ui') ?? false;
  if (ui) ctx.warn(entries.get('ui')!.key.pos, 'ui = true is ignored: Coffer serves no web UI');
  const disableMlock = flag('disable_mlock');
  if (disableMlock === false) ctx.warn(entries.get('disable_mlock')!.key.pos, 'disable_mlock = false is ignored: Node cannot lock memory, so Coffer never does');
  const disableCache = flag('disable_cache') ?? false;
  const cacheSizeEntry = entries.get('cache_size');
  // Vault reads 0 as "the default size".
  const cacheSize = cacheSizeEntry ? readInt(ctx, cacheSizeEntry) : 0;
  if (cacheSize < 0) throw ctx.fail(cacheSizeEntry!.value.pos, 'invalid value for cache_size: must not be negative');
  const clusterAddr = str('cluster_addr');
  if (clusterAddr !== undefined) ctx.warn(entries.get('cluster_addr')!.key.pos, 'cluster_addr is accepted but ignored by Coffer: it runs no cluster port');

  const apiAddrEntry = entries.get('api_addr');
  const apiAddr = apiAddrEntry ? readApiAddr(ctx, apiAddrEntry) : storage.redirectAddr;
  const clusterName = str('cluster_name');
  const pidFile = str('pid_file');
  const logLevel = readLogLevel(ctx, entries.get('log_level'));
  const logFormat = readLogFormat(ctx, entries.get('log_format'));
  const { defaultLeaseTtlSec, maxLeaseTtlSec } = readLeaseTtls(ctx, entries.get('default_lease_ttl'), entries.get('max_lease_ttl'));

  return {
    listeners,
    storage: storage.storage,
    ...(seal && { seal }),
    ...(defaultLeaseTtlSec !== undefined && { defaultLeaseTtlSec }),
    ...(maxLeaseTtlSec !== undefined && { maxLeaseTtlSec }),
    ...(apiAddr !== undefined && { apiAddr }),
    ...(clusterAddr !== undefined && { clusterAddr }),
    ...(clusterName !== undefined && { clusterName }),
    ui,
    disableMlock: disableMlock ?? false,
    disableCache,
    ...(cacheSize > 0 && { cacheSize }),
    ...(logLevel !== undefined && { logLevel }),
    ...(logFormat !== undefined && { logFormat }),
    ...(pidFile !== undefined && { pidFile }),
    warnings: ctx.warningLines(),
  };
}

function parseSyntax(ctx: ConfigContext, text: string): ObjectNode {
  try {
    return looksLikeJson(text) ? parseJson(text) : parseHcl(text);
  } catch (error) {
    if (error instanceof HclParseError) throw new ServerConfigError(ctx.fileName, error.detail, error, { cause: error });
    throw error;
  }
}

/** Exactly one storage block; `backend` is its old name, read only when `storage` is absent in Vault. */
function parseStorageBlocks(ctx: ConfigContext, storage: readonly LabeledBlock[], backend: readonly LabeledBlock[]): ParsedStorage {
  const all = [...storage, ...backend];
  const [first, second] = all;
  if (!first) throw ctx.fail(undefined, 'A storage backend must be specified');
  if (second) {
    const detail =
      second.name.name === first.name.name ? `only one ${JSON.stringify(first.name.name)} block is permitted` : 'only one storage block is permitted: "backend" is the old name of "storage"';
    throw ctx.fail(second.label.pos, detail);
  }
  return parseStorage(ctx, first);
}

/** Vault's core refuses an API address without a scheme; Coffer also wants it to be an HTTP(S) URL. */
function readApiAddr(ctx: ConfigContext, entry: ConfigEntry): string {
  const value = readNonEmptyString(ctx, entry);
  if (value.includes('{{')) throw ctx.fail(entry.value.pos, 'invalid value for api_addr: go-sockaddr templates are not supported by Coffer');
  if (!/^https?:\/\/[^/]/i.test(value) || !URL.canParse(value)) {
    throw ctx.fail(entry.value.pos, `invalid value for api_addr: ${JSON.stringify(value)} must be a URL with a scheme (ex. 'http://127.0.0.1:8200')`);
  }
  return value;
}

function readLogLevel(ctx: ConfigContext, entry: ConfigEntry | undefined): LogLevel | undefined {
  if (!entry) return undefined;
  const value = readString(ctx, entry);
  if (value.trim() === '') return undefined;
  const level = parseLogLevel(value);
  if (level === undefined) throw ctx.fail(entry.value.pos, `unknown log level: ${value.trim().toLowerCase()}`);
  return level;
}

function readLogFormat(ctx: ConfigContext, entry: ConfigEntry | undefined): LogFormat | undefined {
  if (!entry) return undefined;
  const value = readString(ctx, entry);
  if (value.trim() === '') return undefined;
  const format = parseLogFormat(value);
  if (format === undefined) throw ctx.fail(entry.value.pos, `unknown log format: ${value.trim()}`);
  return format;
}

/** Zero means "unset" in Vault, and either TTL left unset is Vault's 768h default when they are compared. */
function readLeaseTtls(ctx: ConfigContext, defaultEntry: ConfigEntry | undefined, maxEntry: ConfigEntry | undefined): { defaultLeaseTtlSec?: number; maxLeaseTtlSec?: number } {
  const defaultSec = defaultEntry ? readDurationSec(ctx, defaultEntry) || undefined : undefined;
  const maxSec = maxEntry ? readDurationSec(ctx, maxEntry) || undefined : undefined;
  const effectiveDefault = defaultSec ?? DEFAULT_LEASE_TTL_SEC;
  const effectiveMax = maxSec ?? DEFAULT_LEASE_TTL_SEC;
  if (effectiveDefault > effectiveMax) {
    const at = maxSec !== undefined ? maxEntry! : defaultEntry!;
    const maxText = maxSec !== undefined ? formatDuration(effectiveMax) : `${formatDuration(effectiveMax)}, the default`;
    throw ctx.fail(at.value.pos, `cannot have default_lease_ttl (${formatDuration(effectiveDefault)}) larger than max_lease_ttl (${maxText})`);
  }
  return { ...(defaultSec !== undefined && { defaultLeaseTtlSec: defaultSec }), ...(maxSec !== undefined && { maxLeaseTtlSec: maxSec }) };
}
