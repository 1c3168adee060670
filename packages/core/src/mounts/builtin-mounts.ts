// The singleton mounts every Vault has (sys/, cubbyhole/, identity/, auth/token/) and their table rows.
import { defineBackend } from '@coffer/sdk';
import { defaultMountConfig, type MountEntry } from './mount-entry.js';
import type { BackendRegistration } from './backend-registry.js';

export interface BuiltinMount {
  table: MountEntry['table'];
  path: string;
  type: string;
  description: string;
  local: boolean;
  passthroughRequestHeaders: string[];
  tokenType?: string;
}

/** Vault's rows, descriptions and header settings for a fresh non-dev server (vault-api.md M1, M7). */
export const BUILTIN_MOUNTS: readonly BuiltinMount[] = [
  { table: 'secret', path: 'cubbyhole/', type: 'cubbyhole', description: 'per-token private secret storage', local: true, passthroughRequestHeaders: [] },
  { table: 'secret', path: 'identity/', type: 'identity', description: 'identity store', local: false, passthroughRequestHeaders: ['Authorization'] },
  { table: 'secret', path: 'sys/', type: 'system', description: 'system endpoints used for control, policy and debugging', local: false, passthroughRequestHeaders: ['Accept'] },
  { table: 'auth', path: 'token/', type: 'token', description: 'token based credentials', local: false, passthroughRequestHeaders: [], tokenType: 'default-service' },
];

export function builtinEntry(builtin: BuiltinMount, identity: { uuid: string; accessor: string }): MountEntry {
  const config = defaultMountConfig();
  config.passthroughRequestHeaders = [...builtin.passthroughRequestHeaders];
  if (builtin.tokenType) config.tokenType = builtin.tokenType;
  return {
    table: builtin.table,
    path: builtin.path,
    type: builtin.type,
    description: builtin.description,
    ...identity,
    config,
    options: null,
    local: builtin.local,
    sealWrap: false,
    externalEntropyAccess: false,
    pluginVersion: '',
    singleton: true,
  };
}

/**
 * A mount Vault always has whose engine is not served yet (the identity store): it is
 * mounted as Vault mounts it, so tables and clients see the same layout, and each of its
 * paths answers "no handler for route".
 */
export function placeholderRegistration(type: string, table: MountEntry['table']): BackendRegistration {
  return {
    table,
    factory: defineBackend(() => ({ type, help: `The ${type} backend is not served yet.`, paths: [] })),
  };
}
