// An in-memory FileSystem that knows what a power cut keeps (reliability.md F5; vault#23073, openbao#1423).
// Strict POSIX reading of a journaling file system: a file's bytes are durable only once its
// inode is fsynced, and a name in a directory (created, renamed, linked, removed) only once that
// directory is fsynced. Nothing else is promised, so nothing else survives `crashImage()`.
import { constants, type Dirent, type Stats } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import type { FileSystem } from '../file-system.js';

/** The mutating calls, one log entry (and one crash point) per call. */
export type MutatingCall = 'create' | 'write' | 'writeFile' | 'fsync' | 'rename' | 'link' | 'unlink' | 'mkdir' | 'rmdir';

export interface LoggedOperation {
  /** 1-based: `crashAfter(n)` lets exactly the operations with `seq <= n` run. */
  seq: number;
  call: MutatingCall;
  path: string;
  /** rename and link: the new name. */
  to?: string;
  /** fsync: what the handle was opened on. */
  target?: 'file' | 'dir';
}

export type ImageEntry = { type: 'dir'; mode: number } | { type: 'file'; mode: number; data: Uint8Array };

/** What a disk holds after the power cut: absolute model paths (the model's `/` itself excluded). */
export interface CrashImage {
  readonly entries: ReadonlyMap<string, ImageEntry>;
}

/** Thrown by every call once the process is "dead" (see `crashAfter`). Its code matches no errno the adapter handles. */
export class PowerCutError extends Error {
  override readonly name = 'PowerCutError';
  readonly code = 'EPOWERCUT';
  constructor(readonly after: number) {
    super(`power cut after mutating operation #${after}`);
  }
}

interface FileNode {
  kind: 'file';
  mode: number;
  /** What reads see (the page cache). */
  data: Uint8Array;
  /** What the disk holds: `data` as of the last fsync of this inode. */
  synced: Uint8Array;
}

interface DirNode {
  kind: 'dir';
  mode: number;
  entries: Map<string, Node>;
  /** `entries` as of the last fsync of this directory. */
  synced: Map<string, Node>;
}

type Node = FileNode | DirNode;

const EMPTY = new Uint8Array(0);
const ACCESS_MODE = constants.O_RDONLY | constants.O_WRONLY | constants.O_RDWR;
/** The open(2) flags this model understands; anything else is refused rather than silently misread. */
const KNOWN_FLAGS = ACCESS_MODE | constants.O_CREAT | constants.O_EXCL | constants.O_TRUNC | constants.O_APPEND | (constants.O_NOFOLLOW ?? 0);
const STRING_FLAGS: Readonly<Record<string, number>> = {
  r: constants.O_RDONLY,
  w: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
  wx: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_EXCL,
  a: constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND,
};

function fsError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${syscall} '${path}'`);
  error.code = code;
  error.syscall = syscall;
  error.path = path;
  return error;
}

function toBytes(data: unknown, encoding?: BufferEncoding | null): Uint8Array {
  if (typeof data === 'string') return new Uint8Array(Buffer.from(data, encoding ?? 'utf8'));
  if (data instanceof Uint8Array) return new Uint8Array(data); // a copy: the caller may reuse its buffer
  throw new TypeError('power-loss model: only string and Uint8Array data are supported');
}

function parseFlags(flags: unknown, fallback: number): number {
  if (flags === undefined || flags === null) return fallback;
  const value = typeof flags === 'number' ? flags : STRING_FLAGS[String(flags)];
  if (value === undefined || (value & ~KNOWN_FLAGS) !== 0) throw new TypeError(`power-loss model: unsupported open flags ${String(flags)}`);
  return value;
}

function dirent(name: string, parentPath: string, node: Node): Dirent {
  // Only what callers of readdir(withFileTypes) use; the rest of Dirent is never read.
  const entry = {
    name,
    parentPath,
    path: parentPath,
    isFile: () => node.kind === 'file',
    isDirectory: () => node.kind === 'dir',
    isSymbolicLink: () => false,
    isBlockDevice: () => false,
    isCharacterDevice: () => false,
    isFIFO: () => false,
    isSocket: () => false,
  };
  return entry as Dirent;
}

function stats(node: Node): Stats {
  const entry = {
    mode: (node.kind === 'dir' ? constants.S_IFDIR : constants.S_IFREG) | node.mode,
    size: node.kind === 'file' ? node.data.length : 0,
    isFile: () => node.kind === 'file',
    isDirectory: () => node.kind === 'dir',
    isSymbolicLink: () => false,
  };
  return entry as Stats;
}

/**
 * The model. Pass `model.fs` as the adapter's `fs`. Paths are POSIX and absolute (relative ones
 * resolve against `/`); there are no symbolic links, so `realpath` is identity on existing paths.
 */
export class PowerLossFs {
  readonly #root: DirNode = { kind: 'dir', mode: 0o755, entries: new Map(), synced: new Map() };
  readonly #log: LoggedOperation[] = [];
  #crashAfter = Infinity;
  #dead = false;
  /** The FileSystem the adapter calls. */
  readonly fs: FileSystem;

  /** `durableDirs`: folders that exist and are durable before the test begins (a provisioned disk). */
  constructor(options: { durableDirs?: readonly string[] } = {}) {
    for (const path of options.durableDirs ?? []) {
      let dir = this.#root;
      for (const name of posix.resolve('/', path).split('/').filter(Boolean)) {
        let next = dir.entries.get(name);
        if (next === undefined) {
          next = { kind: 'dir', mode: 0o755, entries: new Map(), synced: new Map() };
          dir.entries.set(name, next);
          dir.synced.set(name, next);
        }
        if (next.kind !== 'dir') throw new TypeError(`power-loss model: ${path} crosses a file`);
        dir = next;
      }
    }
    // node:fs/promises functions are heavily overloaded; these implementations cover the
    // overloads the adapter uses, and the cast is the one place that says so.
    const fs = {
      open: this.#open.bind(this),
      readFile: this.#readFile.bind(this),
      writeFile: this.#writeFile.bind(this),
      rename: this.#rename.bind(this),
      unlink: this.#unlink.bind(this),
      mkdir: this.#mkdir.bind(this),
      rmdir: this.#rmdir.bind(this),
      readdir: this.#readdir.bind(this),
      realpath: this.#realpath.bind(this),
      link: this.#link.bind(this),
      stat: this.#stat.bind(this),
    };
    this.fs = fs as unknown as FileSystem;
  }

  /** Every mutating call made so far, in order (the spy). */
  get log(): readonly LoggedOperation[] {
    return this.#log;
  }

  /** Mutating calls made so far. */
  get mutations(): number {
    return this.#log.length;
  }

  /** True once a call was refused because of `crashAfter`. */
  get dead(): boolean {
    return this.#dead;
  }

  /** Lets `n` mutating calls run in total; the next call of any kind (and every one after) throws `PowerCutError`. */
  crashAfter(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('crashAfter: n must be a non-negative integer');
    this.#crashAfter = n;
  }

  /** The durable state now: names made durable by a directory fsync, files as of their last fsync. */
  crashImage(): CrashImage {
    const entries = new Map<string, ImageEntry>();
    const walk = (dir: DirNode, path: string) => {
      for (const [name, node] of dir.synced) {
        const child = posix.join(path, name);
        if (node.kind === 'file') {
          // A durable name whose inode was never synced is a torn (empty) file.
          entries.set(child, { type: 'file', mode: node.mode, data: new Uint8Array(node.synced) });
        } else {
          entries.set(child, { type: 'dir', mode: node.mode });
          walk(node, child);
        }
      }
    };
    walk(this.#root, '/');
    return { entries };
  }

  // ---- the FileSystem calls ----

  async #open(path: string, flags?: string | number, mode = 0o666): Promise<FileHandle> {
    this.#alive();
    const flagBits = parseFlags(flags, constants.O_RDONLY);
    const access = flagBits & ACCESS_MODE;
    const { dir, name, full } = this.#parent(path, 'open');
    let node = dir.entries.get(name);
    if (node !== undefined && flagBits & constants.O_CREAT && flagBits & constants.O_EXCL) throw fsError('EEXIST', 'open', full);
    if (node === undefined) {
      if (!(flagBits & constants.O_CREAT)) throw fsError('ENOENT', 'open', full);
      this.#mutate({ call: 'create', path: full });
      node = { kind: 'file', mode: mode & 0o7777, data: EMPTY, synced: EMPTY };
      dir.entries.set(name, node);
    }
    if (node.kind === 'dir' && access !== constants.O_RDONLY) throw fsError('EISDIR', 'open', full);
    if (node.kind === 'file' && flagBits & constants.O_TRUNC && access !== constants.O_RDONLY) node.data = EMPTY;
    return this.#handle(node, full, access !== constants.O_RDONLY);
  }

  #handle(node: Node, path: string, writable: boolean): FileHandle {
    let position = node.kind === 'file' ? 0 : -1;
    let closed = false;
    const usable = (syscall: string) => {
      this.#alive();
      if (closed) throw fsError('EBADF', syscall, path);
    };
    const handle = {
      writeFile: async (data: unknown, options?: BufferEncoding | { encoding?: BufferEncoding | null } | null) => {
        usable('write');
        if (node.kind !== 'file' || !writable) throw fsError('EBADF', 'write', path);
        const encoding = typeof options === 'string' ? options : options?.encoding;
        const bytes = toBytes(data, encoding);
        this.#mutate({ call: 'write', path });
        // FileHandle.writeFile writes from the current position to the end.
        const next = new Uint8Array(Math.max(node.data.length, position + bytes.length));
        next.set(node.data.subarray(0, position), 0);
        next.set(bytes, position);
        node.data = next;
        position += bytes.length;
      },
      sync: async () => {
        usable('fsync');
        this.#mutate({ call: 'fsync', path, target: node.kind });
        if (node.kind === 'file') node.synced = node.data;
        else node.synced = new Map(node.entries);
      },
      datasync: async () => handle.sync(),
      close: async () => {
        usable('close');
        closed = true;
      },
    };
    // Only writeFile/sync/close are implemented: the adapter uses no other FileHandle method.
    return handle as unknown as FileHandle;
  }

  async #readFile(path: string, options?: BufferEncoding | { encoding?: BufferEncoding | null; flag?: string | number } | null): Promise<Buffer | string> {
    this.#alive();
    const encoding = typeof options === 'string' ? options : options?.encoding;
    const flag = typeof options === 'object' && options !== null ? options.flag : undefined;
    if ((parseFlags(flag, constants.O_RDONLY) & ACCESS_MODE) !== constants.O_RDONLY) throw new TypeError('power-loss model: readFile only reads');
    const node = this.#lookup(path, 'open');
    if (node.kind === 'dir') throw fsError('EISDIR', 'read', path);
    const buffer = Buffer.from(node.data);
    return encoding ? buffer.toString(encoding) : buffer;
  }

  async #writeFile(path: string, data: unknown, options?: BufferEncoding | { encoding?: BufferEncoding | null; mode?: number; flag?: string | number } | null): Promise<void> {
    this.#alive();
    const encoding = typeof options === 'string' ? options : options?.encoding;
    const opts = typeof options === 'object' && options !== null ? options : {};
    const flagBits = parseFlags(opts.flag, STRING_FLAGS.w!);
    const bytes = toBytes(data, encoding);
    const { dir, name, full } = this.#parent(path, 'open');
    const node = dir.entries.get(name);
    if (node !== undefined && flagBits & constants.O_EXCL) throw fsError('EEXIST', 'open', full);
    if (node?.kind === 'dir') throw fsError('EISDIR', 'open', full);
    this.#mutate({ call: 'writeFile', path: full });
    if (node === undefined) dir.entries.set(name, { kind: 'file', mode: (opts.mode ?? 0o666) & 0o7777, data: bytes, synced: EMPTY });
    else node.data = flagBits & constants.O_APPEND ? Buffer.concat([node.data, bytes]) : bytes;
  }

  async #rename(from: string, to: string): Promise<void> {
    this.#alive();
    const source = this.#parent(from, 'rename');
    const target = this.#parent(to, 'rename');
    const node = source.dir.entries.get(source.name);
    if (node === undefined) throw fsError('ENOENT', 'rename', source.full);
    const replaced = target.dir.entries.get(target.name);
    if (replaced === node) return;
    if (replaced !== undefined) {
      if (node.kind === 'file' && replaced.kind === 'dir') throw fsError('EISDIR', 'rename', target.full);
      if (node.kind === 'dir' && replaced.kind === 'file') throw fsError('ENOTDIR', 'rename', target.full);
      if (replaced.kind === 'dir' && replaced.entries.size > 0) throw fsError('ENOTEMPTY', 'rename', target.full);
    }
    if (node.kind === 'dir' && (target.full + '/').startsWith(source.full + '/')) throw fsError('EINVAL', 'rename', target.full);
    this.#mutate({ call: 'rename', path: source.full, to: target.full });
    source.dir.entries.delete(source.name);
    target.dir.entries.set(target.name, node);
  }

  async #link(existing: string, created: string): Promise<void> {
    this.#alive();
    const node = this.#lookup(existing, 'link');
    if (node.kind === 'dir') throw fsError('EPERM', 'link', existing);
    const { dir, name, full } = this.#parent(created, 'link');
    if (dir.entries.has(name)) throw fsError('EEXIST', 'link', full);
    this.#mutate({ call: 'link', path: posix.resolve('/', existing), to: full });
    dir.entries.set(name, node);
  }

  async #unlink(path: string): Promise<void> {
    this.#alive();
    const { dir, name, full } = this.#parent(path, 'unlink');
    const node = dir.entries.get(name);
    if (node === undefined) throw fsError('ENOENT', 'unlink', full);
    if (node.kind === 'dir') throw fsError('EISDIR', 'unlink', full);
    this.#mutate({ call: 'unlink', path: full });
    dir.entries.delete(name);
  }

  async #mkdir(path: string, options?: number | { recursive?: boolean; mode?: number } | null): Promise<string | undefined> {
    this.#alive();
    const opts = typeof options === 'number' ? { mode: options } : (options ?? {});
    const mode = (opts.mode ?? 0o777) & 0o7777;
    const full = posix.resolve('/', path);
    if (!opts.recursive) {
      const { dir, name } = this.#parent(full, 'mkdir');
      if (dir.entries.has(name)) throw fsError('EEXIST', 'mkdir', full);
      this.#mutate({ call: 'mkdir', path: full });
      dir.entries.set(name, { kind: 'dir', mode, entries: new Map(), synced: new Map() });
      return undefined;
    }
    // Find the existing part first, so a failing call changes (and logs) nothing.
    const names = full.split('/').filter(Boolean);
    let dir = this.#root;
    let depth = 0;
    for (; depth < names.length; depth++) {
      const next = dir.entries.get(names[depth]!);
      if (next === undefined) break;
      if (next.kind !== 'dir') throw fsError(depth === names.length - 1 ? 'EEXIST' : 'ENOTDIR', 'mkdir', full);
      dir = next;
    }
    // One call, one crash point, like the single mkdir -p the adapter asks for.
    this.#mutate({ call: 'mkdir', path: full });
    if (depth === names.length) return undefined;
    for (const name of names.slice(depth)) {
      const next: DirNode = { kind: 'dir', mode, entries: new Map(), synced: new Map() };
      dir.entries.set(name, next);
      dir = next;
    }
    return '/' + names.slice(0, depth + 1).join('/');
  }

  async #rmdir(path: string): Promise<void> {
    this.#alive();
    const { dir, name, full } = this.#parent(path, 'rmdir');
    const node = dir.entries.get(name);
    if (node === undefined) throw fsError('ENOENT', 'rmdir', full);
    if (node.kind !== 'dir') throw fsError('ENOTDIR', 'rmdir', full);
    if (node.entries.size > 0) throw fsError('ENOTEMPTY', 'rmdir', full);
    this.#mutate({ call: 'rmdir', path: full });
    dir.entries.delete(name);
  }

  async #readdir(path: string, options?: BufferEncoding | { withFileTypes?: boolean } | null): Promise<string[] | Dirent[]> {
    this.#alive();
    const full = posix.resolve('/', path);
    const node = this.#lookup(full, 'scandir');
    if (node.kind !== 'dir') throw fsError('ENOTDIR', 'scandir', full);
    if (typeof options === 'object' && options?.withFileTypes) return [...node.entries].map(([name, child]) => dirent(name, full, child));
    return [...node.entries.keys()];
  }

  async #realpath(path: string): Promise<string> {
    this.#alive();
    const full = posix.resolve('/', path);
    this.#lookup(full, 'realpath');
    return full;
  }

  async #stat(path: string): Promise<Stats> {
    this.#alive();
    return stats(this.#lookup(path, 'stat'));
  }

  // ---- internals ----

  #alive(): void {
    if (this.#dead || this.#log.length >= this.#crashAfter) {
      this.#dead = true;
      throw new PowerCutError(this.#log.length);
    }
  }

  /** Logs a mutating call that is about to take effect (all checks that can fail have passed). */
  #mutate(operation: Omit<LoggedOperation, 'seq'>): void {
    this.#log.push({ seq: this.#log.length + 1, ...operation });
  }

  #lookup(path: string, syscall: string): Node {
    const full = posix.resolve('/', path);
    let node: Node = this.#root;
    for (const name of full.split('/').filter(Boolean)) {
      if (node.kind !== 'dir') throw fsError('ENOTDIR', syscall, full);
      const next: Node | undefined = node.entries.get(name);
      if (next === undefined) throw fsError('ENOENT', syscall, full);
      node = next;
    }
    return node;
  }

  #parent(path: string, syscall: string): { dir: DirNode; name: string; full: string } {
    if (typeof path !== 'string') throw new TypeError('power-loss model: paths must be strings');
    const full = posix.resolve('/', path);
    if (full === '/') throw fsError('EBUSY', syscall, full);
    const dir = this.#lookup(posix.dirname(full), syscall);
    if (dir.kind !== 'dir') throw fsError('ENOTDIR', syscall, full);
    return { dir, name: posix.basename(full), full };
  }
}

/**
 * Writes the part of `image` below `from` (a model path) into the real folder `target`, so the
 * real adapter can be started on what the disk held after the power cut. If `from` itself did not
 * survive, nothing is written and `false` is returned (`target` is left absent).
 */
export async function materialize(image: CrashImage, target: string, from = '/'): Promise<boolean> {
  const base = posix.resolve('/', from);
  if (base !== '/' && image.entries.get(base)?.type !== 'dir') return false;
  await mkdir(target, { recursive: true, mode: 0o700 });
  // Map order is parent before child (crashImage walks top-down), so folders exist before their contents.
  for (const [path, entry] of image.entries) {
    if (path === base || !path.startsWith(base === '/' ? '/' : base + '/')) continue;
    const real = posix.join(target, posix.relative(base, path));
    if (entry.type === 'dir') await mkdir(real, { mode: entry.mode });
    else await writeFile(real, entry.data, { mode: entry.mode, flag: 'wx' });
  }
  return true;
}
