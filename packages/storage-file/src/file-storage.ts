// Durable file-per-entry storage (Vault's `storage "file"`, sdk/physical/file) without its data-loss bugs.
// Atomic, fsynced writes (vault#15680, #23073); corruption reported, never deleted (#18577); one process per directory.
import { randomBytes } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StorageCorruptionError, type Storage } from '@coffer/storage';
import { acquireDirectoryLock, LOCK_FILE, type DirectoryLock } from './directory-lock.js';
import { decodeEntry, encodeEntry } from './entry-format.js';
import type { FileSystem } from './file-system.js';
import { errorCode } from './errno.js';
import { makeDirectories } from './make-directories.js';
import { syncDir } from './sync-dir.js';
import { decodeSegment, keyToPath, prefixToDir, type EntryLocation } from './key-to-path.js';

export interface FileStorageOptions {
  /** The storage directory. Created (mode 0700) if missing. */
  path: string;
  /** File-system calls to use instead of node:fs/promises: for fault-injection and power-loss tests. */
  fs?: FileSystem;
}

export interface FileStorage extends Storage {
  /** Reported by `sys/seal-status`-style introspection, like Vault's `storage_type`. */
  readonly storageType: 'file';
  /** The resolved storage directory. */
  readonly path: string;
  /** Waits for operations in flight, then releases the directory lock. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Names starting with `.` are ours (lock, temp files): encoded key segments never start with one. */
const TEMP_PREFIX = '.tmp-';
/** Rounds of "a concurrent delete pruned the folder we are writing into" before giving up. */
const MAX_WRITE_ATTEMPTS = 16;
const OPEN_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Opens (creating if needed) a storage directory: takes its lock, then sweeps temp files and
 * empty folders left by a crash. Fails with `FileStorageLockedError` if another process holds it.
 */
export async function createFileStorage(options: FileStorageOptions): Promise<FileStorage> {
  if (typeof options?.path !== 'string' || options.path === '') throw new TypeError('createFileStorage: `path` must be a non-empty string');
  const fs = options.fs ?? nodeFs;
  const requested = resolve(options.path);
  const firstCreated = await makeDirectories(fs, requested);
  // A folder we create is a name in its parent: durable only once the parent is synced,
  // or an acknowledged init could vanish with it after a power loss (reliability.md F5).
  if (firstCreated !== undefined) {
    for (let dir = requested; ; dir = dirname(dir)) {
      await syncDir(fs, dirname(dir));
      if (dir === firstCreated || dirname(dir) === dir) break;
    }
  }
  // Resolve symlinks once, so the containment check compares like with like.
  const root = await fs.realpath(requested);
  if (!(await fs.stat(root)).isDirectory()) throw new TypeError(`createFileStorage: ${root} is not a directory`);
  const lock = await acquireDirectoryLock(fs, root);
  try {
    await sweep(fs, root, root);
  } catch (error) {
    await lock.release();
    throw error;
  }
  return new DirectoryStorage(fs, root, lock);
}

class DirectoryStorage implements FileStorage {
  readonly storageType = 'file' as const;
  /** The directory lock keeps every other process out, so the barrier may cache what it decrypted. */
  get exclusive(): boolean {
    return true;
  }
  readonly path: string;
  readonly #fs: FileSystem;
  readonly #lock: DirectoryLock;
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Folders created but whose parent is not yet fsynced: a put inside one waits for that before acknowledging. */
  readonly #unsyncedDirs = new Map<string, Promise<void>>();
  #closed: Promise<void> | undefined;

  constructor(fs: FileSystem, root: string, lock: DirectoryLock) {
    this.#fs = fs;
    this.path = root;
    this.#lock = lock;
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#track(async () => {
      const location = keyToPath(this.path, key);
      let raw: Uint8Array;
      try {
        raw = await this.#fs.readFile(location.file, { flag: constants.O_RDONLY | OPEN_NOFOLLOW });
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOENT') return undefined;
        if (code === 'ELOOP') throw new StorageCorruptionError(key, 'the entry is a symbolic link');
        throw error;
      }
      const decoded = decodeEntry(raw);
      // Never delete or rewrite a damaged entry: it may be the only copy of a keyring (vault#15680).
      if ('problem' in decoded) throw new StorageCorruptionError(key, `${decoded.problem} (${location.file})`);
      return decoded.value;
    });
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.#track(async () => {
      const location = keyToPath(this.path, key);
      // Encoded (and so copied) before the first await: a caller mutating `value` later changes nothing.
      const entry = encodeEntry(value);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.#replace(location, entry);
          break;
        } catch (error) {
          // ENOENT: a folder on the way is missing, never made or just pruned by a concurrent delete.
          if (errorCode(error) !== 'ENOENT' || attempt === MAX_WRITE_ATTEMPTS) throw error;
          await this.#makeDirs(location);
        }
      }
      // Our folders may have been created by a concurrent put that has not yet made them durable.
      for (const dir of location.dirs) await this.#unsyncedDirs.get(dir);
    });
  }

  delete(key: string): Promise<void> {
    return this.#track(async () => {
      const location = keyToPath(this.path, key);
      try {
        await this.#fs.unlink(location.file);
        // Without this a deleted entry (a revoked token) can come back after a power loss.
        await syncDir(this.#fs, location.dir);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT' && errorCode(error) !== 'ENOTDIR') throw error;
      }
      await this.#prune(location);
    });
  }

  list(prefix: string): Promise<string[]> {
    return this.#track(async () => {
      const dir = prefixToDir(this.path, prefix);
      let entries: Dirent[];
      try {
        entries = await this.#fs.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return [];
        throw error;
      }
      const children: string[] = [];
      for (const entry of entries) {
        const name = entry.name;
        if (name.startsWith('.')) continue; // lock and temp files
        if (entry.isFile() && name.startsWith('_')) {
          const segment = decodeSegment(name.slice(1));
          if (segment !== undefined) children.push(segment);
        } else if (entry.isDirectory()) {
          const segment = decodeSegment(name);
          if (segment !== undefined) children.push(segment + '/');
        }
        // Anything else (a stray file an operator left, a symlink) is not ours: not listed.
      }
      return children.sort();
    });
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      await Promise.allSettled([...this.#inFlight]);
      await this.#lock.release();
    })();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Runs `op` unless closed, and keeps it visible to `close()` until it settles. */
  #track<T>(op: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('file storage is closed'));
    const running = op();
    this.#inFlight.add(running);
    const forget = () => this.#inFlight.delete(running);
    running.then(forget, forget);
    return running;
  }

  /** temp file -> write -> fsync -> rename over the entry -> fsync the folder. A crash leaves the old entry or the new one. */
  async #replace(location: EntryLocation, entry: Uint8Array): Promise<void> {
    const temp = join(location.dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const handle = await this.#fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | OPEN_NOFOLLOW, 0o600);
    let renamed = false;
    try {
      try {
        await handle.writeFile(entry);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.#fs.rename(temp, location.file);
      renamed = true;
    } finally {
      if (!renamed) await this.#fs.unlink(temp).catch(() => {});
    }
    await syncDir(this.#fs, location.dir);
  }

  /** Creates the missing folders of `location` (0700), making each new name durable in its parent. */
  async #makeDirs(location: EntryLocation): Promise<void> {
    for (const dir of location.dirs) {
      try {
        await this.#fs.mkdir(dir, { mode: 0o700 });
      } catch (error) {
        if (errorCode(error) === 'EEXIST') continue;
        throw error;
      }
      const synced = syncDir(this.#fs, dirname(dir));
      this.#unsyncedDirs.set(dir, synced);
      try {
        await synced;
      } finally {
        if (this.#unsyncedDirs.get(dir) === synced) this.#unsyncedDirs.delete(dir);
      }
    }
  }

  /** Removes folders left empty by a delete, innermost first, never the root. */
  async #prune(location: EntryLocation): Promise<void> {
    for (let i = location.dirs.length - 1; i >= 0; i--) {
      const dir = location.dirs[i]!;
      try {
        await this.#fs.rmdir(dir);
      } catch (error) {
        const code = errorCode(error);
        if (code === 'ENOENT') continue; // a concurrent delete removed it: look further up
        if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') return;
        throw error;
      }
    }
  }
}

/**
 * Removes temp files of interrupted writes and folders left empty by an interrupted delete,
 * so `list` shows no phantom folders. Entries, damaged or not, are never touched.
 */
async function sweep(fs: FileSystem, root: string, dir: string): Promise<boolean> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true;
    throw error;
  }
  let remaining = 0;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.name.startsWith(TEMP_PREFIX) && entry.isFile()) {
      await fs.unlink(path).catch(() => {});
    } else if (entry.isDirectory() && !entry.name.startsWith('.') && (await sweep(fs, root, path))) {
      await fs.rmdir(path).catch(() => remaining++);
    } else if (!(dir === root && entry.name === LOCK_FILE)) {
      remaining++;
    }
  }
  return remaining === 0;
}
