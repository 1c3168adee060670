// An audit sink (Vault's audit.Backend sink node): where formatted entries go. The broker owns hashing and formatting.
import type { Clock, Logger } from '@coffer/sdk';

export interface AuditDevice {
  /**
   * Checks that the sink can be written (opens the file, dials the socket). The broker
   * calls it at enable time, so a bad `file_path` is a 400 then and not a locked vault
   * later (vault#550); at unseal a failure is only logged and writes keep retrying.
   */
  open?(): Promise<void>;
  /** Delivers one complete line (ending in `\n`). Rejects when it could not be delivered. */
  write(line: string): Promise<void>;
  /** Closes and reopens the sink (Vault's SIGHUP, for log rotation). */
  reopen?(): Promise<void>;
  close(): Promise<void>;
}

export interface AuditDeviceContext {
  /** The device's path in the audit table, e.g. `file/`. */
  path: string;
  options: Readonly<Record<string, string>>;
  logger: Logger;
  /** Deadlines (a socket's write_timeout) run on the vault's clock. */
  clock: Clock;
}

/**
 * Builds a device from its options. Throws a 400 `VaultError` for invalid options; does
 * no I/O (that is `open`), so a persisted device can always be rebuilt at unseal.
 */
export type AuditDeviceFactory = (context: AuditDeviceContext) => AuditDevice;

/** Runs writes one after another, so lines never interleave and keep their order. */
export function createWriteQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
