// KV through the vault: dev mode's secret/, the typed vault.kv() helpers, aliases, the v1 → v2 upgrade, CAS on every adapter.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileStorage } from '@coffer/storage-file';
import { TestClock } from '@coffer/sdk/testing';
import { VaultError } from '@coffer/sdk';
import { createVault } from './vault.js';
import { expectVaultError, unsealedVault } from './testing/helpers.js';

interface DbSecret extends Record<string, unknown> {
  username: string;
  password: string;
  port?: number;
}

describe('KV in a vault', () => {
  it('dev mode serves KV version 2 at secret/, as vault server -dev does', async () => {
    const vault = await createVault({ dev: { rootTokenId: 'root' }, clock: new TestClock() });
    const mounts = (await vault.handle({ operation: 'read', path: 'sys/mounts', token: 'root' })).data!;
    expect(mounts['secret/']).toMatchObject({ type: 'kv', options: { version: '2' }, description: 'key/value secret storage' });
    await vault.close();
  });

  it('dev mode with kvVersion 1 serves KV version 1 at secret/ (vault server -dev -dev-kv-v1)', async () => {
    const vault = await createVault({ dev: { rootTokenId: 'root', kvVersion: 1 }, clock: new TestClock() });
    const mounts = (await vault.handle({ operation: 'read', path: 'sys/mounts', token: 'root' })).data!;
    expect(mounts['secret/']).toMatchObject({ type: 'kv', options: { version: '1' } });
    await vault.handle({ operation: 'update', path: 'secret/app', token: 'root', data: { a: 1 } });
    const read = await vault.handle({ operation: 'read', path: 'secret/app', token: 'root' });
    // K1: lease_duration is the mount's default TTL (the system's 768h here), with no lease behind it.
    expect(read).toMatchObject({ data: { a: 1 }, leaseId: '', renewable: false, leaseDurationSec: 2764800 });
    await vault.handle({ operation: 'update', path: 'secret/hinted', token: 'root', data: { a: 1, ttl: '30m' } });
    expect((await vault.handle({ operation: 'read', path: 'secret/hinted', token: 'root' })).leaseDurationSec).toBe(1800);
    await vault.close();
  });

  it('vault.kv() writes, reads, patches, deletes, undeletes, destroys and lists with typed data', async () => {
    const vault = await createVault({ dev: true, clock: new TestClock() });
    const kv = vault.kv('secret');
    const first = await kv.put<DbSecret>('app/db', { username: 'app', password: 'one' });
    expect(first).toMatchObject({ version: 1, destroyed: false, deletion_time: '' });
    await kv.put<DbSecret>('app/db', { username: 'app', password: 'two' }, { cas: 1 });
    await expect(kv.put<DbSecret>('app/db', { username: 'app', password: 'x' }, { cas: 1 })).rejects.toThrow('check-and-set parameter did not match the current version');
    const latest = await kv.get<DbSecret>('app/db');
    expect(latest?.data.password).toBe('two');
    expect(latest?.metadata?.version).toBe(2);
    expect((await kv.get<DbSecret>('app/db', { version: 1 }))?.data.password).toBe('one');
    expect((await kv.patch<DbSecret>('app/db', { port: 5432 })).version).toBe(3);
    expect((await kv.get<DbSecret>('app/db'))?.data).toEqual({ username: 'app', password: 'two', port: 5432 });
    await kv.delete('app/db');
    expect(await kv.get('app/db')).toBeUndefined();
    await kv.undelete('app/db', [3]);
    expect((await kv.get<DbSecret>('app/db'))?.data.port).toBe(5432);
    await kv.destroy('app/db', [1]);
    expect(await kv.get('app/db', { version: 1 })).toBeUndefined();
    expect(await kv.list('app')).toEqual(['db']);
    expect(await kv.list()).toEqual(['app/']);
    expect((await kv.metadata('app/db'))?.current_version).toBe(3);
    await kv.deleteMetadata('app/db');
    expect(await kv.metadata('app/db')).toBeUndefined();
    expect(await kv.list()).toEqual([]);
    await vault.close();
  });

  it('serves KV version 1 on a plain kv mount and its generic alias', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/mounts/kv1', { type: 'kv' });
    await h.req('update', 'sys/mounts/old', { type: 'generic' });
    for (const mount of ['kv1', 'old']) {
      const kv = h.vault.kv(mount, { token: h.token });
      expect(await kv.put('svc', { api_token: 'secretvalue' })).toBeUndefined();
      expect(await kv.get('svc')).toEqual({ data: { api_token: 'secretvalue' } });
      expect(await kv.list()).toEqual(['svc']);
      await kv.delete('svc');
      expect(await kv.get('svc')).toBeUndefined();
      await expect(kv.patch('svc', {})).rejects.toThrow(TypeError);
    }
    expect(((await h.req('read', 'sys/mounts')).data!['old/'] as { type: string }).type).toBe('kv');
  });

  it('mounts kv-v2 as kv with version 2', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/mounts/v2', { type: 'kv-v2' });
    expect((await h.req('read', 'sys/mounts/v2')).data).toMatchObject({ type: 'kv', options: { version: '2' } });
    await h.req('update', 'v2/data/x', { data: { a: 1 } });
    expect((await h.req('read', 'v2/data/x')).data!.data).toEqual({ a: 1 });
  });

  it('upgrades a v1 mount to v2 when tuned, keeping its data as version 1', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/mounts/kv', { type: 'kv' });
    await h.req('update', 'kv/myservice', { api_token: 'secretvalue' });
    const tuned = await h.req('update', 'sys/mounts/kv/tune', { options: { version: '2' } });
    expect(tuned.warnings).toEqual(['Upgrading mount from version 1 to version 2. This mount will be unavailable for a brief period and will resume service shortly.']);
    const read = await h.req('read', 'kv/data/myservice');
    expect(read.data).toMatchObject({ data: { api_token: 'secretvalue' }, metadata: { version: 1 } });
    await expectVaultError(h.req('update', 'sys/mounts/kv/tune', { options: { version: '1' } }), 400, 'cannot downgrade mount from KV version 2 to KV version 1');
  });

  it('keeps KV values out of raw storage', async () => {
    const { MemoryStorage } = await import('@coffer/storage');
    const storage = new MemoryStorage();
    const vault = await createVault({ storage, dev: true, clock: new TestClock() });
    await vault.kv('secret').put('app', { password: 'kv-canary-5e1f' });
    for (const [, value] of storage.entries()) expect(Buffer.from(value).toString('latin1')).not.toContain('kv-canary-5e1f');
    await vault.close();
  });
});

describe('check-and-set is atomic in storage on every adapter', () => {
  async function race(vault: Awaited<ReturnType<typeof createVault>>, token: string): Promise<void> {
    await vault.handle({ operation: 'update', path: 'secret/data/counter', token, data: { data: { n: 0 } } });
    for (const version of [1, 2, 3]) {
      const writers = Array.from({ length: 200 }, (_, i) =>
        vault.handle({ operation: 'update', path: 'secret/data/counter', token, data: { data: { n: i }, options: { cas: version } } }),
      );
      const outcomes = await Promise.allSettled(writers);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.every((o) => o.reason instanceof VaultError && o.reason.status === 400)).toBe(true);
    }
    const meta = await vault.handle({ operation: 'read', path: 'secret/metadata/counter', token });
    expect(meta.data!.current_version).toBe(4);
  }

  it('memory storage (transactions through the barrier): one winner per version among 200 writers', async () => {
    const vault = await createVault({ dev: { rootTokenId: 'root' }, clock: new TestClock() });
    await race(vault, 'root');
    await vault.close();
  });

  it('file storage (one process, serialised per key): one winner per version among 200 writers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-kv-cas-'));
    try {
      const storage = await createFileStorage({ path: dir });
      const vault = await createVault({ storage, clock: new TestClock() });
      const { keys, root_token: token } = await vault.init({ secretShares: 1, secretThreshold: 1 });
      await vault.unseal(keys[0]!);
      await vault.handle({ operation: 'update', path: 'sys/mounts/secret', token, data: { type: 'kv', options: { version: '2' } } });
      await race(vault, token);
      await vault.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
