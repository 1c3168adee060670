// Vault's server configuration file for `coffer server -config=FILE`: parse, validate, type.
export { parseServerConfig } from './parse-server-config.js';
export type { ParseServerConfigOptions } from './config-context.js';
export { ServerConfigError } from './server-config-error.js';
export { POSTGRESQL_CONNECTION_URL_ENV } from './storage-config.js';
export { DEFAULT_LEASE_TTL_SEC, DEFAULT_LISTENER_ADDRESS, LOG_FORMATS, LOG_LEVELS, TLS_VERSIONS } from './server-config.js';
export type {
  FileStorageConfig,
  InmemStorageConfig,
  ListenerConfig,
  ListenerTlsConfig,
  LogFormat,
  LogLevel,
  PostgresqlStorageConfig,
  SealConfig,
  ServerConfig,
  StaticSealConfig,
  StorageConfig,
  TcpListenerConfig,
  TlsVersion,
} from './server-config.js';
export { configFiles, loadServerConfig, NO_CONFIGURATION_FILES_MESSAGE } from './load-server-config.js';
export { parseLogFormat, parseLogLevel } from './log-settings.js';
