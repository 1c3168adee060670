// Storage faults under the barrier and the mount table (reliability.md F1, F3, C7, S6, B11).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStorage, StorageCorruptionError, type Storage } from '@coffer/storage';
import { FaultyStorage } from '@coffer/storage/testing';
import { createFileStorage } from '@coffer/storage-file';
import type { VaultError } from '@coffer/sdk';
import { createVault } from './vault.js';
import { echoEngine } from './testing/echo-engine.js';
import { expectVaultError } from './testing/helpers.js';
import { TestClock } from '@coffer/sdk/testing';

const engines = { echo: { factory: echoEngine, kind: 'secret' as const } };

async function openVault(storage: Storage) {
  const vault = await createVault({ storage, engines });
  const { keys, root_token: token } = await vault.init({ secretShares: 1, secretThreshold: 1 });
  await vault.unseal(keys[0]!);
  const req = (operation: 'read' | 'update' | 'delete', path: string, data?: Record<string, unknown>) =>
    vault.handle({ operation, path, token, ...(data ? { data } : {}) });
  return { vault, keys, token, req };
}

describe('a storage write fails mid-operation (F1)', () => {
  it('leaves the keyring as it was when sys/rotate cannot persist, and a retry succeeds', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    const { req } = await openVault(storage);
    storage.failOnNth('put', 1);
    await expectVaultError(req('update', 'sys/rotate'), 500);
    expect((await req('read', 'sys/key-status')).data).toMatchObject({ term: 1 });
    expect((await req('update', 'sys/rotate')).status).toBe(204);
    expect((await req('read', 'sys/key-status')).data).toMatchObject({ term: 2 });
  });

  it('leaves the mount table as it was when enabling a mount cannot persist', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    const { req } = await openVault(storage);
    const before = Object.keys((await req('read', 'sys/mounts')).data!);
    storage.failOnNth('put', 1);
    await expectVaultError(req('update', 'sys/mounts/e', { type: 'echo' }), 500);
    expect(Object.keys((await req('read', 'sys/mounts')).data!)).toEqual(before);
    await expectVaultError(req('read', 'e/k'), 404);
    expect((await req('update', 'sys/mounts/e', { type: 'echo' })).status).toBe(204);
  });
});

/** Storage of a process that dies at its n-th write: that write and everything after it never happen. */
function dyingAt(inner: Storage, n: number): Storage & { writes(): number } {
  let writes = 0;
  const alive = () => {
    if (writes >= n) throw new Error('process killed');
  };
  const write = () => {
    alive();
    writes++;
    alive();
  };
  return {
    writes: () => writes,
    get: async (key) => (alive(), inner.get(key)),
    list: async (prefix) => (alive(), inner.list(prefix)),
    put: async (key, value) => (write(), inner.put(key, value)),
    delete: async (key) => (write(), inner.delete(key)),
  };
}

describe('a crash during barrier rotation with writes in flight (F3, C7)', () => {
  it('keeps every acknowledged write readable and every acknowledged rotation, at every crash point', async () => {
    const base = new MemoryStorage();
    const { keys, req, vault, token } = await openVault(base);
    await req('update', 'sys/mounts/e', { type: 'echo' });
    for (let i = 0; i < 20; i++) await req('update', `e/before-${i}`, { value: `v${i}` });
    await vault.close();
    const snapshot = [...base.entries()];

    for (let crashAt = 1; crashAt <= 12; crashAt++) {
      const disk = new MemoryStorage();
      for (const [key, value] of snapshot) await disk.put(key, value);
      const storage = dyingAt(disk, crashAt);
      const victim = await createVault({ storage, engines });
      await victim.unseal(keys[0]!);
      const acknowledged = new Map<string, string>();
      let rotated = 0;
      const writer = async (w: number) => {
        for (let i = 0; i < 4; i++) {
          const key = `e/w${w}-${i}`;
          try {
            await victim.handle({ operation: 'update', path: key, token, data: { value: `${w}:${i}` } });
            acknowledged.set(key, `${w}:${i}`);
          } catch {
            return;
          }
        }
      };
      const rotations = (async () => {
        for (let r = 0; r < 3; r++) {
          try {
            await victim.handle({ operation: 'update', path: 'sys/rotate', token });
            rotated++;
          } catch {
            return;
          }
        }
      })();
      await Promise.all([writer(1), writer(2), rotations]);

      const restarted = await createVault({ storage: disk, engines });
      await restarted.unseal(keys[0]!);
      const read = (path: string) => restarted.handle({ operation: 'read', path, token });
      for (const [key, value] of acknowledged) expect((await read(key)).data, `crash at write ${crashAt}: ${key}`).toMatchObject({ value });
      for (let i = 0; i < 20; i++) expect((await read(`e/before-${i}`)).data).toMatchObject({ value: `v${i}` });
      const term = ((await read('sys/key-status')).data as { term: number }).term;
      // Acknowledged rotations are durable; at most the one in flight may also have landed.
      expect(term).toBeGreaterThanOrEqual(1 + rotated);
      expect(term).toBeLessThanOrEqual(2 + rotated);
      await restarted.close();
    }
  });
});

describe('a sealed vault (S6)', () => {
  it('answers only the pre-unseal sys paths, with zero storage reads for anything else', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    const { vault, req, token } = await openVault(storage);
    await req('update', 'sys/mounts/e', { type: 'echo' });
    await vault.seal();
    storage.clearRecord();
    const paths = ['sys/mounts', 'sys/mounts/e', 'sys/auth', 'sys/remount', 'sys/rotate', 'sys/key-status', 'sys/rotate/config', 'sys/internal/ui/mounts', 'sys/seal', 'e/k', 'cubbyhole/x', 'auth/token/lookup-self', 'identity/entity', 'nowhere'];
    for (const path of paths) {
      for (const operation of ['read', 'update', 'delete', 'list'] as const) {
        await expectVaultError(vault.handle({ operation, path, token, data: { type: 'echo', value: 'x' } }), 503, 'Vault is sealed');
      }
    }
    expect(storage.recorded('get')).toEqual([]);
    expect(storage.recorded('list')).toEqual([]);
    expect(storage.recorded('put')).toEqual([]);
    for (const path of ['sys/seal-status', 'sys/health', 'sys/leader', 'sys/init']) {
      expect((await vault.handle({ operation: 'read', path })).status).toBeLessThan(600);
    }
  });
});

describe('a corrupt seal config on disk (B11)', () => {
  it('is reported as corruption naming the key, never as "not initialized", and is not deleted', async () => {
    const path = await mkdtemp(join(tmpdir(), 'coffer-corrupt-'));
    try {
      const first = await createVault({ storage: await createFileStorage({ path }) });
      await first.init({ secretShares: 1, secretThreshold: 1 });
      await first.close();
      // The adapter keeps `core/seal-config` as `core/_seal-config`; overwrite it as a failing disk would.
      await writeFile(join(path, 'core', '_seal-config'), 'garbage');
      const second = await createVault({ storage: await createFileStorage({ path }) });
      const error = await second.status().then(() => undefined, (e: unknown) => e);
      expect((error as VaultError).status).toBe(500);
      expect((error as VaultError).cause).toBeInstanceOf(StorageCorruptionError);
      expect((error as Error).message).toContain('core/seal-config');
      await expect(readFile(join(path, 'core', '_seal-config'), 'utf8')).resolves.toBe('garbage');
    } finally {
      await rm(path, { recursive: true, force: true });
    }
  });
});

describe('a storage read fails during authentication and authorisation (F2)', () => {
  it('fails closed at every read of a request that must load its token and policies: 500, never allowed', async () => {
    const storage = new FaultyStorage(new MemoryStorage());
    // A TestClock: no timer reads storage behind the test's back between unseal and request.
    const vault = await createVault({ storage, engines, clock: new TestClock() });
    const { keys, root_token: root } = await vault.init({ secretShares: 1, secretThreshold: 1 });
    await vault.unseal(keys[0]!);
    const req = (operation: 'update', path: string, data: Record<string, unknown>) => vault.handle({ operation, path, token: root, data });
    await req('update', 'sys/policies/acl/reader', { policy: 'path "sys/mounts" { capabilities = ["read"] }' });
    const token = (await req('update', 'auth/token/create', { policies: ['reader'] })).auth!.client_token;
    const asReader = () => vault.handle({ operation: 'read', path: 'sys/mounts', token });
    const denied = () => vault.handle({ operation: 'read', path: 'sys/auth', token });
    let failures = 0;
    for (let k = 1; ; k++) {
      // Sealing drops every cached token, policy and ACL, so the request reads them from storage.
      await vault.seal();
      await vault.unseal(keys[0]!);
      storage.failOnNth('get', k);
      const outcome = await asReader().then(
        () => 'allowed' as const,
        (e: VaultError) => e.status,
      );
      if (outcome === 'allowed') {
        // The k-th read was past the request's last: nothing was failed.
        expect(storage.operations.filter((o) => o.outcome === 'injected')).toHaveLength(failures);
        storage.reset();
        break;
      }
      failures++;
      expect(outcome).toBe(500);
      expect(k).toBeLessThan(50);
    }
    expect(failures).toBeGreaterThan(0);
    // A path the policy does not grant: with reads failing it is a 500, never a 200.
    await vault.seal();
    await vault.unseal(keys[0]!);
    storage.failGet = true;
    await expectVaultError(denied(), 500);
    storage.failGet = false;
    await expectVaultError(denied(), 403);
  });
});

