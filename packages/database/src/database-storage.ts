// What the database engine keeps in its mount's storage: connections, roles, static roles and write-ahead records (Vault's layout).
import { fromUtf8, utf8 } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';
import type { ConnectionSettings } from './postgres-database.js';

export const CREDENTIAL_TYPES = ['password', 'rsa_private_key', 'client_certificate'] as const;
export type CredentialType = (typeof CREDENTIAL_TYPES)[number];

/** `config/<name>`: a connection. The root password lives only here, under the barrier. */
export interface ConnectionConfig {
  pluginName: string;
  pluginVersion: string;
  settings: ConnectionSettings;
  allowedRoles: string[];
  rootRotationStatements: string[];
  passwordPolicy: string;
  verifyConnection: boolean;
}

/** `role/<name>`: a dynamic role. */
export interface DynamicRole {
  dbName: string;
  creationStatements: string[];
  revocationStatements: string[];
  rollbackStatements: string[];
  renewStatements: string[];
  defaultTtlSec: number;
  maxTtlSec: number;
  credentialType: CredentialType;
  credentialConfig: Record<string, string>;
}

/** `static-role/<name>`: an existing database user whose password the vault rotates. */
export interface StaticRole {
  dbName: string;
  username: string;
  /** 0 when the role rotates on a schedule. */
  rotationPeriodSec: number;
  /** A cron expression; empty when the role rotates by period. */
  rotationSchedule: string;
  rotationWindowSec: number;
  rotationStatements: string[];
  credentialType: CredentialType;
  credentialConfig: Record<string, string>;
  password: string;
  lastVaultRotationMs: number;
}

/**
 * `wal/<id>`: work that changed the database before storage could record it (Vault's WAL).
 * Whatever stops in between, the record lets a later pass finish or undo it.
 */
export type PendingWork =
  | { kind: 'root-rotation'; connection: string; newPassword: string; createdMs: number }
  | { kind: 'static-rotation'; role: string; newPassword: string; createdMs: number }
  | { kind: 'orphan-user'; connection: string; username: string; revocationStatements: string[]; createdMs: number };

async function readJson<T>(storage: Storage, key: string): Promise<T | undefined> {
  const bytes = await storage.get(key);
  return bytes ? (JSON.parse(fromUtf8(bytes)) as T) : undefined;
}

/** One kind of record, each a JSON entry under `prefix`. */
function jsonRecords<T>(prefix: string) {
  return {
    read: (storage: Storage, name: string) => readJson<T>(storage, prefix + name),
    write: (storage: Storage, name: string, value: T) => storage.put(prefix + name, utf8(JSON.stringify(value))),
    delete: (storage: Storage, name: string) => storage.delete(prefix + name),
    list: (storage: Storage) => storage.list(prefix),
  };
}

export const connections = jsonRecords<ConnectionConfig>('config/');
export const roles = jsonRecords<DynamicRole>('role/');
export const staticRoles = jsonRecords<StaticRole>('static-role/');
export const pendingWork = jsonRecords<PendingWork>('wal/');
