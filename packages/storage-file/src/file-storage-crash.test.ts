// Crash safety of FileStorage (reliability.md F3, vault#15680): SIGKILL a writer at random points.
// Every acknowledged write must survive intact and no entry may tear.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Storage } from '@coffer/storage';
import { afterAll, describe, expect, it } from 'vitest';
import type { CrashWriterMessage } from './crash-writer.fixture.js';
import { createFileStorage } from './file-storage.js';

/** mulberry32: the kill points are reproducible from one seed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 0xc0ffe7;
const ROUNDS = 12;
const fixture = new URL('./crash-writer.fixture.ts', import.meta.url).pathname;
const hash = (value: Uint8Array | undefined) => (value === undefined ? null : createHash('sha256').update(value).digest('hex'));

/** What each key must hold: its last acknowledged state, or the state of the one write in flight when the kill came. */
interface KeyState {
  acked: string | null;
  inFlight?: string | null;
}

async function walk(storage: Storage, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for (const child of await storage.list(prefix)) {
    if (child.endsWith('/')) keys.push(...(await walk(storage, prefix + child)));
    else keys.push(prefix + child);
  }
  return keys;
}

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('FileStorage crash safety', () => {
  it(`keeps every acknowledged write across ${ROUNDS} SIGKILLs at random points`, { timeout: 60_000 }, async () => {
    const root = await mkdtemp(join(tmpdir(), 'coffer-crash-'));
    made.push(root);
    const random = seeded(SEED);
    const model = new Map<string, KeyState>();
    let acknowledged = 0;

    for (let round = 0; round < ROUNDS; round++) {
      // Kill either right after an acknowledgement or right after an operation began; the child
      // runs a few operations ahead of the messages we have read, so the kill lands anywhere.
      const killOn: CrashWriterMessage['type'] = random() < 0.5 ? 'ack' : 'begin';
      const killAfter = 1 + Math.floor(random() * 40);
      const child = fork(fixture, [root, String(Math.floor(random() * 2 ** 31))], {
        execArgv: ['--conditions=coffer-source', '--import', 'tsx'],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      let seen = 0;
      child.on('message', (message: CrashWriterMessage) => {
        if (message.type === 'begin') {
          const state = model.get(message.key) ?? { acked: null };
          state.inFlight = message.sha256;
          model.set(message.key, state);
        } else if (message.type === 'ack') {
          const state = model.get(message.key)!;
          state.acked = state.inFlight!;
          delete state.inFlight;
          acknowledged++;
        }
        if (message.type === killOn && ++seen === killAfter) child.kill('SIGKILL');
      });
      // 'close' comes after the exit and after the IPC channel has delivered every message.
      const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
      expect({ round, code, signal, stderr }).toMatchObject({ code: null, signal: 'SIGKILL' });

      // Reopen (taking over the dead child's lock) and check every key against the model.
      const storage = await createFileStorage({ path: root });
      try {
        for (const [key, state] of model) {
          const actual = hash(await storage.get(key)); // a torn entry would throw StorageCorruptionError here
          const allowed = state.inFlight === undefined ? [state.acked] : [state.acked, state.inFlight];
          expect(allowed, `round ${round}, key ${key}`).toContain(actual);
          model.set(key, { acked: actual });
        }
        // Nothing else is stored, everything listed reads back intact, and no temp file survived the reopen.
        const listed = await walk(storage);
        for (const key of listed) await storage.get(key);
        expect(listed.sort()).toEqual([...model].filter(([, state]) => state.acked !== null).map(([key]) => key).sort());
        const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)));
        expect(files.filter((file) => file.includes('.tmp-'))).toEqual([]);
      } finally {
        await storage.close();
      }
    }
    // The test is only meaningful if the children did real work before dying.
    expect(acknowledged).toBeGreaterThan(ROUNDS * 5);
  });
});
