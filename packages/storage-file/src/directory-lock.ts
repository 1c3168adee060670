// An advisory lock on a storage directory (Vault's file backend locks only within one process).
// Two processes sharing a directory would overwrite each other's keyring, so we refuse that.
import { randomBytes } from 'node:crypto';
import { readFile as readRealFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FileSystem } from './file-system.js';
import { syncDir } from './sync-dir.js';

export const LOCK_FILE = '.lock';

/** Another live process (or another FileStorage in this one) holds the directory. */
export class FileStorageLockedError extends Error {
  override readonly name = 'FileStorageLockedError';
  constructor(
    readonly lockPath: string,
    readonly holder: string,
  ) {
    super(`storage directory is locked by ${holder} (${lockPath}); if no process uses it any more, remove the lock file`);
  }
}

/** What the lock file records about its holder (JSON, one line). */
interface LockOwner {
  pid: number;
  hostname: string;
  nonce: string;
  /** Linux: /proc/sys/kernel/random/boot_id, so a lock from before a reboot is known stale. */
  bootId?: string;
  /** Linux: the holder's start time in clock ticks since boot, so a reused pid is not mistaken for the holder. */
  startTicks?: string;
}

export interface DirectoryLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Takes `<root>/.lock`. The file appears atomically with its full content (written to a temp
 * file, then hard-linked into place, which fails if a lock exists), so a reader never sees a
 * half-written lock. A lock whose holder is provably gone is taken over.
 */
export async function acquireDirectoryLock(fs: FileSystem, root: string): Promise<DirectoryLock> {
  const lockPath = join(root, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), nonce: randomBytes(16).toString('hex') };
  const bootId = await bootIdentity();
  const startTicks = await processStartTicks(process.pid);
  if (bootId !== undefined) owner.bootId = bootId;
  if (startTicks !== undefined) owner.startTicks = startTicks;
  const content = JSON.stringify(owner) + '\n';
  // `.tmp-` prefix: a leftover from a crash here is swept like any other temp file.
  const tempPath = join(root, `.tmp-lock-${owner.nonce}`);

  for (let attempt = 0; attempt < 5; attempt++) {
    await writeDurably(fs, tempPath, content);
    let linked: boolean;
    try {
      linked = await linkOrCreate(fs, tempPath, lockPath, content);
    } finally {
      await fs.unlink(tempPath).catch(() => {});
    }
    if (linked) {
      // The name `.lock` is durable with content that was synced before it was linked: a power
      // cut cannot leave an empty lock that would keep the directory shut (reliability.md F5).
      await syncDir(fs, root);
      return {
        path: lockPath,
        release: async () => {
          // Remove only our own lock: never one that an operator or a takeover replaced.
          const current = await fs.readFile(lockPath, 'utf8').catch(() => undefined);
          if (current !== content) return;
          await fs.unlink(lockPath).catch(() => {});
          await syncDir(fs, root).catch(() => {});
        },
      };
    }
    const existing = await fs.readFile(lockPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (existing === undefined) continue; // released meanwhile: try again
    const verdict = await judgeLock(existing);
    if (verdict.held) throw new FileStorageLockedError(lockPath, verdict.holder);
    // Stale. Remove it only if it is still the same stale lock, then race for it again.
    const again = await fs.readFile(lockPath, 'utf8').catch(() => undefined);
    if (again === existing) await fs.unlink(lockPath).catch(() => {});
  }
  throw new FileStorageLockedError(lockPath, 'another process (the lock keeps changing hands)');
}

/** Writes `content` to a new file and syncs it, so a name linked to it later never shows it empty. */
async function writeDurably(fs: FileSystem, path: string, content: string): Promise<void> {
  const handle = await fs.open(path, 'w', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates `lockPath` from `tempPath` only if absent. Falls back to O_EXCL where hard links are unsupported. */
async function linkOrCreate(fs: FileSystem, tempPath: string, lockPath: string, content: string): Promise<boolean> {
  try {
    await fs.link(tempPath, lockPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT: a sweep by the current holder removed our temp file; the lock is taken.
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
  }
  try {
    await fs.writeFile(lockPath, content, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Whether the lock described by `text` still has a live holder. Unsure means held. */
async function judgeLock(text: string): Promise<{ held: boolean; holder: string }> {
  // A holder's lock always has content (synced before the name existed), so an empty or
  // zero-filled one can only be a power cut's leftover from before that rule: nobody holds it.
  if (/^[\s\0]*$/.test(text)) return { held: false, holder: 'an empty lock file' };
  let owner: Partial<LockOwner>;
  try {
    owner = JSON.parse(text) as Partial<LockOwner>;
  } catch {
    return { held: true, holder: 'an unreadable lock file' };
  }
  const pid = owner.pid;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return { held: true, holder: 'an unreadable lock file' };
  const holder = `pid ${pid} on ${owner.hostname ?? 'an unknown host'}`;
  // A process on another machine (a shared volume) cannot be checked from here.
  if (owner.hostname !== hostname()) return { held: true, holder };
  const bootId = await bootIdentity();
  if (owner.bootId !== undefined && bootId !== undefined && owner.bootId !== bootId) return { held: false, holder };
  const startTicks = await processStartTicks(pid);
  if (pid === process.pid) {
    // Our own pid: either another FileStorage in this process, or a previous run that had the
    // same pid (containers restart as pid 1). The start time tells them apart where available.
    if (owner.startTicks !== undefined && startTicks !== undefined && owner.startTicks !== startTicks) return { held: false, holder };
    return { held: true, holder: `${holder} (this process)` };
  }
  if (!isAlive(pid)) return { held: false, holder };
  if (owner.startTicks !== undefined && startTicks !== undefined && owner.startTicks !== startTicks) return { held: false, holder };
  return { held: true, holder };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function bootIdentity(): Promise<string | undefined> {
  try {
    return (await readRealFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces, so count from its `)`. */
async function processStartTicks(pid: number): Promise<string | undefined> {
  try {
    const stat = await readRealFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
