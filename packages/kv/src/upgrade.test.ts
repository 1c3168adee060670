// A mount tuned from KV v1 to v2: v1 entries become version 1 of v2 keys, once, surviving crashes (vault-plugin-secrets-kv upgrade.go).
import type { Storage } from '@coffer/storage';
import { describe, expect, it } from 'vitest';
import { UPGRADE_IN_PROGRESS_ERROR } from './upgrade.js';
import { expectVaultError } from './testing/expect-vault-error.js';
import { createKvHarness, type KvHarness } from './testing/kv-harness.js';

const MARKER = '00000000-0000-4000-8000-000000000000/upgrading';

async function v1Mount(options: Parameters<typeof createKvHarness>[0] = {}): Promise<KvHarness> {
  const h = await createKvHarness({ ...options, version: '1' });
  await h.call('update', 'app/db', { user: 'u', password: 'p' });
  await h.call('update', 'app/dir/api', { token: 't' });
  await h.call('update', 'top', { v: 1 });
  return h;
}

function keys(h: KvHarness): string[] {
  return [...h.memory.entries()].map(([key]) => key).sort();
}

/** Fails the `n`th delete of a v1 entry (not under the uuid folder) while `armed`. */
function failingDelete(n: number) {
  const state = { armed: true, deletes: 0 };
  const wrap = (inner: Storage): Storage => ({
    get: (key) => inner.get(key),
    put: (key, value) => inner.put(key, value),
    list: (prefix) => inner.list(prefix),
    async delete(key) {
      if (state.armed && !key.startsWith('00000000-') && ++state.deletes === n) throw new Error('power lost');
      return inner.delete(key);
    },
  });
  return { state, wrap };
}

describe.each([
  ['with transactions', true],
  ['without transactions', false],
])('KV v1 -> v2 upgrade %s', (_name, transactions) => {
  it('moves every v1 entry into version 1 on the first request after the tune', async () => {
    const h = await v1Mount({ transactions });
    h.tune({ version: '2' });
    expect(await h.call('read', 'data/app/db')).toEqual({
      data: { data: { user: 'u', password: 'p' }, metadata: { created_time: '2026-01-01T00:00:00Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 1 } },
    });
    // Vault adds the upgraded version with max_versions 1, so oldest_version is 1.
    expect((await h.call('read', 'metadata/app/dir/api'))?.data).toMatchObject({ current_version: 1, oldest_version: 1 });
    expect((await h.call('read', 'data/top'))?.data?.data).toEqual({ v: 1 });
    expect(await h.call('list', 'metadata/app/')).toEqual({ data: { keys: ['db', 'dir/'] } });
    // No v1 entry is left at the root of the mount.
    expect(keys(h).every((key) => key.startsWith('00000000-0000-4000-8000-000000000000/'))).toBe(true);
    expect((await h.call('update', 'data/top', { data: { v: 2 }, options: { cas: 1 } }))?.data?.version).toBe(2);
  });

  it('runs once: a reopened mount does not upgrade again', async () => {
    const h = await v1Mount({ transactions });
    h.tune({ version: '2' });
    await h.call('read', 'data/top');
    await h.call('update', 'data/top', { data: { v: 2 } });
    const before = keys(h);
    const reopened = await createKvHarness({ memory: h.memory, transactions });
    expect((await reopened.call('read', 'metadata/top'))?.data?.current_version).toBe(2);
    expect(keys(reopened)).toEqual(before);
  });

  it('answers Vault\'s upgrading error when the upgrade fails, and finishes it on a later request', async () => {
    const fault = failingDelete(2);
    const h = await v1Mount({ transactions, wrap: fault.wrap });
    h.tune({ version: '2' });
    await expectVaultError(h.call('read', 'data/top'), 400, UPGRADE_IN_PROGRESS_ERROR);
    fault.state.armed = false;
    expect((await h.call('read', 'data/top'))?.data?.data).toEqual({ v: 1 });
    for (const key of ['app/db', 'app/dir/api', 'top']) expect((await h.call('read', `metadata/${key}`))?.data?.current_version).toBe(1);
  });

  it('is crash-safe: a process that died mid-upgrade is completed by the next one, each key at version 1', async () => {
    const fault = failingDelete(2);
    const h = await v1Mount({ transactions, wrap: fault.wrap });
    h.tune({ version: '2' });
    await expectVaultError(h.call('read', 'data/top'), 400, UPGRADE_IN_PROGRESS_ERROR);
    // The marker says "started", not "done".
    expect(JSON.parse(new TextDecoder().decode(await h.memory.get(MARKER)))).toMatchObject({ done: false });
    const restarted = await createKvHarness({ memory: h.memory, transactions });
    for (const key of ['app/db', 'app/dir/api', 'top']) {
      expect((await restarted.call('read', `metadata/${key}`))?.data).toMatchObject({ current_version: 1, versions: { '1': { destroyed: false } } });
    }
    expect((await restarted.call('read', 'data/app/db'))?.data?.data).toEqual({ user: 'u', password: 'p' });
    expect(keys(restarted).filter((key) => !key.startsWith('00000000-'))).toEqual([]);
    expect(JSON.parse(new TextDecoder().decode(await restarted.memory.get(MARKER)))).toMatchObject({ done: true });
  });

  it('makes concurrent first requests wait for the upgrade instead of failing', async () => {
    const h = await v1Mount({ transactions });
    h.tune({ version: '2' });
    const results = await Promise.all(Array.from({ length: 20 }, () => h.call('read', 'data/app/db')));
    for (const result of results) expect(result?.data?.data).toEqual({ user: 'u', password: 'p' });
  });
});

describe('KV v2 mount created as v2', () => {
  it('records the upgrade as done on its first request and never touches its own data', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/k', { data: { a: 1 } });
    expect(JSON.parse(new TextDecoder().decode(await h.memory.get(MARKER)))).toMatchObject({ done: true });
    const reopened = await createKvHarness({ memory: h.memory });
    expect((await reopened.call('read', 'data/k'))?.data?.data).toEqual({ a: 1 });
  });
});
