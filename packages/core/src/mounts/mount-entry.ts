// One row of Vault's mount table (vault/mount.go MountEntry) and its wire form for sys/mounts and sys/auth.
import type { MountInfo } from '@coffer/sdk';

/** Which table a mount lives in: secrets engines under `/`, auth methods under `auth/`. */
export type MountTableKind = 'secret' | 'auth';

export interface MountConfig {
  /** 0 = the system default. */
  defaultLeaseTtlSec: number;
  /** 0 = the system maximum. */
  maxLeaseTtlSec: number;
  forceNoCache: boolean;
  auditNonHmacRequestKeys: string[];
  auditNonHmacResponseKeys: string[];
  listingVisibility: string;
  passthroughRequestHeaders: string[];
  allowedResponseHeaders: string[];
  /** Auth mounts only: `default-service`, `default-batch`, `service` or `batch`. */
  tokenType?: string;
  /** Auth mounts only: the tune's `user_lockout_config`; absent for Vault's defaults. */
  userLockout?: UserLockoutConfig;
}

export interface UserLockoutConfig {
  /** Wrong logins in a row that lock the alias. */
  threshold: number;
  durationSec: number;
  /** A failure older than this no longer counts. */
  counterResetSec: number;
  disabled: boolean;
}

export interface MountEntry {
  table: MountTableKind;
  /** Path relative to its table, with trailing slash: `secret/`, or `userpass/` for `auth/userpass/`. */
  path: string;
  type: string;
  description: string;
  uuid: string;
  accessor: string;
  config: MountConfig;
  options: Record<string, string> | null;
  local: boolean;
  sealWrap: boolean;
  externalEntropyAccess: boolean;
  pluginVersion: string;
  /** Singletons (sys, cubbyhole, identity, token) cannot be disabled, moved or duplicated. */
  singleton?: boolean;
}

export function defaultMountConfig(): MountConfig {
  return {
    defaultLeaseTtlSec: 0,
    maxLeaseTtlSec: 0,
    forceNoCache: false,
    auditNonHmacRequestKeys: [],
    auditNonHmacResponseKeys: [],
    listingVisibility: '',
    passthroughRequestHeaders: [],
    allowedResponseHeaders: [],
  };
}

/** The full router path of a mount: `secret/` or `auth/userpass/`. */
export function routerPath(entry: Pick<MountEntry, 'table' | 'path'>): string {
  return entry.table === 'auth' ? `auth/${entry.path}` : entry.path;
}

/** Where a mount's data lives inside the barrier (vault-api.md §2.11). */
export function storagePrefix(entry: Pick<MountEntry, 'table' | 'uuid' | 'type'>): string {
  if (entry.type === 'system') return 'sys/';
  return entry.table === 'auth' ? `auth/${entry.uuid}/` : `logical/${entry.uuid}/`;
}

export interface SystemTtls {
  defaultLeaseTtlSec: number;
  maxLeaseTtlSec: number;
}

/** TTLs as an engine sees them: 0 in the mount config falls back to the system values. */
export function mountInfo(entry: MountEntry, system: SystemTtls): MountInfo {
  const maxLeaseTtlSec = entry.config.maxLeaseTtlSec || system.maxLeaseTtlSec;
  const defaultLeaseTtlSec = Math.min(entry.config.defaultLeaseTtlSec || system.defaultLeaseTtlSec, maxLeaseTtlSec);
  return {
    path: routerPath(entry),
    type: entry.type,
    uuid: entry.uuid,
    accessor: entry.accessor,
    defaultLeaseTtlSec,
    maxLeaseTtlSec,
    options: entry.options ?? {},
  };
}

/** The JSON Vault returns for one mount in sys/mounts, sys/auth and sys/internal/ui/mounts. */
export function mountEntryWire(entry: MountEntry, version: string): Record<string, unknown> {
  const config: Record<string, unknown> = {
    default_lease_ttl: entry.config.defaultLeaseTtlSec,
    force_no_cache: entry.config.forceNoCache,
    max_lease_ttl: entry.config.maxLeaseTtlSec,
  };
  if (entry.config.auditNonHmacRequestKeys.length) config.audit_non_hmac_request_keys = entry.config.auditNonHmacRequestKeys;
  if (entry.config.auditNonHmacResponseKeys.length) config.audit_non_hmac_response_keys = entry.config.auditNonHmacResponseKeys;
  if (entry.config.listingVisibility) config.listing_visibility = entry.config.listingVisibility;
  if (entry.config.passthroughRequestHeaders.length) config.passthrough_request_headers = entry.config.passthroughRequestHeaders;
  if (entry.config.allowedResponseHeaders.length) config.allowed_response_headers = entry.config.allowedResponseHeaders;
  if (entry.config.tokenType) config.token_type = entry.config.tokenType;
  return {
    accessor: entry.accessor,
    config,
    description: entry.description,
    external_entropy_access: entry.externalEntropyAccess,
    local: entry.local,
    options: entry.options,
    plugin_version: entry.pluginVersion,
    running_plugin_version: `v${version}+builtin.coffer`,
    running_sha256: '',
    seal_wrap: entry.sealWrap,
    type: entry.type,
    uuid: entry.uuid,
    deprecation_status: 'supported',
  };
}
