// What every part of server configuration parsing shares: the file name for messages, the warning
// list, and the environment and file reader that OpenBao's `env://` and `file://` key references use.
import { readFileSync } from 'node:fs';
import type { Position } from '@coffer/hcl';
import { ServerConfigError } from './server-config-error.js';

export interface ParseServerConfigOptions {
  /** Read by `env://NAME` seal keys and VAULT_PG_CONNECTION_URL. Defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Read by `file://PATH` seal keys. Defaults to `fs.readFileSync`. */
  readonly readFile?: (path: string) => Uint8Array;
}

export interface ConfigContext {
  readonly fileName: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => Uint8Array;
  /** Collected by warn(); `warningLines()` renders them. */
  readonly warnings: Array<{ readonly line: number; readonly text: string }>;
  /** The error to throw for `detail` at `pos` (the whole file when `pos` is undefined). */
  fail(pos: Position | undefined, detail: string): ServerConfigError;
  /** Records that a setting at `pos` is accepted but has no effect in Coffer. */
  warn(pos: Position, text: string): void;
  /** The warnings as `file:line: text`, in file order. */
  warningLines(): string[];
}

export function createConfigContext(fileName: string, options: ParseServerConfigOptions = {}): ConfigContext {
  const warnings: Array<{ line: number; text: string }> = [];
  return {
    fileName,
    env: options.env ?? process.env,
    readFile: options.readFile ?? ((path) => readFileSync(path)),
    warnings,
    fail: (pos, detail) => new ServerConfigError(fileName, detail, pos),
    warn: (pos, text) => {
      warnings.push({ line: pos.line, text });
    },
    warningLines: () => warnings.toSorted((a, b) => a.line - b.line).map((w) => `${fileName}:${w.line}: ${w.text}`),
  };
}
