// The barrier: format, integrity, keyring terms, rotation and zeroisation (reliability.md B10, S11, S12).
import { describe, expect, it } from 'vitest';
import { MemoryStorage, type Storage } from '@coffer/storage';
import { createSystemRandom, nodeCrypto, utf8, VaultError, type Random } from '@coffer/sdk';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { BarrierInvalidKeyError, createSecurityBarrier } from './security-barrier.js';

const KEYRING = 'core/keyring/1';

async function openBarrier(options: { random?: Random; minMaxOperations?: number; cache?: false } = {}) {
  const storage = new MemoryStorage();
  const clock = new TestClock();
  const random = options.random ?? seededRandom(11);
  const barrier = createSecurityBarrier({
    storage,
    crypto: nodeCrypto,
    random,
    clock,
    ...(options.minMaxOperations ? { minMaxOperations: options.minMaxOperations } : {}),
    ...(options.cache === false ? { cache: false as const } : {}),
  });
  const rootKey = seededRandom(99).bytes(32);
  await barrier.initialize(rootKey, KEYRING);
  return { storage, clock, barrier, rootKey };
}

async function expectIntegrityError(promise: Promise<unknown>, reason?: string): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(VaultError);
  expect((error as VaultError).status).toBe(500);
  if (reason) expect((error as VaultError).message).toContain(reason);
}

describe('security barrier transactions', () => {
  it('encrypts what a transaction writes and writes nothing when it fails', async () => {
    const { storage, barrier } = await openBarrier();
    await barrier.transaction!(async (tx) => {
      await tx.put('kv/a', utf8('inside-tx-secret'));
      expect(await tx.get('kv/a')).toEqual(utf8('inside-tx-secret'));
    });
    expect(Buffer.from(storage.getNow('kv/a')!).toString('latin1')).not.toContain('inside-tx-secret');
    expect(await barrier.get('kv/a')).toEqual(utf8('inside-tx-secret'));
    await expect(
      barrier.transaction!(async (tx) => {
        await tx.put('kv/b', utf8('never'));
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await barrier.get('kv/b')).toBeUndefined();
    await barrier.seal();
    await expect(barrier.transaction!(async () => undefined)).rejects.toThrow('Vault is sealed');
  });
});

describe('security barrier', () => {
  it('stores term ‖ 0x02 ‖ nonce ‖ ciphertext ‖ tag, never the plaintext', async () => {
    const { storage, barrier } = await openBarrier();
    const plaintext = utf8('the launch codes');
    await barrier.put('logical/x', plaintext);
    const stored = (await storage.get('logical/x'))!;
    expect(stored.length).toBe(4 + 1 + 12 + plaintext.length + 16);
    expect([...stored.subarray(0, 5)]).toEqual([0, 0, 0, 1, 2]);
    expect(Buffer.from(stored).includes(Buffer.from(plaintext))).toBe(false);
    expect(await barrier.get('logical/x')).toEqual(plaintext);
    expect(await barrier.get('logical/absent')).toBeUndefined();
  });

  it('round-trips empty and 1 MiB values', async () => {
    const { barrier } = await openBarrier();
    const big = seededRandom(3).bytes(1024 * 1024);
    await barrier.put('a', new Uint8Array(0));
    await barrier.put('b', big);
    expect(await barrier.get('a')).toEqual(new Uint8Array(0));
    expect(Buffer.compare((await barrier.get('b'))!, big)).toBe(0);
  });

  // Tampering behind the barrier's back is only seen when the entry is read from storage again,
  // so these run without the plaintext cache (as Vault's physical cache would hide it too).
  it('fails every single-bit flip at every byte position with an integrity error (B10)', async () => {
    const { storage, barrier } = await openBarrier({ cache: false });
    await barrier.put('logical/x', utf8('{"password":"hunter2"}'));
    const original = (await storage.get('logical/x'))!;
    for (let i = 0; i < original.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const tampered = original.slice();
        tampered[i]! ^= bit;
        await storage.put('logical/x', tampered);
        await expectIntegrityError(barrier.get('logical/x'));
      }
    }
  });

  it('binds a ciphertext to its key: a moved value does not open', async () => {
    const { storage, barrier } = await openBarrier();
    await barrier.put('logical/a', utf8('secret'));
    await storage.put('logical/b', (await storage.get('logical/a'))!);
    await expectIntegrityError(barrier.get('logical/b'), 'message authentication failed');
  });

  it('reports truncated values, unknown terms and unknown versions in Vault words', async () => {
    const { storage, barrier } = await openBarrier({ cache: false });
    await barrier.put('k', utf8('v'));
    const stored = (await storage.get('k'))!;
    for (const length of [0, 1, 5]) {
      await storage.put('k', stored.subarray(0, length));
      await expectIntegrityError(barrier.get('k'), 'invalid cipher length');
    }
    const otherTerm = stored.slice();
    otherTerm[3] = 7;
    await storage.put('k', otherTerm);
    await expectIntegrityError(barrier.get('k'), 'no decryption key available for term 7');
    const otherVersion = stored.slice();
    otherVersion[4] = 1;
    await storage.put('k', otherVersion);
    await expectIntegrityError(barrier.get('k'), 'version bytes mis-match');
  });

  it('answers 503 for everything while sealed, without touching storage', async () => {
    const { storage, barrier } = await openBarrier();
    await barrier.seal();
    const reads: string[] = [];
    const get = storage.get.bind(storage);
    storage.get = (key) => {
      reads.push(key);
      return get(key);
    };
    for (const call of [() => barrier.get('k'), () => barrier.put('k', utf8('v')), () => barrier.delete('k'), () => barrier.list(''), () => barrier.rotate()]) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect((error as VaultError).status).toBe(503);
    }
    expect(() => barrier.keyStatus()).toThrow('Vault is sealed');
    expect(reads).toEqual([]);
  });

  it('unseals with the root key and refuses another key or a tampered keyring, writing nothing', async () => {
    const { storage, barrier, rootKey } = await openBarrier();
    await barrier.put('k', utf8('v'));
    await barrier.seal();
    await expect(barrier.unseal(seededRandom(5).bytes(32), KEYRING)).rejects.toBeInstanceOf(BarrierInvalidKeyError);
    const keyring = (await storage.get(KEYRING))!;
    const tampered = keyring.slice();
    tampered[30]! ^= 1;
    await storage.put(KEYRING, tampered);
    const before = [...storage.entries()].length;
    await expect(barrier.unseal(rootKey, KEYRING)).rejects.toThrow('unseal failed, invalid key');
    expect([...storage.entries()].length).toBe(before);
    expect(await storage.get(KEYRING)).toEqual(tampered);
    await storage.put(KEYRING, keyring);
    await barrier.unseal(rootKey, KEYRING);
    expect(await barrier.get('k')).toEqual(utf8('v'));
  });

  it('rotates: new writes use term N+1, old terms still decrypt, key-status follows (S14, S16)', async () => {
    const { storage, clock, barrier, rootKey } = await openBarrier();
    await barrier.put('old', utf8('one'));
    expect(barrier.keyStatus()).toMatchObject({ term: 1, encryptions: 1 });
    await clock.advanceSec(60);
    expect(await barrier.rotate()).toBe(2);
    await barrier.put('new', utf8('two'));
    expect((await storage.get('new'))![3]).toBe(2);
    expect((await storage.get('old'))![3]).toBe(1);
    expect(barrier.keyStatus()).toEqual({ term: 2, installTimeMs: clock.now(), encryptions: 1 });
    // The rotated keyring survives a seal and unseal.
    await barrier.seal();
    await barrier.unseal(rootKey, KEYRING);
    expect(await barrier.get('old')).toEqual(utf8('one'));
    expect(await barrier.get('new')).toEqual(utf8('two'));
    expect(barrier.keyStatus().term).toBe(2);
  });

  it('validates the rotation config with Vault messages and persists it', async () => {
    const { barrier, rootKey } = await openBarrier();
    expect(barrier.rotationConfig()).toEqual({ maxOperations: 3_865_470_566, intervalMs: 0, enabled: true });
    await expect(barrier.setRotationConfig({ maxOperations: 999_999, intervalMs: 0, enabled: true })).rejects.toThrow('max_operations must be in the range [1000000,3865470566]');
    await expect(barrier.setRotationConfig({ maxOperations: 3_865_470_567, intervalMs: 0, enabled: true })).rejects.toThrow('max_operations');
    await expect(barrier.setRotationConfig({ maxOperations: 1_000_000, intervalMs: 3_600_000, enabled: true })).rejects.toThrow('interval must be greater than or equal to 24h0m0s');
    await barrier.setRotationConfig({ maxOperations: 2_000_000, intervalMs: 48 * 3_600_000, enabled: false });
    await barrier.seal();
    await barrier.unseal(rootKey, KEYRING);
    expect(barrier.rotationConfig()).toEqual({ maxOperations: 2_000_000, intervalMs: 48 * 3_600_000, enabled: false });
  });

  it('rotates automatically after max_operations encryptions and after the interval (S12)', async () => {
    const { clock, barrier } = await openBarrier({ minMaxOperations: 1000 });
    await barrier.setRotationConfig({ maxOperations: 1000, intervalMs: 0, enabled: true });
    for (let i = 0; i < 999; i++) await barrier.put('k', utf8(String(i)));
    expect(barrier.keyStatus().term).toBe(1);
    await barrier.put('k', utf8('1000th'));
    expect(barrier.keyStatus()).toMatchObject({ term: 2, encryptions: 0 });
    expect(await barrier.get('k')).toEqual(utf8('1000th'));

    await barrier.setRotationConfig({ maxOperations: 1_000_000, intervalMs: 24 * 3_600_000, enabled: true });
    await clock.advanceSec(24 * 3600 - 1);
    await barrier.put('k', utf8('a'));
    expect(barrier.keyStatus().term).toBe(2);
    await clock.advanceSec(1);
    await barrier.put('k', utf8('b'));
    expect(barrier.keyStatus().term).toBe(3);
  });

  it('never repeats a nonce over 10^6 encryptions under one key (S12)', async () => {
    // A storage that only remembers nonces keeps the 10^6 puts about the barrier's own work.
    const nonces = new Set<string>();
    const recorder: Storage = {
      get: async () => undefined,
      put: async (_key, value) => void nonces.add(Buffer.from(value.buffer, value.byteOffset + 5, 12).toString('latin1')),
      delete: async () => undefined,
      list: async () => [],
    };
    const barrier = createSecurityBarrier({ storage: recorder, crypto: nodeCrypto, random: createSystemRandom(), clock: new TestClock() });
    await barrier.initialize(seededRandom(99).bytes(32), KEYRING);
    nonces.clear();
    const value = utf8('x');
    for (let i = 0; i < 1_000_000; i++) await barrier.put('n', value);
    expect(nonces.size).toBe(1_000_000);
    expect(barrier.keyStatus()).toMatchObject({ term: 1, encryptions: 1_000_000 });
  }, 60_000);

  it('throws instead of encrypting with a failed random source, and writes nothing', async () => {
    let failing = false;
    const random = seededRandom(1);
    const { storage, barrier } = await openBarrier({ random: { bytes: (n) => { if (failing) throw new Error('entropy source failed'); return random.bytes(n); } } });
    failing = true;
    await expect(barrier.put('k', utf8('v'))).rejects.toThrow('entropy source failed');
    expect(await storage.get('k')).toBeUndefined();
  });

  it('zeroes every key buffer on seal (S11)', async () => {
    const { barrier } = await openBarrier();
    await barrier.rotate();
    const buffers = barrier.keyMaterialForTests();
    expect(buffers.length).toBe(3);
    expect(buffers.every((b) => b.some((byte) => byte !== 0))).toBe(true);
    await barrier.seal();
    expect(buffers.every((b) => b.every((byte) => byte === 0))).toBe(true);
    expect(barrier.keyMaterialForTests()).toEqual([]);
  });

  it('keeps a staged root key in step with rotations until it is activated', async () => {
    const { storage, barrier, rootKey } = await openBarrier();
    const nextRoot = seededRandom(123).bytes(32);
    await barrier.stageRootKey(nextRoot, 'core/keyring/2');
    await barrier.rotate();
    await barrier.put('k', utf8('written under term 2'));
    barrier.activateStagedRootKey();
    await barrier.seal();
    await expect(barrier.unseal(rootKey, 'core/keyring/2')).rejects.toBeInstanceOf(BarrierInvalidKeyError);
    await barrier.unseal(nextRoot, 'core/keyring/2');
    expect(barrier.keyStatus().term).toBe(2);
    expect(await barrier.get('k')).toEqual(utf8('written under term 2'));
    expect(await storage.get('core/keyring/1')).toBeDefined();
  });
});
