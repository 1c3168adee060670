// sys/rotate, sys/rotate/config and sys/key-status (vault-api.md S14–S16).
import { describe, expect, it } from 'vitest';
import { formatRfc3339Nano } from '@coffer/sdk';
import { expectVaultError, unsealedVault } from './testing/helpers.js';

describe('barrier key rotation', () => {
  it('starts at term 1 and adds a term per rotation, keeping old data readable', async () => {
    const h = await unsealedVault();
    const fresh = await h.req('read', 'sys/key-status');
    expect(fresh.injectData).toBe(true);
    expect(fresh.data).toMatchObject({ term: 1, install_time: formatRfc3339Nano(h.clock.now()) });
    const mountsBefore = (await h.req('read', 'sys/mounts')).data;
    expect((await h.req('update', 'sys/rotate')).status).toBe(204);
    expect((await h.req('read', 'sys/key-status')).data).toMatchObject({ term: 2 });
    await h.req('update', 'sys/rotate');
    expect((await h.req('read', 'sys/key-status')).data).toMatchObject({ term: 3 });
    expect((await h.req('read', 'sys/mounts')).data).toEqual(mountsBefore);
  });

  it('keeps every term across seal and unseal', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/rotate');
    await h.vault.seal();
    await h.vault.unseal(h.keys[1]!);
    await h.vault.unseal(h.keys[2]!);
    expect((await h.req('read', 'sys/key-status')).data).toMatchObject({ term: 2 });
  });

  it('emits key-rotated', async () => {
    const h = await unsealedVault();
    const terms: number[] = [];
    h.vault.on('key-rotated', ({ term }) => terms.push(term));
    await h.req('update', 'sys/rotate');
    expect(terms).toEqual([2]);
  });

  it('reads and validates the automatic rotation settings', async () => {
    const h = await unsealedVault();
    expect((await h.req('read', 'sys/rotate/config')).data).toEqual({ max_operations: 3865470566, interval: '0s', enabled: true });
    await h.req('update', 'sys/rotate/config', { max_operations: 2_000_000, interval: '48h' });
    expect((await h.req('read', 'sys/rotate/config')).data).toEqual({ max_operations: 2000000, interval: '48h0m0s', enabled: true });
    await expectVaultError(h.req('update', 'sys/rotate/config', { interval: '1h' }), 400);
    await expectVaultError(h.req('update', 'sys/rotate/config', { max_operations: 10 }), 400);
    expect((await h.req('read', 'sys/rotate/config')).data).toEqual({ max_operations: 2000000, interval: '48h0m0s', enabled: true });
  });

  it('requires a token', async () => {
    const h = await unsealedVault();
    await expectVaultError(h.vault.handle({ operation: 'update', path: 'sys/rotate' }), 403, 'permission denied');
    await expectVaultError(h.vault.handle({ operation: 'update', path: 'sys/rotate', token: 'hvs.bogus' }), 403, 'invalid token');
  });
});
