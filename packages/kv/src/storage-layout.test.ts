// The storage layout: secret values only in entry values, keys that cannot collide, consistency faults surfaced.
import { describe, expect, it } from 'vitest';
import { expectVaultError } from './testing/expect-vault-error.js';
import { createKvHarness } from './testing/kv-harness.js';

describe('KV storage layout', () => {
  it('never puts a secret value in a storage key (v1 and v2)', async () => {
    const canary = 'canary-4f1c9e';
    const v2 = await createKvHarness();
    await v2.call('update', 'data/app/db', { data: { password: canary, [canary]: 'as a field name too' } });
    await v2.call('patch', 'data/app/db', { data: { other: canary } });
    await v2.call('update', 'metadata/app/db', { custom_metadata: { note: 'x' } });
    const v1 = await createKvHarness({ version: '1' });
    await v1.call('update', 'app/db', { password: canary });
    for (const h of [v1, v2]) {
      for (const [key] of h.memory.entries()) expect(key).not.toContain(canary);
    }
    const values = [...v2.memory.entries()].map(([, value]) => new TextDecoder().decode(value)).join('\n');
    expect(values).toContain(canary);
  });

  it('keeps a key and a key below it apart (a, a/1)', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/a', { data: { which: 'a' } });
    await h.call('update', 'data/a/1', { data: { which: 'a/1' } });
    expect((await h.call('read', 'data/a', { version: 1 }))?.data?.data).toEqual({ which: 'a' });
    expect((await h.call('read', 'data/a/1'))?.data?.data).toEqual({ which: 'a/1' });
    expect(await h.call('list', 'metadata/')).toEqual({ data: { keys: ['a', 'a/'] } });
    await h.call('delete', 'metadata/a');
    expect((await h.call('read', 'data/a/1'))?.data?.data).toEqual({ which: 'a/1' });
  });

  it('reports live metadata without its data as a 500, as Vault does', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/k', { data: { a: 1 } });
    const versionKey = [...h.memory.entries()].map(([key]) => key).find((key) => key.includes('/versions/'))!;
    await h.memory.delete(versionKey);
    await expectVaultError(h.call('read', 'data/k'), 500, 'could not find version data');
  });
});
