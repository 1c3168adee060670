// sys/mounts and sys/auth: list, enable, read, disable, tune (vault-api.md §1.2 M1–M10).
import { definePath, field, VaultError, type Field, type HandlerResult, type PathContext } from '@coffer/sdk';
import { resolveMountType } from '../mounts/backend-registry.js';
import { defaultMountConfig, mountEntryWire, mountInfo, routerPath, type MountEntry, type MountTableKind } from '../mounts/mount-entry.js';
import { applyMountConfig, checkMountTtls, parseOptions, parseTtlInput } from './mount-config-input.js';
import { DEFAULT_USER_LOCKOUT } from '../request/user-lockout.js';
import type { SysDeps } from './sys-deps.js';

const enableFields = {
  path: field.string('Mount path.'),
  type: field.string('Type of the backend, e.g. "kv" or "userpass".'),
  description: field.string('User-friendly description.', { default: '' }),
  config: field.map('Mount configuration: default_lease_ttl, max_lease_ttl, ...'),
  options: field.map('Backend-specific options, e.g. KV "version".'),
  local: field.bool('Not replicated (accepted for compatibility).', { default: false }),
  seal_wrap: field.bool('Seal-wrap the mount (accepted for compatibility).', { default: false }),
  external_entropy_access: field.bool('Accepted for compatibility.', { default: false }),
  plugin_version: field.string('Plugin version; only builtin plugins exist.', { default: '' }),
  plugin_name: field.string('Legacy name of the type.'),
};

const tuneFields = {
  path: field.string('Mount path.'),
  default_lease_ttl: field.any('Default lease TTL, or "system".'),
  max_lease_ttl: field.any('Maximum lease TTL, or "system".'),
  description: field.string('User-friendly description.'),
  options: field.map('Backend-specific options.'),
  audit_non_hmac_request_keys: field.commaList('Request keys not HMAC-ed by audit devices.'),
  audit_non_hmac_response_keys: field.commaList('Response keys not HMAC-ed by audit devices.'),
  listing_visibility: field.string('"unauth" to list in the UI without a token.'),
  passthrough_request_headers: field.commaList('Headers passed to the backend.'),
  allowed_response_headers: field.commaList('Headers the backend may set.'),
  token_type: field.string('Auth mounts: default token type.'),
  user_lockout_config: field.map('Auth mounts: lockout_threshold, lockout_duration, lockout_counter_reset, lockout_disable.'),
  force_no_cache: field.bool('Accepted for compatibility.'),
};

/** The auth methods Vault applies user lockout to. */
export const LOCKOUT_TYPES: ReadonlySet<string> = new Set(['userpass', 'approle', 'ldap']);

/** Types Vault mounts exactly once, itself. */
const SINGLETON_TYPES = ['system', 'cubbyhole', 'identity', 'token'];

/** `foo`, `/foo/` and `foo/` all name the mount `foo/`. */
function normalizeMountPath(raw: string): string {
  const trimmed = raw.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') throw VaultError.invalid('path cannot be empty');
  return `${trimmed}/`;
}

function tableRouterPath(table: MountTableKind, path: string): string {
  return routerPath({ table, path });
}

export function mountPaths(deps: SysDeps, table: MountTableKind) {
  const base = table === 'auth' ? 'auth' : 'mounts';

  function listMounts(): HandlerResult {
    const data: Record<string, unknown> = {};
    for (const entry of deps.mounts.entries(table)) data[entry.path] = mountEntryWire(entry, deps.version);
    return { data, injectData: true };
  }

  async function enable(ctx: PathContext<typeof enableFields>): Promise<HandlerResult | undefined> {
    const path = normalizeMountPath(ctx.data.path ?? '');
    const requested = ctx.data.type ?? ctx.data.plugin_name;
    if (!requested) throw VaultError.invalid('backend type must be specified as a string');
    if (table === 'auth' && requested === 'token') throw VaultError.invalid('token credential backend cannot be instantiated');
    const { type, options } = resolveMountType(requested, parseOptions(ctx.data.options));
    if (SINGLETON_TYPES.includes(type)) throw new VaultError('permission_denied', `mount type of "${type}" is not mountable`);
    const registration = deps.registry.get(type);
    if (!registration || registration.table !== table) throw VaultError.invalid(`plugin not found in the catalog: ${requested}`);
    if (ctx.data.plugin_version && !ctx.data.plugin_version.includes('builtin')) {
      throw VaultError.invalid(`plugin version ${ctx.data.plugin_version} not found for ${type}`);
    }
    const config = defaultMountConfig();
    const unknown = applyMountConfig(config, ctx.data.config ?? {}, table);
    if (unknown.length > 0) throw VaultError.invalid(`invalid config key(s): ${unknown.sort().join(', ')}`);
    checkMountTtls(config);
    const entry: MountEntry = {
      table,
      path,
      type,
      description: ctx.data.description || registration.description || '',
      ...deps.mounts.identity(table, type),
      config,
      options: options ?? (type === 'kv' ? { version: '1' } : null),
      local: ctx.data.local,
      sealWrap: ctx.data.seal_wrap,
      externalEntropyAccess: ctx.data.external_entropy_access,
      pluginVersion: '',
    };
    await deps.mounts.enable(entry);
    deps.events.emit('mounted', { path: tableRouterPath(table, path), type, table });
    return undefined;
  }

  function readMount(ctx: PathContext<{ path: Field<string, false> }>): HandlerResult {
    const full = tableRouterPath(table, normalizeMountPath(ctx.data.path ?? ''));
    const mount = deps.mounts.get(full);
    if (!mount) throw VaultError.invalid(`No mount at ${full}`);
    return { data: mountEntryWire(mount.entry, deps.version), injectData: true };
  }

  async function disable(ctx: PathContext<{ path: Field<string, false> }>): Promise<undefined> {
    const full = tableRouterPath(table, normalizeMountPath(ctx.data.path ?? ''));
    const mount = deps.mounts.get(full);
    if (await deps.mounts.disable(full)) deps.events.emit('unmounted', { path: full, type: mount!.entry.type, table });
    return undefined;
  }

  function readTune(ctx: PathContext<typeof tuneFields>): HandlerResult {
    const full = tableRouterPath(table, normalizeMountPath(ctx.data.path ?? ''));
    const mount = deps.mounts.get(full);
    if (!mount) throw VaultError.invalid(`cannot fetch mount tune information for "${full}"`);
    const effective = mountInfo(mount.entry, deps.systemTtls());
    const { config } = mount.entry;
    const data: Record<string, unknown> = {
      default_lease_ttl: effective.defaultLeaseTtlSec,
      max_lease_ttl: effective.maxLeaseTtlSec,
      force_no_cache: config.forceNoCache,
      description: mount.entry.description,
      options: mount.entry.options,
    };
    if (config.auditNonHmacRequestKeys.length) data.audit_non_hmac_request_keys = config.auditNonHmacRequestKeys;
    if (config.auditNonHmacResponseKeys.length) data.audit_non_hmac_response_keys = config.auditNonHmacResponseKeys;
    if (config.listingVisibility) data.listing_visibility = config.listingVisibility;
    if (config.passthroughRequestHeaders.length) data.passthrough_request_headers = config.passthroughRequestHeaders;
    if (config.allowedResponseHeaders.length) data.allowed_response_headers = config.allowedResponseHeaders;
    if (config.tokenType) data.token_type = config.tokenType;
    if (table === 'auth' && LOCKOUT_TYPES.has(mount.entry.type)) {
      const lockout = config.userLockout ?? DEFAULT_USER_LOCKOUT;
      data.user_lockout_counter_reset_duration = lockout.counterResetSec;
      data.user_lockout_disable = lockout.disabled;
      data.user_lockout_duration = lockout.durationSec;
      data.user_lockout_threshold = lockout.threshold;
    }
    return { data, injectData: true };
  }

  async function writeTune(ctx: PathContext<typeof tuneFields>): Promise<HandlerResult | undefined> {
    const full = tableRouterPath(table, normalizeMountPath(ctx.data.path ?? ''));
    const mount = deps.mounts.get(full);
    if (!mount) throw VaultError.invalid(`no mount entry found at "${full}"`);
    const next = structuredClone(mount.entry);
    if (ctx.has('default_lease_ttl')) next.config.defaultLeaseTtlSec = parseTtlInput('default_lease_ttl', ctx.data.default_lease_ttl);
    if (ctx.has('max_lease_ttl')) next.config.maxLeaseTtlSec = parseTtlInput('max_lease_ttl', ctx.data.max_lease_ttl);
    checkMountTtls(next.config);
    const rest: Record<string, unknown> = {};
    for (const key of ['audit_non_hmac_request_keys', 'audit_non_hmac_response_keys', 'listing_visibility', 'passthrough_request_headers', 'allowed_response_headers', 'force_no_cache'] as const) {
      if (ctx.has(key)) rest[key] = ctx.raw[key];
    }
    if (ctx.has('token_type')) {
      if (table !== 'auth') throw VaultError.invalid('"token_type" can only be modified on auth mounts');
      rest.token_type = ctx.raw.token_type;
    }
    if (ctx.has('user_lockout_config')) {
      if (table !== 'auth' || !LOCKOUT_TYPES.has(next.type)) throw VaultError.invalid(`user lockout config not supported for mount type ${JSON.stringify(next.type)}`);
      rest.user_lockout_config = ctx.raw.user_lockout_config;
    }
    applyMountConfig(next.config, rest, table);
    if (ctx.has('description')) next.description = ctx.data.description ?? '';
    let upgrading = false;
    if (ctx.has('options')) {
      const options = parseOptions(ctx.data.options) ?? {};
      if (options.version !== undefined && next.type === 'kv') {
        const current = next.options?.version ?? '1';
        if (options.version !== '1' && options.version !== '2') throw VaultError.invalid(`invalid KV version ${options.version}`);
        if (current === '2' && options.version === '1') throw VaultError.invalid('cannot downgrade mount from KV version 2 to KV version 1');
        upgrading = current === '1' && options.version === '2';
      }
      next.options = { ...next.options, ...options };
    }
    await deps.mounts.update(full, (entry) => Object.assign(entry, next));
    // The KV engine converts the data itself on the mount's next request.
    if (upgrading) return { warnings: ['Upgrading mount from version 1 to version 2. This mount will be unavailable for a brief period and will resume service shortly.'] };
    return undefined;
  }

  const pathField = { path: field.string('Mount path.') };
  return [
    definePath({
      pattern: base,
      operations: { read: { summary: `List the ${table === 'auth' ? 'auth methods' : 'secrets engines'}.`, handler: listMounts } },
      help: { synopsis: `List the currently mounted ${table === 'auth' ? 'auth methods' : 'backends'}.` },
    }),
    definePath({
      pattern: `${base}/*path/tune`,
      fields: tuneFields,
      operations: {
        read: { summary: 'Read the tuning of a mount.', handler: readTune },
        update: { summary: 'Tune a mount.', handler: writeTune },
      },
      help: { synopsis: 'Tune backend configuration parameters for this mount.' },
    }),
    definePath({
      pattern: `${base}/*path`,
      fields: { ...enableFields, ...pathField },
      operations: {
        read: { summary: 'Read a mount.', handler: readMount },
        update: { summary: 'Enable a mount.', handler: enable },
        delete: { summary: 'Disable a mount.', handler: disable },
      },
      help: { synopsis: `Mount a new ${table === 'auth' ? 'auth method' : 'backend'} at a path.` },
    }),
  ];
}
