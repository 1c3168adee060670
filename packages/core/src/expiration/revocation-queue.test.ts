// The background revocation queue: bounded concurrency, de-duplication, settled() and drain().
import { describe, expect, it } from 'vitest';
import { createRevocationQueue } from './revocation-queue.js';

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('revocation queue', () => {
  it('never runs more than its concurrency at once, and runs everything', async () => {
    const gates = new Map<string, ReturnType<typeof gate>>();
    let active = 0;
    let peak = 0;
    const done: string[] = [];
    const queue = createRevocationQueue(3, async (id) => {
      active++;
      peak = Math.max(peak, active);
      const g = gate();
      gates.set(id, g);
      await g.promise;
      active--;
      done.push(id);
    });
    for (let i = 0; i < 10; i++) queue.add(`l${i}`);
    expect(active).toBe(3);
    expect(queue.pending).toBe(10);
    const settled = queue.settled();
    for (let i = 0; i < 10; i++) {
      await Promise.resolve();
      gates.get(`l${i}`)!.open();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await settled;
    expect(peak).toBe(3);
    expect(done).toHaveLength(10);
    expect(queue.pending).toBe(0);
  });

  it('queues a lease once while it is queued or running', async () => {
    const runs: string[] = [];
    const g = gate();
    const queue = createRevocationQueue(1, async (id) => {
      runs.push(id);
      await g.promise;
    });
    queue.add('a');
    queue.add('a');
    queue.add('b');
    queue.add('b');
    expect(queue.has('a')).toBe(true);
    expect(queue.has('b')).toBe(true);
    g.open();
    await queue.settled();
    expect(runs).toEqual(['a', 'b']);
    expect(queue.has('a')).toBe(false);
  });

  it('settled() also waits for work queued by running work', async () => {
    const runs: string[] = [];
    const queue = createRevocationQueue(2, async (id) => {
      runs.push(id);
      await Promise.resolve();
      if (id === 'parent') queue.add('child');
    });
    queue.add('parent');
    await queue.settled();
    expect(runs).toEqual(['parent', 'child']);
  });

  it('drain() drops what has not started and waits for what has', async () => {
    const runs: string[] = [];
    const g = gate();
    let finished = false;
    const queue = createRevocationQueue(1, async (id) => {
      runs.push(id);
      await g.promise;
      finished = true;
    });
    queue.add('a');
    queue.add('b');
    const drained = queue.drain();
    let drainedYet = false;
    void drained.then(() => (drainedYet = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drainedYet).toBe(false);
    g.open();
    await drained;
    expect(finished).toBe(true);
    expect(runs).toEqual(['a']);
  });

  it('refuses a concurrency below one', () => {
    expect(() => createRevocationQueue(0, async () => {})).toThrow(RangeError);
  });
});
