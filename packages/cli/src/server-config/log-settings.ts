// Vault's log level and format names, shared by the `log_level`/`log_format` settings and the
// `-log-level`/`-log-format` flags (Vault's logging.ParseLogLevel and ParseLogFormat).
import type { LogFormat, LogLevel } from './server-config.js';
import { LOG_FORMATS } from './server-config.js';

const LEVEL_ALIASES: Readonly<Record<string, LogLevel>> = {
  trace: 'trace',
  debug: 'debug',
  notice: 'info',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  err: 'error',
  error: 'error',
};

/** Case-insensitive and trimmed, as Vault reads it; undefined for a name Vault does not know. */
export function parseLogLevel(text: string): LogLevel | undefined {
  const name = text.trim().toLowerCase();
  return Object.hasOwn(LEVEL_ALIASES, name) ? LEVEL_ALIASES[name] : undefined;
}

/** Case-insensitive and trimmed, as Vault reads it; undefined for a format Vault does not know. */
export function parseLogFormat(text: string): LogFormat | undefined {
  const name = text.trim().toLowerCase();
  return LOG_FORMATS.find((f) => f === name);
}
