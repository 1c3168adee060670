// sys/init, sys/seal-status, sys/unseal and sys/seal through handle() (vault-api.md S1–S5, §2.10).
import { describe, expect, it } from 'vitest';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { MemoryStorage } from '@coffer/storage';
import { createVault } from './vault.js';
import { expectVaultError } from './testing/helpers.js';

const init = (data: Record<string, unknown>) => ({ operation: 'update' as const, path: 'sys/init', data });
const unseal = (data: Record<string, unknown>) => ({ operation: 'update' as const, path: 'sys/unseal', data });

async function freshVault(seed = 3) {
  return createVault({ clock: new TestClock(), random: seededRandom(seed) });
}

describe('sys/init', () => {
  it('reports initialised false then true', async () => {
    const vault = await freshVault();
    expect((await vault.handle({ operation: 'read', path: 'sys/init' })).raw).toEqual({ initialized: false });
    await vault.init({ secretShares: 3, secretThreshold: 2 });
    expect((await vault.handle({ operation: 'read', path: 'sys/init' })).raw).toEqual({ initialized: true });
  });

  it('returns distinct 66-hex keys, their base64, and an hvs. root token, and stays sealed', async () => {
    const vault = await freshVault();
    const res = await vault.handle(init({ secret_shares: 3, secret_threshold: 2 }));
    const body = res.raw as { keys: string[]; keys_base64: string[]; root_token: string };
    expect(body.keys).toHaveLength(3);
    expect(new Set(body.keys).size).toBe(3);
    for (const [i, key] of body.keys.entries()) {
      expect(key).toMatch(/^[0-9a-f]{66}$/);
      expect(Buffer.from(body.keys_base64[i]!, 'base64').toString('hex')).toBe(key);
    }
    expect(body.root_token).toMatch(/^hvs\.[0-9A-Za-z]{24}$/);
    expect((await vault.status()).sealed).toBe(true);
  });

  it('gives the raw 32-byte key for one share', async () => {
    const vault = await freshVault();
    const { keys } = await vault.init({ secretShares: 1, secretThreshold: 1 });
    expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('validates shares and threshold with 400s and writes nothing', async () => {
    const storage = new MemoryStorage();
    const vault = await createVault({ storage });
    await expectVaultError(vault.handle(init({ secret_shares: 3, secret_threshold: 1 })), 400);
    await expectVaultError(vault.handle(init({ secret_shares: 2, secret_threshold: 3 })), 400);
    await expectVaultError(vault.handle(init({ secret_shares: 256, secret_threshold: 3 })), 400);
    await expectVaultError(vault.handle(init({ secret_shares: 0, secret_threshold: 0 })), 400);
    await expectVaultError(vault.handle(init({ secret_shares: 'many', secret_threshold: 2 })), 400);
    await expectVaultError(vault.handle(init({ secret_shares: 3, secret_threshold: 2, recovery_shares: 3 })), 400, 'not applicable to seal type shamir');
    expect(await storage.list('')).toEqual([]);
    expect((await vault.status()).initialized).toBe(false);
  });

  it('refuses a second init', async () => {
    const vault = await freshVault();
    await vault.init({ secretShares: 1, secretThreshold: 1 });
    await expectVaultError(vault.handle(init({ secret_shares: 1, secret_threshold: 1 })), 400, 'Vault is already initialized');
  });
});

describe('sys/seal-status and sys/unseal', () => {
  it('describes an uninitialised vault', async () => {
    const vault = await freshVault();
    expect(await vault.status()).toMatchObject({ type: 'shamir', initialized: false, sealed: true, t: 0, n: 0, progress: 0, nonce: '', migration: false, recovery_seal: false, storage_type: 'inmem' });
  });

  it('refuses unseal before init', async () => {
    const vault = await freshVault();
    await expectVaultError(vault.handle(unseal({ key: 'aa'.repeat(33) })), 400, 'Vault is not initialized');
  });

  it('counts progress with a nonce, ignores a repeated share, unseals at the threshold', async () => {
    const vault = await freshVault();
    const { keys } = await vault.init({ secretShares: 5, secretThreshold: 3 });
    const first = await vault.unseal(keys[0]!);
    expect(first).toMatchObject({ sealed: true, t: 3, n: 5, progress: 1 });
    expect(first.nonce).toMatch(/^[0-9a-f-]{36}$/);
    expect((await vault.unseal(keys[0]!)).progress).toBe(1);
    const second = await vault.unseal(keys[1]!);
    expect(second).toMatchObject({ progress: 2, nonce: first.nonce });
    const done = await vault.unseal(keys[2]!);
    expect(done).toMatchObject({ sealed: false, progress: 0, nonce: '' });
    expect(done.cluster_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts base64 keys', async () => {
    const vault = await freshVault();
    const res = (await vault.handle(init({ secret_shares: 2, secret_threshold: 2 }))).raw as { keys_base64: string[] };
    await vault.unseal(res.keys_base64[0]!);
    expect((await vault.unseal(res.keys_base64[1]!)).sealed).toBe(false);
  });

  it('resets progress on request', async () => {
    const vault = await freshVault();
    const { keys } = await vault.init({ secretShares: 3, secretThreshold: 2 });
    await vault.unseal(keys[0]!);
    const reset = (await vault.handle(unseal({ reset: true }))).raw;
    expect(reset).toMatchObject({ progress: 0, nonce: '', sealed: true });
  });

  it('answers 400 without key or reset, and for keys of the wrong size', async () => {
    const vault = await freshVault();
    await vault.init({ secretShares: 3, secretThreshold: 2 });
    await expectVaultError(vault.handle(unseal({})), 400, "'key' must be specified");
    await expectVaultError(vault.handle(unseal({ key: 'ab'.repeat(15) })), 400, 'key is shorter than minimum 16 bytes');
    await expectVaultError(vault.handle(unseal({ key: 'ab'.repeat(34) })), 400, 'key is longer than maximum 33 bytes');
  });

  it('fails a wrong but well-formed combination with 500, resets progress and stays sealed', async () => {
    const other = await freshVault(99);
    const foreign = (await other.init({ secretShares: 3, secretThreshold: 2 })).keys;
    const vault = await freshVault();
    await vault.init({ secretShares: 3, secretThreshold: 2 });
    await vault.unseal(foreign[0]!);
    await expectVaultError(vault.unseal(foreign[1]!), 500, 'unable to retrieve stored keys');
    expect(await vault.status()).toMatchObject({ sealed: true, progress: 0, nonce: '' });
  });

  it('reports unsealed for a key sent to an unsealed vault, and refuses reset then', async () => {
    const vault = await freshVault();
    const { keys } = await vault.init({ secretShares: 1, secretThreshold: 1 });
    await vault.unseal(keys[0]!);
    expect((await vault.unseal(keys[0]!)).sealed).toBe(false);
    await expectVaultError(vault.handle(unseal({ reset: true })), 400, 'vault is unsealed');
  });
});

describe('sealed behaviour and sys/seal', () => {
  it('answers 503 Vault is sealed for every other path while sealed', async () => {
    const vault = await freshVault();
    const { root_token } = await vault.init({ secretShares: 1, secretThreshold: 1 });
    for (const path of ['sys/mounts', 'sys/key-status', 'cubbyhole/x', 'nowhere/at/all', 'sys/internal/ui/mounts']) {
      await expectVaultError(vault.handle({ operation: 'read', path, token: root_token }), 503, 'Vault is sealed');
    }
  });

  it('seals with a root token (sudo), then refuses logical requests', async () => {
    const vault = await freshVault();
    const { keys, root_token } = await vault.init({ secretShares: 1, secretThreshold: 1 });
    await vault.unseal(keys[0]!);
    const sealedEvents: number[] = [];
    vault.on('sealed', () => sealedEvents.push(1));
    expect((await vault.handle({ operation: 'update', path: 'sys/seal', token: root_token })).status).toBe(204);
    expect((await vault.status()).sealed).toBe(true);
    expect(sealedEvents).toEqual([1]);
    await expectVaultError(vault.handle({ operation: 'read', path: 'sys/mounts', token: root_token }), 503, 'Vault is sealed');
  });

  it('refuses sys/seal without a valid token', async () => {
    const vault = await freshVault();
    const { keys } = await vault.init({ secretShares: 1, secretThreshold: 1 });
    await vault.unseal(keys[0]!);
    await expectVaultError(vault.handle({ operation: 'update', path: 'sys/seal' }), 403, 'permission denied');
    await expectVaultError(vault.handle({ operation: 'update', path: 'sys/seal', token: 'hvs.AAAAAAAAAAAAAAAAAAAAAAAA' }), 403);
    expect((await vault.status()).sealed).toBe(false);
  });

  it('keeps the root token valid across seal and unseal', async () => {
    const vault = await freshVault();
    const { keys, root_token } = await vault.init({ secretShares: 1, secretThreshold: 1 });
    await vault.unseal(keys[0]!);
    await vault.seal();
    await vault.unseal(keys[0]!);
    expect((await vault.handle({ operation: 'read', path: 'sys/mounts', token: root_token })).status).toBe(200);
  });
});
