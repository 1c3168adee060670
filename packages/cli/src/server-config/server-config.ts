// The typed result of reading a Vault server configuration file (`vault server -config=FILE`):
// what Coffer's server acts on, after validation, with everything it ignores listed as warnings.

/** Vault's listener default when a `listener "tcp"` block gives no address. */
export const DEFAULT_LISTENER_ADDRESS = '127.0.0.1:8200';

/** Vault's system default for both lease TTLs when the configuration sets none (768h = 32 days). */
export const DEFAULT_LEASE_TTL_SEC = 768 * 3600;

export const TLS_VERSIONS = ['tls10', 'tls11', 'tls12', 'tls13'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** The canonical names of the levels Vault's logger accepts (`notice`, `warning`, `err` are read as aliases). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['standard', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ListenerTlsConfig {
  /** Paths as written: the server resolves them against its working directory, as Vault does. */
  readonly certFile: string;
  readonly keyFile: string;
  readonly minVersion?: TlsVersion;
  readonly maxVersion?: TlsVersion;
  readonly clientCaFile?: string;
  readonly requireAndVerifyClientCert: boolean;
  readonly disableClientCerts: boolean;
}

export interface TcpListenerConfig {
  readonly type: 'tcp';
  /** `host:port`; DEFAULT_LISTENER_ADDRESS when the block sets none. */
  readonly address: string;
  /** `false` when `tls_disable` is set; otherwise the certificate and key Vault requires. */
  readonly tls: false | ListenerTlsConfig;
  /** As written; Vault's default is 32 MiB and a negative value turns the limit off. */
  readonly maxRequestSizeBytes?: number;
  /** As written; Vault's default is 90 s. */
  readonly maxRequestDurationSec?: number;
}

export type ListenerConfig = TcpListenerConfig;

export interface InmemStorageConfig {
  readonly type: 'inmem';
}

export interface FileStorageConfig {
  readonly type: 'file';
  /** As written, relative paths included (resolved later against the working directory). */
  readonly path: string;
}

/** Vault's `storage "postgresql"` stanza. Fields left out keep Vault's defaults, applied by the adapter. */
export interface PostgresqlStorageConfig {
  readonly type: 'postgresql';
  readonly connectionUrl: string;
  /** Vault's default is `vault_kv_store`. */
  readonly table?: string;
  readonly haEnabled: boolean;
  /** Vault's default is `vault_ha_locks`. */
  readonly haTable?: string;
  readonly maxParallel?: number;
  readonly maxIdleConnections?: number;
  readonly maxConnectRetries?: number;
  readonly skipCreateTable: boolean;
}

export type StorageConfig = InmemStorageConfig | FileStorageConfig | PostgresqlStorageConfig;

/**
 * Auto-unseal with a 32-byte AES-256-GCM key given in the configuration: OpenBao's
 * `seal "static"`, or the `seal "aesgcm" { keys = [...] }` form some guides use.
 */
export interface StaticSealConfig {
  readonly type: 'static';
  /** The seal type as written in the file. */
  readonly declaredAs: 'static' | 'aesgcm';
  readonly key: Uint8Array;
  /** OpenBao's `current_key_id`; absent for `aesgcm`. */
  readonly keyId?: string;
  /** The key being rotated away from (OpenBao's `previous_key`), with its id. */
  readonly previousKey?: Uint8Array;
  readonly previousKeyId?: string;
}

export type SealConfig = StaticSealConfig;

export interface ServerConfig {
  /** At least one. */
  readonly listeners: readonly ListenerConfig[];
  readonly storage: StorageConfig;
  /** Absent: Shamir unseal keys, as in Vault. */
  readonly seal?: SealConfig;
  /** Absent (or 0 in the file, which Vault reads as unset): DEFAULT_LEASE_TTL_SEC. */
  readonly defaultLeaseTtlSec?: number;
  readonly maxLeaseTtlSec?: number;
  /** `api_addr`, or a storage block's `redirect_addr` when the top level sets none, as Vault does. */
  readonly apiAddr?: string;
  readonly clusterAddr?: string;
  readonly clusterName?: string;
  readonly ui: boolean;
  readonly disableMlock: boolean;
  /** `disable_cache`: no decrypted entries kept in memory. */
  readonly disableCache: boolean;
  /** `cache_size`: how many decrypted entries are kept; absent for the default. */
  readonly cacheSize?: number;
  readonly logLevel?: LogLevel;
  readonly logFormat?: LogFormat;
  readonly pidFile?: string;
  /** One line per setting Coffer accepts but does not act on, as `file:line: text`. */
  readonly warnings: readonly string[];
}
