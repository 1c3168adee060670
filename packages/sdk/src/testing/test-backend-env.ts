// A BackendEnv for engine tests: memory storage, a TestClock, seeded randomness, a silent logger, a fixed mount.
import { MemoryStorage } from '@coffer/storage';
import { nodeCrypto } from '../crypto-node.js';
import { createSilentLogger } from '../logger.js';
import type { BackendEnv, MountInfo } from '../request.js';
import { seededRandom } from './seeded-random.js';
import { TestClock } from './test-clock.js';

/** Vault's system default and max lease TTL (768h). */
const SYSTEM_TTL_SEC = 2_764_800;

export function createTestBackendEnv(mount: Partial<MountInfo> = {}): BackendEnv {
  const info: MountInfo = {
    path: 'test/',
    type: 'test',
    uuid: '00000000-0000-4000-8000-000000000000',
    accessor: 'test_0000',
    defaultLeaseTtlSec: SYSTEM_TTL_SEC,
    maxLeaseTtlSec: SYSTEM_TTL_SEC,
    options: {},
    ...mount,
  };
  return {
    storage: new MemoryStorage(),
    clock: new TestClock(),
    random: seededRandom(1),
    crypto: nodeCrypto,
    logger: createSilentLogger(),
    mount: () => info,
  };
}
