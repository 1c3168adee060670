// sys/health and sys/leader: status codes, overrides and shapes in every state (vault-api.md S6, S7).
import { describe, expect, it } from 'vitest';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { createVault } from './vault.js';
import { expectVaultError, unsealedVault } from './testing/helpers.js';

const health = (query: Record<string, unknown> = {}) => ({ operation: 'read' as const, path: 'sys/health', data: query });

describe('sys/health', () => {
  it('answers 501 before init, 503 sealed, 200 unsealed, without a token', async () => {
    const vault = await createVault({ clock: new TestClock(), random: seededRandom(7) });
    const uninit = await vault.handle(health());
    expect(uninit.status).toBe(501);
    expect(uninit.raw).toMatchObject({ initialized: false, sealed: true, standby: false, performance_standby: false, replication_performance_mode: 'disabled', replication_dr_mode: 'disabled', enterprise: false });
    const { keys } = await vault.init({ secretShares: 1, secretThreshold: 1 });
    const sealed = await vault.handle(health());
    expect(sealed.status).toBe(503);
    expect(sealed.raw).toMatchObject({ initialized: true, sealed: true });
    expect(sealed.raw).not.toHaveProperty('cluster_id');
    await vault.unseal(keys[0]!);
    const active = await vault.handle(health());
    expect(active.status).toBe(200);
    expect(active.raw).toMatchObject({ initialized: true, sealed: false, version: expect.any(String), cluster_name: expect.stringMatching(/^vault-cluster-/), cluster_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('reports server time from the injected clock', async () => {
    const h = await unsealedVault();
    const res = await h.vault.handle(health());
    expect((res.raw as { server_time_utc: number }).server_time_utc).toBe(Math.floor(h.clock.now() / 1000));
  });

  it('honours status overrides in each state and refuses non-numeric codes', async () => {
    const vault = await createVault({ clock: new TestClock(), random: seededRandom(8) });
    expect((await vault.handle(health({ uninitcode: '299' }))).status).toBe(299);
    const { keys } = await vault.init({ secretShares: 1, secretThreshold: 1 });
    expect((await vault.handle(health({ sealedcode: 299 }))).status).toBe(299);
    await vault.unseal(keys[0]!);
    expect((await vault.handle(health({ activecode: '204' }))).status).toBe(204);
    expect((await vault.handle(health({ standbyok: 'true', standbycode: '200' }))).status).toBe(200);
    await expectVaultError(vault.handle(health({ sealedcode: 'abc' })), 400);
    await expectVaultError(vault.handle(health({ activecode: '2.5' })), 400);
  });
});

describe('sys/leader', () => {
  it('reports a single node without HA, sealed or not', async () => {
    const vault = await createVault();
    const res = await vault.handle({ operation: 'read', path: 'sys/leader' });
    expect(res.raw).toEqual({
      ha_enabled: false,
      is_self: false,
      active_time: '0001-01-01T00:00:00Z',
      leader_address: '',
      leader_cluster_address: '',
      performance_standby: false,
      performance_standby_last_remote_wal: 0,
    });
  });
});
