// Leases through handle(): issued with secrets, looked up, renewed within their max, revoked on expiry, by token and by prefix (vault-api.md §1.4, §2.4).
import { describe, expect, it } from 'vitest';
import { formatRfc3339Nano } from '@coffer/sdk';
import { MemoryStorage } from '@coffer/storage';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { createVault } from './vault.js';
import { createLeaseEngine, type LeaseEngine } from './testing/lease-engine.js';
import { expectVaultError, unsealedVault, type Harness } from './testing/helpers.js';

const HOUR = 3600;

async function withEngine(storage = new MemoryStorage()): Promise<{ h: Harness; engine: LeaseEngine }> {
  const engine = createLeaseEngine();
  const h = await unsealedVault({ storage, engines: { leasing: { factory: engine.factory, kind: 'secret' } } });
  await h.req('update', 'sys/mounts/db', { type: 'leasing' });
  return { h, engine };
}

/** Lets background revocations finish: TestClock.advance settles the promises timers start. */
async function settle(h: Harness): Promise<void> {
  await h.clock.advance(0);
}

describe('leases on secrets', () => {
  it('puts a secret under a lease named after the request path, with the mount default TTL', async () => {
    const { h } = await withEngine();
    const creds = await h.req('read', 'db/creds/ro');
    expect(creds.leaseId).toMatch(/^db\/creds\/ro\/[0-9A-Za-z]{24}$/);
    expect(creds).toMatchObject({ leaseDurationSec: 768 * HOUR, renewable: true, data: { username: 'v-ro-1' } });
    const lookup = await h.req('update', 'sys/leases/lookup', { lease_id: creds.leaseId });
    expect(lookup.data).toEqual({
      id: creds.leaseId,
      issue_time: formatRfc3339Nano(h.clock.now()),
      expire_time: formatRfc3339Nano(h.clock.now() + 768 * HOUR * 1000),
      last_renewal: null,
      renewable: true,
      ttl: 768 * HOUR,
    });
    await expectVaultError(h.req('update', 'sys/leases/lookup', { lease_id: 'db/creds/ro/nope' }), 400, 'invalid lease');
  });

  it('caps the TTL at the mount\'s max with a warning', async () => {
    const { h } = await withEngine();
    await h.req('update', 'sys/mounts/db/tune', { max_lease_ttl: '2h', default_lease_ttl: '1h' });
    expect((await h.req('read', 'db/creds/ro')).leaseDurationSec).toBe(HOUR);
    const long = await h.req('read', 'db/creds/ro', { ttl: '5h' });
    expect(long.leaseDurationSec).toBe(2 * HOUR);
    expect(long.warnings).toContain('TTL of "5h" exceeded the effective max_ttl of "2h"; TTL value is capped accordingly');
  });

  it('revokes the secret in its backend when the lease expires, and not before', async () => {
    const { h, engine } = await withEngine();
    const creds = await h.req('read', 'db/creds/ro', { ttl: '10m' });
    await h.clock.advance(10 * 60 * 1000 - 1);
    expect(engine.revoked).toEqual([]);
    await h.clock.advance(1);
    expect(engine.revoked).toEqual(['v-ro-1']);
    await expectVaultError(h.req('update', 'sys/leases/lookup', { lease_id: creds.leaseId }), 400, 'invalid lease');
  });

  it('renews within issue time + max TTL, however often it is renewed (CVE-2021-32923)', async () => {
    const { h, engine } = await withEngine();
    const creds = await h.req('read', 'db/creds/ro', { ttl: '1h', max_ttl: '3h' });
    await h.clock.advance(50 * 60 * 1000);
    const renewed = await h.req('update', 'sys/leases/renew', { lease_id: creds.leaseId, increment: '1h' });
    expect(renewed).toMatchObject({ leaseId: creds.leaseId, leaseDurationSec: HOUR, renewable: true, data: null });
    expect(engine.renewed).toEqual(['v-ro-1']);
    const deadline = h.clock.now() - 50 * 60 * 1000 + 3 * HOUR * 1000;
    for (let i = 0; i < 10 && h.clock.now() + 50 * 60 * 1000 < deadline; i++) {
      await h.clock.advance(50 * 60 * 1000);
      const again = await h.req('update', `sys/leases/renew/${creds.leaseId}`, { increment: 3600 });
      expect(h.clock.now() + again.leaseDurationSec * 1000).toBeLessThanOrEqual(deadline);
    }
    await h.clock.advance(deadline - h.clock.now());
    expect(engine.revoked).toEqual(['v-ro-1']);
    await expectVaultError(h.req('update', 'sys/leases/renew', { lease_id: creds.leaseId }), 400);
  });

  it('refuses to renew a token lease through sys/leases', async () => {
    const { h } = await withEngine();
    const token = await h.req('update', 'auth/token/create', { ttl: '1h' });
    const ids = (await h.req('list', 'sys/leases/lookup/auth/token/create/')).data!.keys as string[];
    expect(ids).toHaveLength(1);
    await expectVaultError(h.req('update', 'sys/leases/renew', { lease_id: `auth/token/create/${ids[0]}` }), 400, 'tokens cannot be renewed through this endpoint');
    expect(token.auth!.lease_duration).toBe(HOUR);
  });

  it('revokes synchronously by default, and queues with sync=false', async () => {
    const { h, engine } = await withEngine();
    const a = await h.req('read', 'db/creds/ro');
    expect((await h.req('update', 'sys/leases/revoke', { lease_id: a.leaseId })).status).toBe(204);
    expect(engine.revoked).toEqual(['v-ro-1']);
    const b = await h.req('read', 'db/creds/ro');
    expect((await h.req('update', `sys/leases/revoke/${b.leaseId}`, { sync: false })).status).toBe(202);
    await settle(h);
    expect(engine.revoked).toEqual(['v-ro-1', 'v-ro-2']);
    expect((await h.req('update', 'sys/revoke', { lease_id: 'db/creds/ro/unknown' })).status).toBe(204);
  });

  it('lists lease ids by prefix, with sudo', async () => {
    const { h } = await withEngine();
    const a = await h.req('read', 'db/creds/ro');
    await h.req('read', 'db/creds/rw');
    expect((await h.req('list', 'sys/leases/lookup/db/creds/')).data).toEqual({ keys: ['ro/', 'rw/'] });
    expect((await h.req('list', 'sys/leases/lookup/db/creds/ro/')).data).toEqual({ keys: [a.leaseId.split('/').pop()] });
    await h.req('update', 'sys/policies/acl/leases', { policy: 'path "sys/leases/lookup/*" { capabilities = ["list"] }' });
    const token = (await h.req('update', 'auth/token/create', { policies: ['leases'] })).auth!.client_token;
    await expectVaultError(h.req('list', 'sys/leases/lookup/db/creds/', undefined, token), 403);
  });

  it('revokes by prefix, and by force when the backend fails', async () => {
    const { h, engine } = await withEngine();
    const ro = await h.req('read', 'db/creds/ro');
    await h.req('read', 'db/creds/ro');
    const rw = await h.req('read', 'db/creds/rw');
    expect((await h.req('update', 'sys/leases/revoke-prefix/db/creds/ro')).status).toBe(204);
    expect(engine.revoked.sort()).toEqual(['v-ro-1', 'v-ro-2']);
    await expectVaultError(h.req('update', 'sys/leases/lookup', { lease_id: ro.leaseId }), 400, 'invalid lease');
    engine.failRevoke = true;
    await expectVaultError(h.req('update', 'sys/leases/revoke-prefix/db/creds/rw'), 500);
    expect((await h.req('update', 'sys/leases/lookup', { lease_id: rw.leaseId })).data!.id).toBe(rw.leaseId);
    expect((await h.req('update', 'sys/leases/revoke-force/db/creds/rw')).status).toBe(204);
    await expectVaultError(h.req('update', 'sys/leases/lookup', { lease_id: rw.leaseId }), 400, 'invalid lease');
  });

  it('counts and lists irrevocable leases (sys/leases/count, sys/leases with sudo)', async () => {
    const { h, engine } = await withEngine();
    const creds = await h.req('read', 'db/creds/ro', { ttl: '1m' });
    await h.req('read', 'db/creds/rw', { ttl: '1h' });
    expect((await h.req('read', 'sys/leases/count', { type: 'irrevocable' })).data).toEqual({ lease_count: 0, counts: {} });
    engine.failRevoke = true;
    await h.clock.advance(60_000);
    // Six attempts with doubling backoff from 10 s: past the last one the lease is irrevocable.
    for (let i = 0; i < 8; i++) await h.clock.advance(5 * 60_000);
    const listed = (await h.req('read', 'sys/leases', { type: 'irrevocable' })).data!;
    expect(listed.lease_count).toBe(1);
    expect(listed.leases).toEqual([{ lease_id: creds.leaseId, mount_id: expect.any(String), error: expect.stringContaining('connection refused') }]);
    expect((await h.req('read', 'sys/leases/count', { type: 'irrevocable' })).data!.lease_count).toBe(1);
    await expectVaultError(h.req('read', 'sys/leases/count', { type: 'all' }), 400);
    // Kept in storage and still visible by id.
    expect((await h.req('update', 'sys/leases/lookup', { lease_id: creds.leaseId })).data!.id).toBe(creds.leaseId);
  });

  it('keeps a lease whose revocation fails, retrying with backoff, never dropping it', async () => {
    const { h, engine } = await withEngine();
    const creds = await h.req('read', 'db/creds/ro', { ttl: '1m' });
    engine.failRevoke = true;
    await h.clock.advance(60_000);
    const failed = (await h.req('update', 'sys/leases/lookup', { lease_id: creds.leaseId })).data!;
    expect(failed.revoke_error).toContain('connection refused');
    expect(engine.revoked).toEqual([]);
    engine.failRevoke = false;
    await h.clock.advance(10 * 60 * 1000);
    expect(engine.revoked).toEqual(['v-ro-1']);
    await expectVaultError(h.req('update', 'sys/leases/lookup', { lease_id: creds.leaseId }), 400, 'invalid lease');
  });
});

describe('leases and tokens', () => {
  it('revokes a token\'s leases, and its children\'s, when the token is revoked', async () => {
    const { h, engine } = await withEngine();
    const parent = (await h.req('update', 'auth/token/create', { policies: ['root'] })).auth!.client_token;
    const child = (await h.req('update', 'auth/token/create', { policies: ['root'] }, parent)).auth!.client_token;
    await h.req('read', 'db/creds/p', undefined, parent);
    await h.req('read', 'db/creds/c', undefined, child);
    const other = await h.req('read', 'db/creds/other');
    await h.req('update', 'auth/token/revoke', { token: parent });
    await settle(h);
    expect(engine.revoked.sort()).toEqual(['v-c-2', 'v-p-1']);
    expect((await h.req('update', 'sys/leases/lookup', { lease_id: other.leaseId })).data!.id).toBe(other.leaseId);
  });

  it('revokes a token and its leases when its own TTL runs out', async () => {
    const { h, engine } = await withEngine();
    const token = (await h.req('update', 'auth/token/create', { policies: ['root'], ttl: '30m' })).auth!.client_token;
    const child = (await h.req('update', 'auth/token/create', { policies: ['root'], ttl: '10h' }, token)).auth!.client_token;
    await h.req('read', 'db/creds/t', undefined, token);
    await h.clock.advance(30 * 60 * 1000);
    await settle(h);
    expect(engine.revoked).toEqual(['v-t-1']);
    await expectVaultError(h.req('read', 'auth/token/lookup-self', undefined, child), 403);
  });

  it('revokes what the last use of a token obtained and says so', async () => {
    const { h, engine } = await withEngine();
    const token = (await h.req('update', 'auth/token/create', { policies: ['root'], num_uses: 1 })).auth!.client_token;
    await expectVaultError(
      h.req('read', 'db/creds/once', undefined, token),
      400,
      'Secret cannot be returned; token had one use left, so leased credentials were immediately revoked.',
    );
    expect(engine.revoked).toEqual(['v-once-1']);
  });

  it('ties a batch token\'s leases to its parent and never lets them outlive the batch token (CVE-2020-25816)', async () => {
    const { h, engine } = await withEngine();
    await h.req('update', 'sys/policies/acl/creds', { policy: 'path "db/creds/*" { capabilities = ["read"] }' });
    const parent = (await h.req('update', 'auth/token/create', { policies: ['root'] })).auth!.client_token;
    const batch = (await h.req('update', 'auth/token/create', { type: 'batch', policies: ['creds'], ttl: '30m' }, parent)).auth!.client_token;
    const creds = await h.req('read', 'db/creds/b', { ttl: '2h' }, batch);
    expect(creds.leaseDurationSec).toBe(30 * 60);
    const orphan = (await h.req('update', 'auth/token/create-orphan', { type: 'batch', policies: ['creds'], ttl: '10m' })).auth!.client_token;
    const orphanCreds = await h.req('read', 'db/creds/o', undefined, orphan);
    expect(orphanCreds.leaseDurationSec).toBe(10 * 60);
    await h.req('update', 'auth/token/revoke', { token: parent });
    await settle(h);
    expect(engine.revoked).toEqual(['v-b-1']);
    await h.clock.advance(10 * 60 * 1000);
    expect(engine.revoked).toEqual(['v-b-1', 'v-o-2']);
  });

  it('revokes a mount\'s leases before the mount is disabled', async () => {
    const { h, engine } = await withEngine();
    await h.req('read', 'db/creds/ro');
    await h.req('read', 'db/creds/rw');
    expect((await h.req('delete', 'sys/mounts/db')).status).toBe(204);
    expect(engine.revoked.sort()).toEqual(['v-ro-1', 'v-rw-2']);
  });
});

describe('leases across seal and restart', () => {
  it('comes back after seal/unseal with its timer, and expires on time', async () => {
    const { h, engine } = await withEngine();
    const creds = await h.req('read', 'db/creds/ro', { ttl: '1h' });
    await h.vault.seal();
    await h.vault.unseal(h.keys[0]!);
    await h.vault.unseal(h.keys[1]!);
    expect((await h.req('update', 'sys/leases/lookup', { lease_id: creds.leaseId })).data!.ttl).toBe(HOUR);
    await h.clock.advance(HOUR * 1000);
    expect(engine.revoked).toEqual(['v-ro-1']);
  });

  it('survives a restart on the same storage, revoking what expired while it was down', async () => {
    const storage = new MemoryStorage();
    const engine = createLeaseEngine();
    const clock = new TestClock();
    const engines = { leasing: { factory: engine.factory, kind: 'secret' as const } };
    const first = await createVault({ storage, clock, random: seededRandom(3), engines });
    const init = await first.init({ secretShares: 1, secretThreshold: 1 });
    await first.unseal(init.keys[0]!);
    await first.handle({ operation: 'update', path: 'sys/mounts/db', token: init.root_token, data: { type: 'leasing' } });
    const short = await first.handle({ operation: 'read', path: 'db/creds/short', token: init.root_token, data: { ttl: '1m' } });
    const long = await first.handle({ operation: 'read', path: 'db/creds/long', token: init.root_token, data: { ttl: '1h' } });
    await first.close();
    expect(engine.revoked).toEqual([]);

    await clock.advance(5 * 60 * 1000);
    const second = await createVault({ storage, clock, random: seededRandom(4), engines });
    await second.unseal(init.keys[0]!);
    await clock.advance(0);
    expect(engine.revoked).toEqual(['v-short-1']);
    const lookup = await second.handle({ operation: 'update', path: 'sys/leases/lookup', token: init.root_token, data: { lease_id: long.leaseId } });
    expect(lookup.data!.ttl).toBe(55 * 60);
    await expectVaultError(second.handle({ operation: 'update', path: 'sys/leases/lookup', token: init.root_token, data: { lease_id: short.leaseId } }), 400);
    await second.close();
  });
});
