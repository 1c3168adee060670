// Crash-test child (reliability.md §5 crash harness): streams writes to a FileStorage and reports them.
// Over IPC, each operation before it starts ("begin") and once it is acknowledged ("ack").
import { createHash, randomBytes } from 'node:crypto';
import { createFileStorage } from './file-storage.js';

export type CrashWriterMessage = { type: 'begin'; key: string; sha256: string | null } | { type: 'ack'; key: string } | { type: 'ready' };

const [root, seedText] = process.argv.slice(2);
if (root === undefined || seedText === undefined) throw new Error('usage: crash-writer.fixture.ts <dir> <seed>');

/** mulberry32: this child's choices are reproducible from the seed the parent passes. */
let state = Number(seedText) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Resolves once the message is in the pipe, so the parent learns of it even if we die next. */
function report(message: CrashWriterMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())));
}

const storage = await createFileStorage({ path: root });
await report({ type: 'ready' });

/** Each worker owns its keys, so at most one operation per key is ever in flight. */
async function worker(id: number): Promise<never> {
  for (;;) {
    const slot = Math.floor(random() * 12);
    // Some keys sit in folders of their own, so deletes prune folders while others write.
    const key = slot < 6 ? `crash/w${id}/k${slot}` : `crash/w${id}/f${slot % 3}/k${slot}`;
    if (random() < 0.2) {
      await report({ type: 'begin', key, sha256: null });
      await storage.delete(key);
    } else {
      // Up to 192 KiB: large enough that a write spans many syscalls and could tear.
      const value = randomBytes(Math.floor(random() * random() * 192 * 1024));
      await report({ type: 'begin', key, sha256: createHash('sha256').update(value).digest('hex') });
      await storage.put(key, value);
    }
    await report({ type: 'ack', key });
  }
}

await Promise.all([worker(0), worker(1), worker(2)]);
