// Vault's `file` audit device (audit/backend_file.go, event/sink_file.go): JSON lines appended to a file, stdout, or nowhere.
import { open, type FileHandle } from 'node:fs/promises';
import { VaultError } from '@coffer/sdk';
import { createWriteQueue, type AuditDevice, type AuditDeviceContext } from './audit-device.js';

const DEFAULT_MODE = 0o600;

/** What `file_path`, `mode` and their defaults resolve to. */
export interface FileDeviceSettings {
  /** An absolute or relative path, or the keywords `stdout` / `discard`. */
  filePath: string;
  /** Permission bits to apply; 0 (`"0000"`) leaves an existing file's mode alone. */
  mode: number;
}

/** Validates the options; throws 400 with Vault's wording. */
export function parseFileDeviceOptions(options: Readonly<Record<string, string>>): FileDeviceSettings {
  // `path` is the option's pre-0.8 name, still honoured by Vault.
  const raw = options.file_path ?? options.path;
  if (raw === undefined) throw VaultError.invalid('"file_path" is required');
  let filePath = raw.trim();
  if (filePath === '') throw VaultError.invalid('file path is required');
  if (filePath.toLowerCase() === 'stdout') filePath = 'stdout';
  else if (filePath.toLowerCase() === 'discard') filePath = 'discard';

  let mode = DEFAULT_MODE;
  const rawMode = options.mode?.trim();
  if (rawMode !== undefined && rawMode !== '') {
    if (!/^[0-7]{1,4}$/.test(rawMode)) throw VaultError.invalid(`unable to parse file mode: "${rawMode}"`);
    mode = Number.parseInt(rawMode, 8);
  }
  // Vault 1.20.1 closed CVE-2025-6000, where an audit "log" with a crafted prefix and an
  // executable mode became a plugin binary.
  if ((mode & 0o111) !== 0) throw VaultError.invalid(`file mode "${rawMode}" is not allowed: audit files cannot be executable`);
  return { filePath, mode };
}

/**
 * The file device. Opens with O_APPEND|O_CREAT|O_WRONLY (`'a'`), so lines written by
 * several processes never overwrite each other. It does not create missing parent
 * directories: a mistyped path fails at enable time instead of growing a directory tree.
 */
export function createFileDevice(context: AuditDeviceContext): AuditDevice {
  const { filePath, mode } = parseFileDeviceOptions(context.options);
  const enqueue = createWriteQueue();
  let handle: FileHandle | undefined;
  let closed = false;

  async function ensureOpen(): Promise<FileHandle> {
    if (handle) return handle;
    let opened: FileHandle;
    try {
      opened = await open(filePath, 'a', mode === 0 ? DEFAULT_MODE : mode);
    } catch (error) {
      throw new Error(`unable to open "${filePath}" for writing: ${(error as Error).message}`, { cause: error });
    }
    // The file may predate the device with looser permissions; /dev/null cannot be chmod-ed.
    if (mode !== 0 && filePath !== '/dev/null') {
      try {
        await opened.chmod(mode);
      } catch (error) {
        await opened.close().catch(() => undefined);
        throw new Error(`unable to change permissions of "${filePath}": ${(error as Error).message}`, { cause: error });
      }
    }
    handle = opened;
    return opened;
  }

  async function closeHandle(): Promise<void> {
    const current = handle;
    handle = undefined;
    await current?.close();
  }

  async function writeAll(file: FileHandle, bytes: Buffer): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
  }

  async function append(line: string): Promise<void> {
    const bytes = Buffer.from(line, 'utf8');
    try {
      await writeAll(await ensureOpen(), bytes);
    } catch {
      // Like Vault, reopen once: the file may have been rotated away or the handle gone stale.
      await closeHandle().catch(() => undefined);
      await writeAll(await ensureOpen(), bytes);
    }
  }

  function writeStdout(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      process.stdout.write(line, (error) => (error ? reject(error) : resolve()));
    });
  }

  return {
    async open() {
      if (filePath === 'stdout' || filePath === 'discard') return;
      await enqueue(async () => {
        await ensureOpen();
      });
    },
    write(line) {
      return enqueue(async () => {
        if (closed) throw new Error(`audit file device "${context.path}" is closed`);
        if (filePath === 'discard') return;
        if (filePath === 'stdout') return writeStdout(line);
        await append(line);
      });
    },
    reopen() {
      return enqueue(async () => {
        if (closed || filePath === 'stdout' || filePath === 'discard') return;
        await closeHandle();
        await ensureOpen();
      });
    },
    close() {
      return enqueue(async () => {
        closed = true;
        await closeHandle();
      });
    },
  };
}
