// A structured logger handed to every backend, so hosts can route Coffer's logs into their own.

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Discards everything: the default for an embedded vault, which must not write to stdout. */
export function createSilentLogger(): Logger {
  const logger: Logger = { log: () => {}, child: () => logger };
  return logger;
}

/** Writes JSON lines at or above `minLevel` through `write` (stderr in the CLI). */
export function createJsonLogger(write: (line: string) => void, minLevel: LogLevel = 'info', base: Record<string, unknown> = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(minLevel);
  return {
    log(level, message, fields) {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      write(JSON.stringify({ '@level': level, '@message': message, ...base, ...fields }));
    },
    child: (fields) => createJsonLogger(write, minLevel, { ...base, ...fields }),
  };
}
