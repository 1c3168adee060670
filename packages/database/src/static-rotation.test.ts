// Static rotation on the clock: retries after failures, and rotation windows (Vault's IsInsideRotationWindow).
import { describe, expect, it } from 'vitest';
import { createTestBackendEnv, TestClock } from '@coffer/sdk/testing';
import type { ConnectionRegistry } from './connection-registry.js';
import { staticRoles, type StaticRole } from './database-storage.js';
import { DatabaseOperationError } from './postgres-database.js';
import { StaticRotations } from './static-rotation.js';

const HOUR = 3_600_000;

function setup(startMs: number) {
  const clock = new TestClock(startMs);
  const env = { ...createTestBackendEnv(), clock };
  const attempts: number[] = [];
  let databaseUp = false;
  const database = {
    async changePassword() {
      attempts.push(clock.now());
      if (!databaseUp) throw new DatabaseOperationError('connect ECONNREFUSED', true);
    },
  };
  const registry = { get: async () => ({ config: { passwordPolicy: '' }, database }) } as unknown as ConnectionRegistry;
  let passwords = 0;
  const rotations = new StaticRotations(env, registry, { generate: async () => `password-${++passwords}` });
  return { clock, env, rotations, attempts, up: () => (databaseUp = true) };
}

describe('static rotations on the clock', () => {
  it('a scheduled rotation that keeps failing stops retrying when its window closes, and waits for the next time', async () => {
    const twoAm = Date.UTC(2026, 10, 23, 2, 0, 0);
    const { clock, env, rotations, attempts, up } = setup(twoAm - 60_000);
    const role: StaticRole = {
      dbName: 'db', username: 'app', rotationPeriodSec: 0, rotationSchedule: '0 2 * * *', rotationWindowSec: 3600,
      rotationStatements: [], credentialType: 'password', credentialConfig: {}, password: 'old', lastVaultRotationMs: twoAm - 24 * HOUR,
    };
    await staticRoles.write(env.storage, 'nightly', role);
    await rotations.start();
    // The database is down from 02:00 until 09:00.
    await clock.advance(2 * 60_000);
    await clock.advance(7 * HOUR);
    const inWindow = attempts.filter((at) => at >= twoAm && at <= twoAm + HOUR);
    expect(inWindow.length).toBeGreaterThan(300);
    expect(attempts.every((at) => at <= twoAm + HOUR + 10_000)).toBe(true);
    up();
    await clock.advance(HOUR);
    expect((await staticRoles.read(env.storage, 'nightly'))!.password).toBe('old');
    // The next night, inside the window, it rotates.
    await clock.advance(twoAm + 24 * HOUR - clock.now());
    expect((await staticRoles.read(env.storage, 'nightly'))!.lastVaultRotationMs).toBe(twoAm + 24 * HOUR);
    await rotations.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
