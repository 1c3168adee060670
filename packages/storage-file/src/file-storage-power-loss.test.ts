// FileStorage under the power-loss model (reliability.md F5; vault#23073, openbao#1423, #18577):
// cut the power after every mutating file-system call, start the real adapter on what the disk
// kept, and check that every acknowledged operation survived and that no entry tore.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageCorruptionError, type Storage } from '@coffer/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStorageLockedError, LOCK_FILE } from './directory-lock.js';
import { createFileStorage } from './file-storage.js';
import { materialize, PowerLossFs, type CrashImage, type LoggedOperation } from './testing/power-loss-fs.js';

/** Where the storage lives in the model: a folder provisioned (and durable) before the vault ever ran. */
const ROOT = '/srv/coffer';
const bytes = (text: string) => new TextEncoder().encode(text);

type Step = { op: 'put'; key: string; value: string } | { op: 'delete'; key: string };
const put = (key: string, value: string): Step => ({ op: 'put', key, value });
const del = (key: string): Step => ({ op: 'delete', key });

/** Overwrites, deletes that prune folders, and a folder chain made again after it was pruned. */
const SCENARIO: Step[] = [
  put('top', 'top-1'),
  put('a/b/c', 'c-1'),
  put('a/b/d', 'd-1'),
  put('top', 'top-2'),
  put('a/x', 'x-1'.repeat(2000)),
  del('a/b/c'),
  put('a/b/c', 'c-2'),
  del('a/b/d'),
  del('a/b/c'),
  put('a/b/e/f', 'f-1'),
  put('a/x', 'x-2'),
  del('top'),
];
const KEYS = [...new Set(SCENARIO.map((step) => step.key))];

/** Key -> value after the first `count` steps. */
function stateAfter(count: number): Map<string, string> {
  const state = new Map<string, string>();
  for (const step of SCENARIO.slice(0, count)) {
    if (step.op === 'put') state.set(step.key, step.value);
    else state.delete(step.key);
  }
  return state;
}

/** Runs the scenario on `model` until it finishes or the power is cut. Returns how many steps were acknowledged. */
async function runScenario(model: PowerLossFs): Promise<number> {
  let acknowledged = 0;
  try {
    const storage = await createFileStorage({ path: ROOT, fs: model.fs });
    for (const step of SCENARIO) {
      if (step.op === 'put') await storage.put(step.key, bytes(step.value));
      else await storage.delete(step.key);
      // A dead process acknowledges nothing, even if an error was swallowed on the way.
      if (model.dead) break;
      acknowledged++;
    }
    await storage.close();
  } catch (error) {
    if (!model.dead) throw error;
  }
  return acknowledged;
}

/** A reading that can be compared: the value, absent, or the corruption the adapter reported. */
async function read(storage: Storage, key: string): Promise<string | undefined | { corrupt: string }> {
  try {
    const value = await storage.get(key);
    return value === undefined ? undefined : new TextDecoder().decode(value);
  } catch (error) {
    if (error instanceof StorageCorruptionError) return { corrupt: error.message };
    throw error;
  }
}

async function walk(storage: Storage, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for (const child of await storage.list(prefix)) {
    if (child.endsWith('/')) keys.push(...(await walk(storage, prefix + child)));
    else keys.push(prefix + child);
  }
  return keys;
}

const describeOp = (op: LoggedOperation | undefined) => (op ? `#${op.seq} ${op.call} ${op.path}${op.to ? ` -> ${op.to}` : ''}` : 'none');

/**
 * What a reboot does to the lock file: its holder is gone, and on Linux the boot id it recorded
 * no longer matches. An intact lock here names this very test process, so its boot id is changed
 * to say so. A torn lock (empty: a power cut before the lock's data was synced) is left as it
 * is: the adapter must open the folder anyway. Returns what was found.
 */
async function rebootLock(dir: string): Promise<'none' | 'intact' | 'torn'> {
  const lock = join(dir, LOCK_FILE);
  const content = await readFile(lock, 'utf8').catch(() => undefined);
  if (content === undefined) return 'none';
  let owner: { bootId?: string };
  try {
    owner = JSON.parse(content) as { bootId?: string };
  } catch {
    return 'torn';
  }
  await writeFile(lock, JSON.stringify({ ...owner, bootId: 'before-the-power-cut' }) + '\n');
  return 'intact';
}

/** A reboot before the data checks; a torn lock stays, as a power cut leaves it. */
async function rebootAndClearTornLock(dir: string): Promise<void> {
  await rebootLock(dir);
}

let scratch: string | undefined;
async function realDir(name: string): Promise<string> {
  scratch ??= await mkdtemp(join(tmpdir(), 'coffer-power-loss-'));
  return join(scratch, name);
}
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** One crash image per prefix of the scenario's mutating calls. */
async function crashImages(): Promise<{ n: number; total: number; image: CrashImage; acknowledged: number; cut: LoggedOperation | undefined }[]> {
  const full = new PowerLossFs({ durableDirs: [ROOT] });
  expect(await runScenario(full)).toBe(SCENARIO.length);
  const total = full.mutations;
  const images = [];
  for (let n = 0; n <= total; n++) {
    const model = new PowerLossFs({ durableDirs: [ROOT] });
    model.crashAfter(n);
    const acknowledged = await runScenario(model);
    images.push({ n, total, image: model.crashImage(), acknowledged, cut: model.log[n - 1] });
  }
  return images;
}

describe('FileStorage call order (F5 spy)', () => {
  it('writes, fsyncs the file, renames, then fsyncs the folder for a put; unlinks then fsyncs the folder for a delete', async () => {
    const model = new PowerLossFs({ durableDirs: [ROOT] });
    const storage = await createFileStorage({ path: ROOT, fs: model.fs });
    const opened = model.mutations;
    await storage.put('k', bytes('one'));
    await storage.put('k', bytes('two'));
    const afterPuts = model.mutations;
    await storage.delete('k');
    const afterDelete = model.mutations;
    await storage.put('p/q', bytes('nested'));
    const afterNested = model.mutations;
    await storage.close();

    const temp = expect.stringMatching(new RegExp(`^${ROOT}/\\.tmp-[0-9a-f]{16}$`));
    const putCalls = (entry: string) => [
      { call: 'create', path: temp },
      { call: 'write', path: temp },
      { call: 'fsync', path: temp, target: 'file' },
      { call: 'rename', path: temp, to: entry },
      { call: 'fsync', path: ROOT, target: 'dir' },
    ];
    const strip = (ops: readonly LoggedOperation[]) => ops.map(({ seq: _seq, ...op }) => op);
    expect(strip(model.log.slice(opened, afterPuts))).toEqual([...putCalls(`${ROOT}/_k`), ...putCalls(`${ROOT}/_k`)]);
    // Each put writes its own temp file: the two writes never share one.
    expect(model.log[opened]!.path).not.toBe(model.log[opened + 5]!.path);
    expect(strip(model.log.slice(afterPuts, afterDelete))).toEqual([
      { call: 'unlink', path: `${ROOT}/_k` },
      { call: 'fsync', path: ROOT, target: 'dir' },
    ]);
    // A new folder's name is made durable in its parent before the entry inside it is written.
    const nested = strip(model.log.slice(afterDelete, afterNested));
    expect(nested.slice(0, 2)).toEqual([
      { call: 'mkdir', path: `${ROOT}/p` },
      { call: 'fsync', path: ROOT, target: 'dir' },
    ]);
    expect(nested.slice(2).map((op) => op.call)).toEqual(['create', 'write', 'fsync', 'rename', 'fsync']);
    expect(nested.at(-1)).toEqual({ call: 'fsync', path: `${ROOT}/p`, target: 'dir' });
  });
});

describe('FileStorage after a power cut at every point (F5)', () => {
  it('keeps every acknowledged put and delete, and each entry reads its old or its new value', async () => {
    const images = await crashImages();
    expect(images.length).toBeGreaterThan(SCENARIO.length * 3); // the scenario really exercised the disk
    let checked = 0;
    let previous = '';
    for (const { n, total, image, acknowledged, cut } of images) {
      // The same disk with the same acknowledgements gives the same verdict: check it once.
      const signature = JSON.stringify([acknowledged, [...image.entries].map(([path, e]) => [path, e.type === 'file' ? Buffer.from(e.data).toString('base64') : 'dir'])]);
      if (signature === previous) continue;
      previous = signature;
      const where = `power cut after ${n}/${total} (${describeOp(cut)}), ${acknowledged} steps acknowledged`;
      const dir = await realDir(`n${n}`);
      expect(await materialize(image, dir, ROOT), where).toBe(true);
      await rebootAndClearTornLock(dir);
      const storage = await createFileStorage({ path: dir });
      try {
        const before = stateAfter(acknowledged);
        const after = acknowledged < SCENARIO.length ? stateAfter(acknowledged + 1) : before;
        for (const key of KEYS) {
          // Acknowledged means durable; the one step in flight may or may not have landed; nothing else.
          const allowed = [...new Set([before.get(key), after.get(key)])];
          expect(allowed, `${where}: key ${key}`).toContainEqual(await read(storage, key));
        }
        const present = [];
        for (const key of KEYS) if (typeof (await read(storage, key)) === 'string') present.push(key);
        expect((await walk(storage)).sort(), `${where}: listing`).toEqual(present.sort());
      } finally {
        await storage.close();
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(SCENARIO.length);
  });

  it('reports an entry whose data never reached the disk as corrupt, never as a value or as absent', async () => {
    // A writer without fsync(file) (Vault's file backend): the name is durable, the bytes are not.
    const model = new PowerLossFs({ durableDirs: [ROOT] });
    await model.fs.writeFile(`${ROOT}/_k`, 'lost in the page cache', { mode: 0o600 });
    const dir = await model.fs.open(ROOT, 'r');
    await dir.sync();
    await dir.close();
    const real = await realDir('torn');
    await materialize(model.crashImage(), real, ROOT);
    const storage = await createFileStorage({ path: real });
    try {
      await expect(storage.get('k')).rejects.toBeInstanceOf(StorageCorruptionError);
      await expect(storage.get('k')).rejects.toThrow(/zero-length/);
      expect(await storage.list('')).toEqual(['k']);
      // Never deleted: it may be the only copy of a keyring (vault#15680).
      await expect(storage.get('k')).rejects.toBeInstanceOf(StorageCorruptionError);
    } finally {
      await storage.close();
    }
  });

  it('opens every crash image with the lock file as the power cut left it', async () => {
    // After a reboot no process holds the folder, so the adapter must open it (or report
    // corruption of an entry): a lock file the power cut tore must not keep it closed.
    const refused: string[] = [];
    const images = await crashImages();
    for (const { n, image, cut } of images) {
      const dir = await realDir(`lock-${n}`);
      await materialize(image, dir, ROOT);
      await rebootLock(dir);
      try {
        await (await createFileStorage({ path: dir })).close();
      } catch (error) {
        if (!(error instanceof FileStorageLockedError)) throw error;
        refused.push(`after ${describeOp(cut)}: ${error.message}`);
      }
    }
    expect(refused.slice(0, 3), `${refused.length} of ${images.length} crash images refused, the first ones`).toEqual([]);
  });

  it('keeps a storage folder it created itself', async () => {
    // The operator did not provision the folder: createFileStorage makes it (mkdir -p). Its name
    // in the parent folder is as volatile as any other until that parent is fsynced.
    const model = new PowerLossFs({ durableDirs: ['/srv'] });
    const storage = await createFileStorage({ path: ROOT, fs: model.fs });
    await storage.put('core/keyring', bytes('acknowledged'));
    await storage.close();
    const dir = await realDir('self-made');
    expect(await materialize(model.crashImage(), dir, ROOT), `${ROOT} after the power cut`).toBe(true);
    await rebootAndClearTornLock(dir);
    const reopened = await createFileStorage({ path: dir });
    try {
      expect(await read(reopened, 'core/keyring')).toBe('acknowledged');
    } finally {
      await reopened.close();
    }
  });
});
