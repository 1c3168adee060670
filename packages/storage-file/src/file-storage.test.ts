// FileStorage: conformance, on-disk layout, corruption reporting, containment, permissions and locking.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import * as nodeFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runStorageConformance } from '@coffer/storage/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStorageLockedError } from './directory-lock.js';
import { ENTRY_HEADER_BYTES } from './entry-format.js';
import { createFileStorage, type FileStorage } from './file-storage.js';
import type { FileSystem } from './file-system.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : new TextDecoder().decode(value));
const posix = process.platform !== 'win32';

const made: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-file-storage-'));
  made.push(dir);
  return dir;
}
const opened: FileStorage[] = [];
async function open(path: string, fs?: FileSystem): Promise<FileStorage> {
  const storage = await createFileStorage(fs ? { path, fs } : { path });
  opened.push(storage);
  return storage;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Every file below `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

runStorageConformance('FileStorage', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-file-conformance-'));
  const storage = await createFileStorage({ path: join(dir, 'data') });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('FileStorage layout', () => {
  it('stores key a/b/c as <root>/a/b/_c, with a self-checking header', async () => {
    const root = await tempDir();
    const storage = await open(root);
    await storage.put('a/b/c', bytes('value'));
    const raw = await readFile(join(root, 'a', 'b', '_c'));
    expect(raw.length).toBe(ENTRY_HEADER_BYTES + 5);
    expect(text(raw.subarray(ENTRY_HEADER_BYTES))).toBe('value');
    expect(await filesUnder(root)).toEqual(['.lock', join('a', 'b', '_c')].sort());
  });

  it('encodes names reversibly and safely: case, unicode, %, leading dot and underscore', async () => {
    const root = await tempDir();
    const storage = await open(root);
    const keys = ['Key', '_x', '_x/y', 'x', '.lock', '.lock/inner', '.tmp-abc', '50%', 'é', 'a b', 'dot.ted'];
    for (const key of keys) await storage.put(key, bytes(key));
    const names = await readdir(root);
    expect(names.sort()).toEqual(['%2Elock', '%5Fx', '.lock', '_%2Elock', '_%2Etmp-abc', '_%5Fx', '_%C3%A9', '_%4Bey', '_50%25', '_a%20b', '_dot.ted', '_x'].sort());
    for (const key of keys) expect(text(await storage.get(key))).toBe(key);
    // Reopening sweeps temp files: none of these entries may look like one.
    await storage.close();
    const again = await open(root);
    for (const key of keys) expect(text(await again.get(key))).toBe(key);
  });

  it('ignores foreign files and temp files in listings', async () => {
    const root = await tempDir();
    const storage = await open(root);
    await storage.put('dir/real', bytes('x'));
    await writeFile(join(root, 'dir', '.tmp-0123'), 'partial');
    await writeFile(join(root, 'dir', 'README'), 'operator notes');
    await writeFile(join(root, 'dir', '_Bad'), 'not canonical');
    expect(await storage.list('dir/')).toEqual(['real']);
    expect(await storage.list('')).toEqual(['dir/']);
  });

  it('rejects a segment too long for the file system with InvalidStorageKeyError, before touching disk', async () => {
    const root = await tempDir();
    const storage = await open(root);
    await expect(storage.put('é'.repeat(60), bytes('x'))).rejects.toMatchObject({ name: 'InvalidStorageKeyError' });
    expect(await filesUnder(root)).toEqual(['.lock']);
  });
});

describe('FileStorage directory creation', () => {
  it('creates missing parents one level at a time', async () => {
    const dir = await tempDir();
    const storage = await open(join(dir, 'a', 'b', 'c'));
    await storage.put('k', new Uint8Array([1]));
    expect((await stat(join(dir, 'a', 'b', 'c'))).isDirectory()).toBe(true);
  });

  it('fails, rather than spinning as Node\'s recursive mkdir does, where a level cannot be made (/proc)', async () => {
    await expect(createFileStorage({ path: '/proc/coffer-nowhere/data' })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a path below a regular file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), 'x');
    await expect(createFileStorage({ path: join(dir, 'file', 'data') })).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});

describe('FileStorage durability', () => {
  it('sweeps temp files and empty folders left by a crash when opened', async () => {
    const root = await tempDir();
    let storage = await open(root);
    await storage.put('keep/me', bytes('kept'));
    await storage.close();
    await nodeFs.mkdir(join(root, 'empty', 'nested'), { recursive: true });
    await writeFile(join(root, 'keep', '.tmp-deadbeef'), 'torn write');
    await writeFile(join(root, '.tmp-cafe'), 'torn write');
    await writeFile(join(root, '.tmp-lock-0011'), 'torn lock');
    storage = await open(root);
    expect(await filesUnder(root)).toEqual(['.lock', join('keep', '_me')].sort());
    expect(await storage.list('')).toEqual(['keep/']);
    expect(text(await storage.get('keep/me'))).toBe('kept');
  });

  it('writes temp, fsyncs it, renames it over the entry, then fsyncs the folder (and new folders’ parents)', async () => {
    const root = await tempDir();
    const log: string[] = [];
    const name = (path: string) => relative(root, path) || '<root>';
    const recording: FileSystem = {
      ...nodeFs,
      open: (async (path: string, flags?: number | string, mode?: number) => {
        const handle = await nodeFs.open(path, flags, mode);
        const label = name(path).replace(/\.tmp-[0-9a-f]+$/, '.tmp-*');
        return new Proxy(handle, {
          get(target, property) {
            if (property === 'sync') return async () => (log.push(`fsync ${label}`), target.sync());
            const value = Reflect.get(target, property, target) as unknown;
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      }) as FileSystem['open'],
      rename: async (from, to) => {
        log.push(`rename ${name(String(from)).replace(/\.tmp-[0-9a-f]+$/, '.tmp-*')} -> ${name(String(to))}`);
        return nodeFs.rename(from, to);
      },
      mkdir: (async (path: string, options?: { recursive?: boolean; mode?: number }) => {
        log.push(`mkdir ${name(path)}`);
        return nodeFs.mkdir(path, options);
      }) as FileSystem['mkdir'],
      unlink: async (path) => {
        log.push(`unlink ${name(String(path))}`);
        return nodeFs.unlink(path);
      },
    };
    const storage = await open(root, recording);
    log.length = 0;
    await storage.put('a/b', bytes('1'));
    expect(log).toEqual(['mkdir a', 'fsync <root>', 'fsync a/.tmp-*', 'rename a/.tmp-* -> a/_b', 'fsync a']);
    log.length = 0;
    await storage.put('a/b', bytes('2'));
    expect(log).toEqual(['fsync a/.tmp-*', 'rename a/.tmp-* -> a/_b', 'fsync a']);
    log.length = 0;
    await storage.delete('a/b');
    expect(log).toEqual(['unlink a/_b', 'fsync a']);
  });

  it('leaves no temp file behind when a write fails', async () => {
    const root = await tempDir();
    const failing: FileSystem = {
      ...nodeFs,
      rename: async () => {
        throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
      },
    };
    const storage = await open(root, failing);
    await expect(storage.put('a/b', bytes('x'))).rejects.toThrow('EIO');
    expect(await filesUnder(root)).toEqual(['.lock']);
  });
});

describe('FileStorage corruption (vault#15680, #18577)', () => {
  const damage: Array<[string, (file: string, raw: Buffer) => Promise<void>, RegExp]> = [
    ['zero-length', (file) => truncate(file, 0), /zero-length/],
    ['truncated payload', (file, raw) => truncate(file, raw.length - 3), /length mismatch/],
    ['truncated header', (file) => truncate(file, 10), /truncated header/],
    ['NUL-filled', (file, raw) => writeFile(file, Buffer.alloc(raw.length)), /only NUL bytes/],
    ['flipped payload byte', (file, raw) => writeFile(file, Buffer.from(raw.map((b, i) => (i === raw.length - 1 ? b ^ 1 : b)))), /checksum mismatch/],
    ['flipped checksum byte', (file, raw) => writeFile(file, Buffer.from(raw.map((b, i) => (i === 20 ? b ^ 0x80 : b)))), /checksum mismatch/],
    ['appended garbage', (file, raw) => writeFile(file, Buffer.concat([raw, Buffer.from('junk')])), /length mismatch/],
    ['old Vault JSON', (file) => writeFile(file, '{"Value":"dGVzdA=="}'), /bad magic/],
    ['unknown version', (file, raw) => writeFile(file, Buffer.from(raw.map((b, i) => (i === 4 ? 9 : b)))), /version 9/],
  ];

  it.each(damage)('%s: get throws StorageCorruptionError naming the key, and the file stays', async (_label, corrupt, detail) => {
    const root = await tempDir();
    const storage = await open(root);
    await storage.put('core/keyring', bytes('the only copy of the keyring'));
    const file = join(root, 'core', '_keyring');
    await corrupt(file, await readFile(file));
    const damaged = await readFile(file);
    const error = await storage.get('core/keyring').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'StorageCorruptionError', key: 'core/keyring' });
    expect((error as Error).message).toMatch(detail);
    // Reported again, and never "fixed" by deleting: not on get, list or reopen.
    await expect(storage.get('core/keyring')).rejects.toMatchObject({ name: 'StorageCorruptionError' });
    expect(await storage.list('core/')).toEqual(['keyring']);
    await storage.close();
    const reopened = await open(root);
    await expect(reopened.get('core/keyring')).rejects.toMatchObject({ name: 'StorageCorruptionError' });
    expect(Buffer.compare(await readFile(file), damaged)).toBe(0);
  });

  it.skipIf(!posix)('reports a symlink planted in place of an entry instead of following it', async () => {
    const root = await tempDir();
    const outside = await tempDir();
    await writeFile(join(outside, 'secret'), 'outside the root');
    const storage = await open(root);
    await storage.put('a/x', bytes('x'));
    await symlink(join(outside, 'secret'), join(root, 'a', '_link'));
    await expect(storage.get('a/link')).rejects.toMatchObject({ name: 'StorageCorruptionError' });
  });
});

describe('FileStorage containment', () => {
  it('never reads or writes outside its root', async () => {
    const parent = await tempDir();
    const root = join(parent, 'root');
    const storage = await open(root);
    await writeFile(join(parent, '_victim'), 'outside');
    const attempts = ['../victim', '../_victim', 'a/../../victim', '/etc/passwd', '..', 'a/..', '.', 'a\0b', '..\\victim', '%2e%2e/victim', '..%2fvictim', 'a/./b'];
    for (const key of attempts) {
      await storage.put(key, bytes('attack')).catch(() => {});
      await storage.get(key).catch(() => {});
      await storage.delete(key).catch(() => {});
    }
    await storage.list('../').catch(() => {});
    expect(await readFile(join(parent, '_victim'), 'utf8')).toBe('outside');
    expect((await readdir(parent)).sort()).toEqual(['_victim', 'root']);
    for (const file of await filesUnder(root)) expect(file.startsWith('..')).toBe(false);
  });
});

describe.skipIf(!posix)('FileStorage permissions (CVE-2021-38553)', () => {
  it('creates the root and folders 0700, entries and the lock 0600', async () => {
    const parent = await tempDir();
    const root = join(parent, 'fresh');
    const storage = await open(root);
    await storage.put('a/b/c', bytes('x'));
    const mode = async (path: string) => (await stat(path)).mode & 0o777;
    expect(await mode(root)).toBe(0o700);
    expect(await mode(join(root, 'a'))).toBe(0o700);
    expect(await mode(join(root, 'a', 'b'))).toBe(0o700);
    expect(await mode(join(root, 'a', 'b', '_c'))).toBe(0o600);
    expect(await mode(join(root, '.lock'))).toBe(0o600);
  });
});

describe('FileStorage locking', () => {
  it('refuses a second open of the same directory until the first is closed', async () => {
    const root = await tempDir();
    const first = await open(root);
    await expect(createFileStorage({ path: root })).rejects.toBeInstanceOf(FileStorageLockedError);
    await first.close();
    const second = await open(root);
    await second.put('k', bytes('v'));
  });

  it('close waits for operations in flight, releases the lock, and refuses further calls', async () => {
    const root = await tempDir();
    const storage = await createFileStorage({ path: root });
    const pending = storage.put('k', bytes('v'));
    await storage.close();
    await pending;
    await storage.close();
    await expect(storage.get('k')).rejects.toThrow('file storage is closed');
    expect(await readdir(root)).not.toContain('.lock');
    const reopened = await open(root);
    expect(text(await reopened.get('k'))).toBe('v');
  });

  it('refuses a directory held by another live process, and takes it over once that process is dead', async () => {
    const root = await tempDir();
    const child = fork(new URL('./lock-holder.fixture.ts', import.meta.url).pathname, [root], {
      execArgv: ['--conditions=coffer-source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const exited = once(child, 'exit');
    try {
      const [message] = (await once(child, 'message')) as [{ locked: boolean }];
      expect(message.locked).toBe(true);
      await expect(createFileStorage({ path: root })).rejects.toThrow(/locked by pid \d+/);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const storage = await open(root);
    expect(text(await storage.get('held'))).toBe('by child');
  });

  it('takes over a lock whose pid is reused by an unrelated process (start time differs)', async () => {
    const root = await tempDir();
    const first = await createFileStorage({ path: root });
    const lock = JSON.parse(await readFile(join(root, '.lock'), 'utf8')) as { startTicks?: string };
    // Simulate the lock of a previous run that happened to have this very pid (a container's pid 1).
    if (lock.startTicks === undefined) return; // no /proc: nothing to tell them apart by
    await writeFile(join(root, '.lock'), JSON.stringify({ ...lock, startTicks: String(Number(lock.startTicks) - 1), nonce: 'old' }));
    const second = await open(root);
    await second.put('k', bytes('v'));
    // The first instance no longer owns the lock file, so closing it must not remove the new one.
    await first.close();
    expect(await readdir(root)).toContain('.lock');
  });

  it('treats an unreadable lock file as held (never guesses)', async () => {
    const root = await tempDir();
    await writeFile(join(root, '.lock'), 'garbage');
    await expect(createFileStorage({ path: root })).rejects.toThrow(/unreadable lock file/);
  });

  it('treats a lock from another host as held', async () => {
    const root = await tempDir();
    await writeFile(join(root, '.lock'), JSON.stringify({ pid: 1, hostname: 'some-other-host.invalid', nonce: 'x' }));
    await expect(createFileStorage({ path: root })).rejects.toThrow(/some-other-host/);
  });
});
