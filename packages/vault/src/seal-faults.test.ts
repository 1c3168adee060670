// Faults around unsealing and rekeying (reliability.md B8, B9, C9, F4): duplicate and
// malformed shares, concurrent submissions, and a crash at every write of a rekey.
import { describe, expect, it } from 'vitest';
import { MemoryStorage, type Storage } from '@coffer/storage';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { createVault } from './vault.js';
import { expectVaultError } from './testing/helpers.js';

function snapshot(storage: MemoryStorage): Map<string, string> {
  return new Map([...storage.entries()].map(([key, value]) => [key, Buffer.from(value).toString('hex')]));
}

/** Storage of a process that dies at its n-th write: that write and everything after it never happen. */
class CrashingStorage implements Storage {
  writes = 0;
  crashAt = Infinity;
  constructor(readonly inner: Storage) {}
  #alive(): void {
    if (this.writes >= this.crashAt) throw new Error('process killed');
  }
  #write(): void {
    this.#alive();
    this.writes++;
    if (this.writes >= this.crashAt) throw new Error('process killed');
  }
  get = async (key: string) => (this.#alive(), this.inner.get(key));
  list = async (prefix: string) => (this.#alive(), this.inner.list(prefix));
  put = async (key: string, value: Uint8Array) => (this.#write(), this.inner.put(key, value));
  delete = async (key: string) => (this.#write(), this.inner.delete(key));
}

describe('unseal share faults', () => {
  it('does not count a repeated share, from one client or two (B8)', async () => {
    const vault = await createVault({ clock: new TestClock(), random: seededRandom(1) });
    const { keys } = await vault.init({ secretShares: 5, secretThreshold: 3 });
    const progress: number[] = [];
    for (const key of [keys[0]!, keys[0]!, keys[1]!]) progress.push((await vault.unseal(key)).progress);
    const base64 = Buffer.from(keys[1]!, 'hex').toString('base64');
    progress.push((await vault.unseal(base64)).progress);
    expect(progress).toEqual([1, 1, 2, 2]);
    expect((await vault.unseal(keys[2]!)).sealed).toBe(false);
  });

  it('gives typed errors for malformed shares, keeps progress, and writes nothing (B9)', async () => {
    const storage = new MemoryStorage();
    const vault = await createVault({ storage });
    const { keys } = await vault.init({ secretShares: 3, secretThreshold: 2 });
    const before = snapshot(storage);
    await vault.unseal(keys[0]!);
    for (const [key, message] of [
      ['', "'key' must be specified"],
      ['zz-not-a-key', "'key' must be a valid hex or base64 string"],
      ['ab'.repeat(15), 'key is shorter than minimum 16 bytes'],
      ['ab'.repeat(34), 'key is longer than maximum 33 bytes'],
    ] as const) {
      await expectVaultError(vault.unseal(key), 400, message);
    }
    expect((await vault.status()).progress).toBe(1);
    expect(snapshot(storage)).toEqual(before);
  });

  it('refuses a share set with a zero or repeated x-coordinate or unequal lengths, resetting progress (B9)', async () => {
    const vault = await createVault();
    const { keys } = await vault.init({ secretShares: 3, secretThreshold: 2 });
    const withX = (key: string, x: number) => key.slice(0, 64) + x.toString(16).padStart(2, '0');
    const cases: [string, string, string][] = [
      [keys[0]!, withX(keys[1]!, 0), 'x-coordinate of zero'],
      [keys[0]!, withX(keys[1]!, Number.parseInt(keys[0]!.slice(64), 16)), 'duplicate part detected'],
      [keys[0]!, keys[1]!.slice(2), 'all parts must be the same length'],
    ];
    for (const [first, second, message] of cases) {
      await vault.unseal(first);
      await expectVaultError(vault.unseal(second), 400, message);
      expect(await vault.status()).toMatchObject({ sealed: true, progress: 0, nonce: '' });
    }
  });

  it('fails a flipped byte or a foreign share with 500, resets progress and writes nothing (B9)', async () => {
    const storage = new MemoryStorage();
    const vault = await createVault({ storage });
    const { keys } = await vault.init({ secretShares: 3, secretThreshold: 2 });
    const foreign = (await (await createVault()).init({ secretShares: 3, secretThreshold: 2 })).keys;
    const before = snapshot(storage);
    const flipped = (keys[1]!.startsWith('0') ? '1' : '0') + keys[1]!.slice(1);
    for (const second of [flipped, foreign[1]!]) {
      await vault.unseal(keys[0]!);
      await expectVaultError(vault.unseal(second), 500, 'unable to retrieve stored keys: failed to decrypt encrypted stored keys: cipher: message authentication failed');
      expect(await vault.status()).toMatchObject({ sealed: true, progress: 0 });
    }
    expect(snapshot(storage)).toEqual(before);
    await vault.unseal(keys[2]!);
    expect((await vault.unseal(keys[0]!)).sealed).toBe(false);
  });

  it('opens exactly once when five clients submit five shares at once, 100 rounds (C9)', async () => {
    const vault = await createVault();
    const { keys } = await vault.init({ secretShares: 5, secretThreshold: 3 });
    let unsealedEvents = 0;
    vault.on('unsealed', () => unsealedEvents++);
    for (let round = 1; round <= 100; round++) {
      const results = await Promise.all(keys.map((key) => vault.unseal(key)));
      expect(results.every((r) => r.progress <= 3)).toBe(true);
      expect((await vault.status()).sealed).toBe(false);
      expect(unsealedEvents).toBe(round);
      await vault.seal();
    }
  });
});

describe('a crash at every write of a rekey (F4)', () => {
  async function crashRun(crashAt: number, requireVerification: boolean) {
    const base = new MemoryStorage();
    const storage = new CrashingStorage(base);
    const vault = await createVault({ storage, random: seededRandom(crashAt) });
    const { keys, root_token } = await vault.init({ secretShares: 3, secretThreshold: 2 });
    await vault.unseal(keys[0]!);
    await vault.unseal(keys[1]!);
    const call = async (operation: 'update', path: string, data: Record<string, unknown>) =>
      (await vault.handle({ operation, path: `sys/${path}`, data })).raw as Record<string, unknown>;

    storage.writes = 0;
    storage.crashAt = crashAt;
    let delivered: string[] | undefined;
    try {
      const { nonce } = await call('update', 'rekey/init', { secret_shares: 2, secret_threshold: 2, require_verification: requireVerification });
      await call('update', 'rekey/update', { key: keys[0], nonce });
      const done = await call('update', 'rekey/update', { key: keys[1], nonce });
      const fresh = done.keys as string[];
      if (requireVerification) {
        const vNonce = done.verification_nonce;
        await call('update', 'rekey/verify', { key: fresh[0], nonce: vNonce });
        await call('update', 'rekey/verify', { key: fresh[1], nonce: vNonce });
      }
      delivered = fresh;
    } catch (error) {
      expect((error as Error).message).toBe('process killed');
    }

    // A new process on what reached storage.
    const restarted = await createVault({ storage: base });
    const shares = delivered ?? keys;
    await restarted.unseal(shares[0]!);
    const status = await restarted.unseal(shares[1]!);
    expect(status.sealed, `crash at write ${crashAt}: the ${delivered ? 'new' : 'old'} shares must unseal`).toBe(false);
    expect((await restarted.handle({ operation: 'read', path: 'sys/mounts', token: root_token })).status).toBe(200);
    expect(await base.list('core/keyring/')).toHaveLength(1);
    return { writes: storage.writes, delivered: delivered !== undefined };
  }

  for (const requireVerification of [false, true]) {
    it(`always leaves a share set that opens the vault${requireVerification ? ' (with verification)' : ''}`, async () => {
      let crashAt = 1;
      for (;;) {
        const result = await crashRun(crashAt, requireVerification);
        if (result.delivered) break;
        crashAt++;
      }
      // The rekey performs a handful of writes; every one of them was a crash point.
      expect(crashAt).toBeGreaterThan(2);
    });
  }
});
