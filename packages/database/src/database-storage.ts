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

const CONFIG = 'config/';
const ROLE = 'role/';
const STATIC_ROLE = 'static-role/';
const WAL = 'wal/';

async function readJson<T>(storage: Storage, key: string): Promise<T | undefined> {
  const bytes = await storage.get(key);
  return bytes ? (JSON.parse(fromUtf8(bytes)) as T) : undefined;
}

const writeJson = (storage: Storage, key: string, value: unknown): Promise<void> => storage.put(key, utf8(JSON.stringify(value)));

export const connections = {
  read: (storage: Storage, name: string) => readJson<ConnectionConfig>(storage, CONFIG + name),
  write: (storage: Storage, name: string, config: ConnectionConfig) => writeJson(storage, CONFIG + name, config),
  delete: (storage: Storage, name: string) => storage.delete(CONFIG + name),
  list: (storage: Storage) => storage.list(CONFIG),
};

export const roles = {
  read: (storage: Storage, name: string) => readJson<DynamicRole>(storage, ROLE + name),
  write: (storage: Storage, name: string, role: DynamicRole) => writeJson(storage, ROLE + name, role),
  delete: (storage: Storage, name: string) => storage.delete(ROLE + name),
  list: (storage: Storage) => storage.list(ROLE),
};

export const staticRoles = {
  read: (storage: Storage, name: string) => readJson<StaticRole>(storage, STATIC_ROLE + name),
  write: (storage: Storage, name: string, role: StaticRole) => writeJson(storage, STATIC_ROLE + name, role),
  delete: (storage: Storage, name: string) => storage.delete(STATIC_ROLE + name),
  list: (storage: Storage) => storage.list(STATIC_ROLE),
};

export const pendingWork = {
  read: (storage: Storage, id: string) => readJson<PendingWork>(storage, WAL + id),
  write: (storage: Storage, id: string, work: PendingWork) => writeJson(storage, WAL + id, work),
  delete: (storage: Storage, id: string) => storage.delete(WAL + id),
  list: (storage: Storage) => storage.list(WAL),
};
