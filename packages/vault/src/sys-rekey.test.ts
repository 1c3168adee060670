// sys/rekey/init|update|verify through handle() (vault-api.md S8–S12).
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '@coffer/storage';
import { createVault } from './vault.js';
import { expectVaultError, unsealedVault } from './testing/helpers.js';

type Body = Record<string, unknown>;

async function rekeyVault() {
  const harness = await unsealedVault();
  const call = async (operation: 'read' | 'update' | 'delete', path: string, data?: Body) =>
    (await harness.vault.handle({ operation, path: `sys/${path}`, ...(data ? { data } : {}) })).raw as Body;
  return { ...harness, call };
}

describe('sys/rekey', () => {
  it('reports no rekey before one starts', async () => {
    const { call } = await rekeyVault();
    expect(await call('read', 'rekey/init')).toEqual({
      started: false,
      nonce: '',
      t: 0,
      n: 0,
      progress: 0,
      required: 2,
      pgp_fingerprints: null,
      backup: false,
      verification_required: false,
    });
  });

  it('rekeys to new shares: old shares stop working, new ones unseal, data survives', async () => {
    const { vault, call, keys, token } = await rekeyVault();
    const started = await call('update', 'rekey/init', { secret_shares: 5, secret_threshold: 3 });
    expect(started).toMatchObject({ started: true, t: 3, n: 5, progress: 0, required: 2 });
    const nonce = started.nonce as string;
    expect(nonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(await call('update', 'rekey/update', { key: keys[0], nonce })).toMatchObject({ started: true, progress: 1 });
    const done = await call('update', 'rekey/update', { key: keys[1], nonce });
    expect(done).toMatchObject({ complete: true, nonce, backup: false, verification_required: false, pgp_fingerprints: null });
    const fresh = done.keys as string[];
    expect(fresh).toHaveLength(5);
    expect((done.keys_base64 as string[]).map((b) => Buffer.from(b, 'base64').toString('hex'))).toEqual(fresh);
    expect((await call('read', 'rekey/init')).started).toBe(false);

    await vault.seal();
    // The new threshold applies to the old shares too, and they no longer open the vault.
    await vault.unseal(keys[0]!);
    await vault.unseal(keys[1]!);
    await expectVaultError(vault.unseal(keys[2]!), 500, 'unable to retrieve stored keys');
    expect(await vault.status()).toMatchObject({ t: 3, n: 5, sealed: true, progress: 0 });
    await vault.unseal(fresh[4]!);
    await vault.unseal(fresh[0]!);
    expect((await vault.unseal(fresh[2]!)).sealed).toBe(false);
    expect((await vault.handle({ operation: 'read', path: 'sys/mounts', token })).status).toBe(200);
  });

  it('checks the nonce, refuses a second start and a repeated share', async () => {
    const { call, keys } = await rekeyVault();
    const { nonce } = await call('update', 'rekey/init', { secret_shares: 3, secret_threshold: 2 });
    await expectVaultError(call('update', 'rekey/init', { secret_shares: 3, secret_threshold: 2 }), 400, 'rekey already in progress');
    await expectVaultError(call('update', 'rekey/update', { key: keys[0], nonce: 'abc' }), 400, `incorrect nonce supplied; nonce for this rekey operation is "${nonce as string}"`);
    await expectVaultError(call('update', 'rekey/update', { key: keys[0] }), 400, 'missing nonce');
    await call('update', 'rekey/update', { key: keys[0], nonce });
    await expectVaultError(call('update', 'rekey/update', { key: keys[0], nonce }), 400, 'given key has already been provided during this rekey operation');
    expect((await call('read', 'rekey/init')).progress).toBe(1);
  });

  it('validates the new share counts and needs a started rekey', async () => {
    const { call, keys } = await rekeyVault();
    await expectVaultError(call('update', 'rekey/init', { secret_shares: 3, secret_threshold: 1 }), 400, 'threshold must be greater than one for multiple shares');
    await expectVaultError(call('update', 'rekey/init', { secret_shares: 2, secret_threshold: 3 }), 400, 'threshold cannot be larger than shares');
    await expectVaultError(call('update', 'rekey/init', { secret_shares: 256, secret_threshold: 2 }), 400, 'shares must be less than 256');
    await expectVaultError(call('update', 'rekey/update', { key: keys[0], nonce: 'x' }), 400, 'no barrier rekey in progress');
  });

  it('cancels: progress is dropped and the old shares still unseal', async () => {
    const { vault, call, keys } = await rekeyVault();
    const { nonce } = await call('update', 'rekey/init', { secret_shares: 3, secret_threshold: 2 });
    await call('update', 'rekey/update', { key: keys[0], nonce });
    expect((await vault.handle({ operation: 'delete', path: 'sys/rekey/init' })).status).toBe(204);
    expect((await call('read', 'rekey/init')).started).toBe(false);
    await vault.seal();
    await vault.unseal(keys[1]!);
    expect((await vault.unseal(keys[2]!)).sealed).toBe(false);
  });

  it('fails a wrong combination of current shares and leaves the seal as it was', async () => {
    const other = await unsealedVault({}, 42);
    const { vault, call, keys } = await rekeyVault();
    const { nonce } = await call('update', 'rekey/init', { secret_shares: 3, secret_threshold: 2 });
    await call('update', 'rekey/update', { key: other.keys[0], nonce });
    await expectVaultError(call('update', 'rekey/update', { key: other.keys[1], nonce }), 500, 'unable to retrieve stored keys');
    expect((await call('read', 'rekey/init')).progress).toBe(0);
    await vault.seal();
    await vault.unseal(keys[0]!);
    expect((await vault.unseal(keys[1]!)).sealed).toBe(false);
  });

  it('with require_verification, switches only after the new shares are proven', async () => {
    const { vault, call, keys } = await rekeyVault();
    const { nonce } = await call('update', 'rekey/init', { secret_shares: 3, secret_threshold: 2, require_verification: true });
    await call('update', 'rekey/update', { key: keys[0], nonce });
    const done = await call('update', 'rekey/update', { key: keys[1], nonce });
    expect(done).toMatchObject({ complete: true, verification_required: true });
    const verificationNonce = done.verification_nonce as string;
    expect(verificationNonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(verificationNonce).not.toBe(nonce);
    const fresh = done.keys as string[];

    expect(await call('read', 'rekey/verify')).toEqual({ started: true, nonce: verificationNonce, t: 2, n: 3, progress: 0 });
    await expectVaultError(call('update', 'rekey/verify', { key: fresh[0], nonce }), 400, 'incorrect nonce supplied');
    expect(await call('update', 'rekey/verify', { key: fresh[0], nonce: verificationNonce })).toMatchObject({ progress: 1 });
    // A restart of verification drops progress and issues a new nonce.
    const restarted = await call('delete', 'rekey/verify');
    expect(restarted).toMatchObject({ progress: 0 });
    expect(restarted.nonce).not.toBe(verificationNonce);
    // Old shares in a wrong combination for verification: progress resets, nothing switches.
    await call('update', 'rekey/verify', { key: keys[0], nonce: restarted.nonce });
    await expectVaultError(call('update', 'rekey/verify', { key: keys[1], nonce: restarted.nonce }), 400, 'rekey verification failed');

    await call('update', 'rekey/verify', { key: fresh[1], nonce: restarted.nonce });
    expect(await call('update', 'rekey/verify', { key: fresh[2], nonce: restarted.nonce })).toEqual({ nonce: restarted.nonce, complete: true });
    await expectVaultError(call('read', 'rekey/verify'), 400, 'no barrier rekey in progress');

    await vault.seal();
    await vault.unseal(fresh[0]!);
    expect((await vault.unseal(fresh[1]!)).sealed).toBe(false);
  });

  it('keeps the old shares if the vault seals before verification', async () => {
    const { vault, call, keys } = await rekeyVault();
    const { nonce } = await call('update', 'rekey/init', { secret_shares: 3, secret_threshold: 2, require_verification: true });
    await call('update', 'rekey/update', { key: keys[0], nonce });
    await call('update', 'rekey/update', { key: keys[1], nonce });
    await vault.seal();
    await vault.unseal(keys[0]!);
    expect((await vault.unseal(keys[1]!)).sealed).toBe(false);
    expect((await call('read', 'rekey/init')).started).toBe(false);
  });

  it('answers 503 while sealed and 400 for an auto-unseal vault', async () => {
    const sealed = await createVault();
    await sealed.init({ secretShares: 1, secretThreshold: 1 });
    await expectVaultError(sealed.handle({ operation: 'read', path: 'sys/rekey/init' }), 503, 'Vault is sealed');
    const auto = await createVault({ storage: new MemoryStorage(), seal: { type: 'static', key: new Uint8Array(32).fill(7) } });
    await auto.init({ recoveryShares: 1, recoveryThreshold: 1 });
    await expectVaultError(auto.handle({ operation: 'update', path: 'sys/rekey/init', data: { secret_shares: 1, secret_threshold: 1 } }), 400, 'auto-unseal');
  });

  it('emits rekeyed once the new shares are live', async () => {
    const { vault, call, keys } = await rekeyVault();
    const events: string[] = [];
    vault.on('rekeyed', () => events.push('rekeyed'));
    const { nonce } = await call('update', 'rekey/init', { secret_shares: 1, secret_threshold: 1 });
    await call('update', 'rekey/update', { key: keys[0], nonce });
    expect(events).toEqual([]);
    await call('update', 'rekey/update', { key: keys[1], nonce });
    expect(events).toEqual(['rekeyed']);
  });
});
