// createVault(): options checked at once, dev mode, auto-unseal, events, close, and an idle vault never keeping Node alive.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { MemoryStorage } from '@coffer/storage';
import { createVault } from './vault.js';
import { expectVaultError } from './testing/helpers.js';

describe('createVault options', () => {
  it('throws TypeError or RangeError for misuse, never a VaultError', async () => {
    await expect(createVault({ seal: { type: 'static', key: new Uint8Array(16) } })).rejects.toBeInstanceOf(RangeError);
    await expect(createVault({ seal: { type: 'nope' } as never })).rejects.toBeInstanceOf(TypeError);
    await expect(createVault({ dev: true, seal: { type: 'static', key: new Uint8Array(32) } })).rejects.toBeInstanceOf(TypeError);
    await expect(createVault({ defaultLeaseTtlSec: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(createVault({ defaultLeaseTtlSec: 100, maxLeaseTtlSec: 10 })).rejects.toBeInstanceOf(RangeError);
    await expect(createVault({ dev: { rootTokenId: '' } })).rejects.toBeInstanceOf(TypeError);
    await expect(createVault({ engines: { x: { kind: 'secret' } as never } })).rejects.toBeInstanceOf(TypeError);
    await expect(createVault({ cache: { maxEntries: 0 } })).rejects.toBeInstanceOf(RangeError);
    await expect(createVault({ cache: true as never })).rejects.toBeInstanceOf(TypeError);
  });

  it('keeps decrypted entries in memory unless told not to (as Vault disable_cache does)', async () => {
    for (const [cache, readsAfterWrite] of [
      [undefined, 0],
      [{ maxEntries: 10 }, 0],
      [false, 1],
    ] as const) {
      const storage = new MemoryStorage();
      const vault = await createVault({ dev: { rootTokenId: 'root' }, storage, ...(cache !== undefined ? { cache } : {}) });
      await vault.kv('secret').put('app', { a: 1 });
      let reads = 0;
      const get = storage.getNow.bind(storage);
      storage.getNow = (key) => {
        if (key.includes('/versions/')) reads++;
        return get(key);
      };
      expect((await vault.kv('secret').get('app'))?.data).toEqual({ a: 1 });
      expect(reads).toBe(readsAfterWrite);
      await vault.close();
    }
  });

  it('honours the system TTLs it is given', async () => {
    const vault = await createVault({ dev: true, defaultLeaseTtlSec: 60, maxLeaseTtlSec: 120 });
    const tune = await vault.handle({ operation: 'read', path: 'sys/mounts/cubbyhole/tune', token: vault.rootToken! });
    expect(tune.data).toMatchObject({ default_lease_ttl: 60, max_lease_ttl: 120 });
  });
});

describe('dev mode', () => {
  it('is unsealed at once with one unseal key and a root token', async () => {
    const vault = await createVault({ dev: true, clock: new TestClock(), random: seededRandom(5) });
    expect(await vault.status()).toMatchObject({ sealed: false, t: 1, n: 1, initialized: true });
    expect(vault.rootToken).toMatch(/^hvs\.[0-9A-Za-z]{24}$/);
    expect(vault.unsealKey).toMatch(/^[0-9a-f]{64}$/);
    expect((await vault.handle({ operation: 'read', path: 'sys/mounts', token: vault.rootToken! })).status).toBe(200);
  });

  it('lets the caller choose the root token id', async () => {
    const vault = await createVault({ dev: { rootTokenId: 'root' } });
    expect(vault.rootToken).toBe('root');
    expect((await vault.handle({ operation: 'read', path: 'sys/auth', token: 'root' })).status).toBe(200);
  });

  it('can be sealed and unsealed again with its key', async () => {
    const vault = await createVault({ dev: true });
    await vault.seal();
    expect((await vault.unseal(vault.unsealKey!)).sealed).toBe(false);
  });
});

describe('auto-unseal with a host-supplied key', () => {
  const key = new Uint8Array(32).fill(7);

  it('returns recovery keys at init and unseals itself', async () => {
    const vault = await createVault({ seal: { type: 'static', key }, random: seededRandom(11) });
    const result = await vault.init({ recoveryShares: 3, recoveryThreshold: 2 });
    expect(result.keys).toEqual([]);
    expect(result.recovery_keys).toHaveLength(3);
    expect(result.root_token).toMatch(/^hvs\./);
    expect(await vault.status()).toMatchObject({ sealed: false, recovery_seal: true, t: 2, n: 3 });
  });

  it('opens a manually sealed vault with a threshold of recovery shares, and refuses wrong ones', async () => {
    const vault = await createVault({ seal: { type: 'static', key } });
    const { recovery_keys: recovery } = await vault.init({ recoveryShares: 3, recoveryThreshold: 2 });
    const foreign = (await (await createVault({ seal: { type: 'static', key } })).init({ recoveryShares: 3, recoveryThreshold: 2 })).recovery_keys!;
    await vault.seal();
    expect(await vault.status()).toMatchObject({ type: 'static', sealed: true, t: 2, n: 3 });
    await vault.unseal(foreign[0]!);
    await expectVaultError(vault.unseal(foreign[1]!), 400, 'recovery key verification failed');
    expect(await vault.status()).toMatchObject({ sealed: true, progress: 0 });
    expect((await vault.unseal(recovery![0]!)).progress).toBe(1);
    expect((await vault.unseal(recovery![2]!)).sealed).toBe(false);
  });

  it('refuses recovery parameters with a Shamir seal and secret_shares with an auto seal', async () => {
    const shamir = await createVault();
    await expectVaultError(shamir.handle({ operation: 'update', path: 'sys/init', data: { secret_shares: 1, secret_threshold: 1, recovery_shares: 1 } }), 400, 'parameters recovery_shares not applicable to seal type shamir');

    const vault = await createVault({ seal: { type: 'static', key } });
    await expectVaultError(vault.handle({ operation: 'update', path: 'sys/init', data: { secret_shares: 3, secret_threshold: 2 } }), 400, 'parameters secret_shares,secret_threshold not applicable to seal type static');
  });

  it('unseals on start from existing storage, and not with a wrong key', async () => {
    const storage = new MemoryStorage();
    const first = await createVault({ storage, seal: { type: 'static', key } });
    const { root_token } = await first.init({ recoveryShares: 1, recoveryThreshold: 1 });
    await first.seal();
    const second = await createVault({ storage, seal: { type: 'static', key } });
    expect((await second.status()).sealed).toBe(false);
    expect((await second.handle({ operation: 'read', path: 'sys/mounts', token: root_token })).status).toBe(200);
    await second.seal();
    await expect(createVault({ storage, seal: { type: 'static', key: new Uint8Array(32).fill(8) } })).rejects.toThrow();
  });
});

describe('lifecycle', () => {
  it('emits initialized, unsealed and sealed', async () => {
    const vault = await createVault();
    const seen: string[] = [];
    for (const event of ['initialized', 'unsealed', 'sealed'] as const) vault.on(event, () => seen.push(event));
    const { keys } = await vault.init({ secretShares: 1, secretThreshold: 1 });
    await vault.unseal(keys[0]!);
    await vault.seal();
    expect(seen).toEqual(['initialized', 'unsealed', 'sealed']);
  });

  it('close() seals and refuses further use; await using disposes', async () => {
    const storage = new MemoryStorage();
    let closedStorage = false;
    storage.close = async () => {
      closedStorage = true;
    };
    {
      await using vault = await createVault({ dev: true, storage });
      expect((await vault.status()).sealed).toBe(false);
    }
    expect(closedStorage).toBe(true);
    const vault = await createVault({ dev: true });
    await vault.close();
    await expect(vault.handle({ operation: 'read', path: 'sys/health' })).rejects.toThrow('vault is closed');
  });

  it('never keeps the Node process alive', () => {
    const script = `
      import { createVault } from 'coffer';
      const vault = await createVault({ dev: true });
      await vault.handle({ operation: 'read', path: 'sys/mounts', token: vault.rootToken });
      console.log('ready');
    `;
    const result = spawnSync(process.execPath, ['--conditions=coffer-source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('.', import.meta.url).pathname,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('ready');
    expect(result.status).toBe(0);
  });
});

describe('request paths', () => {
  it('refuses relative, empty-segment and control-character paths before routing or ACL', async () => {
    const vault = await createVault({ dev: true });
    const token = vault.rootToken!;
    for (const path of ['sys/../sys/mounts', 'sys/./mounts', '../sys/mounts', 'sys//mounts', 'sys/mounts/..', 'sys/mo\u0000unts', 'sys/mounts\n', 'a\\b']) {
      await expectVaultError(vault.handle({ operation: 'read', path, token }), 400);
    }
    await expectVaultError(vault.handle({ operation: 'read', path: 'sys/../sys/mounts' }), 400);
  });

  it('refuses writes to a path ending in a slash', async () => {
    const vault = await createVault({ dev: true });
    await expectVaultError(vault.handle({ operation: 'update', path: 'cubbyhole/x/', token: vault.rootToken! }), 400, "cannot write to a path ending in '/'");
  });

  it('answers 403 without a token and 404 for unrouted paths with one', async () => {
    const vault = await createVault({ dev: true });
    await expectVaultError(vault.handle({ operation: 'read', path: 'nothing/here' }), 403, 'permission denied');
    await expectVaultError(vault.handle({ operation: 'read', path: 'nothing/here', token: vault.rootToken! }), 404, 'no handler for route "nothing/here". route entry not found.');
  });

  it('serves help generated from the path table', async () => {
    const vault = await createVault({ dev: true });
    const res = await vault.handle({ operation: 'help', path: 'sys/mounts/x', token: vault.rootToken! });
    expect(res.data!.help).toContain('type');
  });
});
