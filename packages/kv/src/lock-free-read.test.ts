// Reads take no lock (read-version.ts): a read that loses a race with a destroy, a prune or a key
// delete answers as a read arriving just after it would, never with a 500.
import { describe, expect, it } from 'vitest';
import type { Storage } from '@coffer/storage';
import { createKvHarness, type KvHarness } from './testing/kv-harness.js';

/** Runs `interleave` once, just before the first read of a version's data reaches storage. */
function raceBeforeVersionRead(interleave: () => Promise<unknown>): (storage: Storage) => Storage {
  let fired = false;
  return (inner) => ({
    ...inner,
    get: async (key) => {
      if (!fired && key.includes('/versions/')) {
        fired = true;
        await interleave();
      }
      return inner.get(key);
    },
    put: (key, value) => inner.put(key, value),
    delete: (key) => inner.delete(key),
    list: (prefix) => inner.list(prefix),
    ...(inner.transaction ? { transaction: inner.transaction.bind(inner) } : {}),
  });
}

async function harnessWithRace(transactions: boolean, interleave: (h: KvHarness) => Promise<unknown>): Promise<KvHarness> {
  const slot: { harness?: KvHarness } = {};
  const harness = await createKvHarness({ transactions, wrap: raceBeforeVersionRead(() => (slot.harness ? interleave(slot.harness) : Promise.resolve())) });
  await harness.call('update', 'data/k', { data: { v: 1 } });
  slot.harness = harness;
  return harness;
}

describe.each([true, false])('a KV v2 read racing a removal (transactions: %s)', (transactions) => {
  it('a destroy between metadata and data: 404 with the version now destroyed', async () => {
    const h = await harnessWithRace(transactions, (h) => h.call('update', 'destroy/k', { versions: [1] }));
    const result = await h.call('read', 'data/k');
    expect(result?.status).toBe(404);
    expect(result?.data).toMatchObject({ data: null, metadata: { version: 1, destroyed: true } });
  });

  it('a prune by a newer write (max_versions 1): the read answers with the new latest version', async () => {
    const h = await harnessWithRace(transactions, async (h) => {
      await h.call('update', 'metadata/k', { max_versions: 1 });
      await h.call('update', 'data/k', { data: { v: 2 } });
    });
    const result = await h.call('read', 'data/k');
    expect(result?.data).toMatchObject({ data: { v: 2 }, metadata: { version: 2 } });
  });

  it('a key delete: 404', async () => {
    const h = await harnessWithRace(transactions, (h) => h.call('delete', 'metadata/k'));
    await expect(h.call('read', 'data/k')).rejects.toMatchObject({ status: 404 });
  });
});

describe('a KV v2 read whose live version has no data', () => {
  it('is a 500, as in Vault, when the metadata still names it after a second look', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/k', { data: { v: 1 } });
    for (const [key] of h.memory.entries()) if (key.includes('/versions/')) await h.memory.delete(key);
    await expect(h.call('read', 'data/k')).rejects.toMatchObject({ status: 500 });
  });
});
