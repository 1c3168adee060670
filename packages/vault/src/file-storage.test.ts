// A vault on the file adapter: everything it needs survives a restart, nothing is stored in the clear.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileStorage } from '@coffer/storage-file';
import { createVault } from './vault.js';
import { echoEngine } from './testing/echo-engine.js';

const engines = { echo: { factory: echoEngine, kind: 'secret' as const } };
const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-vault-'));
  dirs.push(dir);
  return dir;
}

async function allFileBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) parts.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(parts);
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('a vault on file storage', () => {
  it('restores seal config, keyring terms, mounts and data after a restart', async () => {
    const path = await tempDir();
    const first = await createVault({ storage: await createFileStorage({ path }), engines });
    const { keys, root_token: token } = await first.init({ secretShares: 3, secretThreshold: 2 });
    await first.unseal(keys[0]!);
    await first.unseal(keys[1]!);
    await first.handle({ operation: 'update', path: 'sys/mounts/e', token, data: { type: 'echo' } });
    await first.handle({ operation: 'update', path: 'e/k', token, data: { value: 'correct-horse-battery' } });
    await first.handle({ operation: 'update', path: 'sys/rotate', token });
    await first.close();

    const second = await createVault({ storage: await createFileStorage({ path }), engines });
    expect(await second.status()).toMatchObject({ initialized: true, sealed: true, t: 2, n: 3, storage_type: 'file' });
    await second.unseal(keys[2]!);
    await second.unseal(keys[0]!);
    expect((await second.handle({ operation: 'read', path: 'e/k', token })).data).toMatchObject({ value: 'correct-horse-battery' });
    expect((await second.handle({ operation: 'read', path: 'sys/key-status', token })).data).toMatchObject({ term: 2 });
    expect(Object.keys((await second.handle({ operation: 'read', path: 'sys/mounts', token })).data!)).toContain('e/');
    await second.close();

    const bytes = await allFileBytes(path);
    expect(bytes.includes('correct-horse-battery')).toBe(false);
    expect(bytes.includes(token)).toBe(false);
    for (const key of keys) {
      expect(bytes.includes(key)).toBe(false);
      expect(bytes.includes(Buffer.from(key, 'hex').subarray(0, 16))).toBe(false);
    }
  });

  it('opens itself on restart with a host-supplied key', async () => {
    const path = await tempDir();
    const key = new Uint8Array(32).fill(9);
    const first = await createVault({ storage: await createFileStorage({ path }), seal: { type: 'static', key } });
    const { root_token: token } = await first.init({ recoveryShares: 1, recoveryThreshold: 1 });
    await first.close();
    const second = await createVault({ storage: await createFileStorage({ path }), seal: { type: 'static', key } });
    expect(await second.status()).toMatchObject({ type: 'static', sealed: false, recovery_seal: true });
    expect((await second.handle({ operation: 'read', path: 'sys/mounts', token })).status).toBe(200);
    await second.close();
  });
});
