// The catalog of mountable types (Vault's builtin plugin catalog), per vault instance.
import type { BackendFactory } from '@coffer/sdk';
import type { MountTableKind } from './mount-entry.js';

export interface BackendRegistration {
  factory: BackendFactory;
  table: MountTableKind;
  /** Default description when the caller gives none. */
  description?: string;
}

export type BackendRegistry = ReadonlyMap<string, BackendRegistration>;

/** Vault's mount-type aliases: `kv-v2` is `kv` with `options.version = "2"`, `generic` is `kv`. */
export function resolveMountType(type: string, options: Record<string, string> | null): { type: string; options: Record<string, string> | null } {
  if (type === 'kv-v2') return { type: 'kv', options: { ...options, version: '2' } };
  if (type === 'generic') return { type: 'kv', options };
  return { type, options };
}
