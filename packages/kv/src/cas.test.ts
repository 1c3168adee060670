// KV v2 check-and-set (vault-api.md V3, §2.5 CAS), including its atomicity under concurrency (DESIGN.md §4).
import type { VaultError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { expectVaultError } from './testing/expect-vault-error.js';
import { createKvHarness } from './testing/kv-harness.js';

const MISMATCH = 'check-and-set parameter did not match the current version';
const REQUIRED = 'check-and-set parameter required for this call';

describe('KV v2 cas', () => {
  it('cas 0 writes only a key without metadata; cas N only over current_version N', async () => {
    const h = await createKvHarness();
    expect((await h.call('update', 'data/k', { data: { a: 1 }, options: { cas: 0 } }))?.data?.version).toBe(1);
    await expectVaultError(h.call('update', 'data/k', { data: { a: 2 }, options: { cas: 0 } }), 400, MISMATCH);
    await expectVaultError(h.call('update', 'data/k', { data: { a: 2 }, options: { cas: 2 } }), 400, MISMATCH);
    expect((await h.call('update', 'data/k', { data: { a: 2 }, options: { cas: '1' } }))?.data?.version).toBe(2);
    await expectVaultError(h.call('update', 'data/k', { data: { a: 2 }, options: { cas: 'one' } }), 400, 'error parsing check-and-set parameter');
  });

  it('counts deleted and destroyed versions: cas 0 fails once any version was written', async () => {
    const h = await createKvHarness();
    await h.call('update', 'data/k', { data: { a: 1 } });
    await h.call('delete', 'data/k');
    await h.call('update', 'destroy/k', { versions: [1] });
    await expectVaultError(h.call('update', 'data/k', { data: { a: 2 }, options: { cas: 0 } }), 400, MISMATCH);
    expect((await h.call('update', 'data/k', { data: { a: 2 }, options: { cas: 1 } }))?.data?.version).toBe(2);
  });

  it('is required when the engine config or the key metadata says so', async () => {
    const h = await createKvHarness();
    await h.call('update', 'metadata/strict', { cas_required: true });
    await expectVaultError(h.call('update', 'data/strict', { data: { a: 1 } }), 400, REQUIRED);
    expect((await h.call('update', 'data/strict', { data: { a: 1 }, options: { cas: 0 } }))?.data?.version).toBe(1);
    expect((await h.call('update', 'data/loose', { data: { a: 1 } }))?.data?.version).toBe(1);
    await h.call('update', 'config', { cas_required: true });
    await expectVaultError(h.call('update', 'data/loose', { data: { a: 2 } }), 400, REQUIRED);
    await expectVaultError(h.call('update', 'data/loose', { data: { a: 2 }, options: {} }), 400, REQUIRED);
    expect((await h.call('update', 'data/loose', { data: { a: 2 }, options: { cas: 1 } }))?.data?.version).toBe(2);
  });
});

describe.each([
  ['with storage transactions', true],
  ['without storage transactions (per-key serialisation)', false],
])('KV v2 concurrency %s', (_name, transactions) => {
  it('200 writers with the same cas: exactly one wins per version', async () => {
    const h = await createKvHarness({ transactions });
    await h.call('update', 'data/k', { data: { writer: 'first' } });
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => h.call('update', 'data/k', { data: { writer: i }, options: { cas: 1 } })));
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect((o.reason as VaultError).errors).toEqual([MISMATCH]);
    }
    const meta = (await h.call('read', 'metadata/k'))?.data;
    expect(meta?.current_version).toBe(2);
    const winner = (won[0] as PromiseFulfilledResult<{ data: { version: number } }>).value.data.version;
    expect(winner).toBe(2);
  });

  it('200 creators with cas 0: exactly one creates the key', async () => {
    const h = await createKvHarness({ transactions });
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => h.call('update', 'data/new', { data: { i }, options: { cas: 0 } })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect((await h.call('read', 'metadata/new'))?.data?.current_version).toBe(1);
  });

  it('200 unconditional writers each get their own version number', async () => {
    const h = await createKvHarness({ transactions });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => h.call('update', 'data/k', { data: { i } })));
    const numbers = results.map((r) => r?.data?.version as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect((await h.call('read', 'metadata/k'))?.data).toMatchObject({ current_version: 200, oldest_version: 191 });
    expect([...h.memory.entries()].filter(([key]) => key.includes('/versions/'))).toHaveLength(10);
  });
});
