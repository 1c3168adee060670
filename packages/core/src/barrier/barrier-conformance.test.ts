// The barrier is itself a Storage: it passes the shared adapter conformance suite, transactions included.
import { MemoryStorage } from '@coffer/storage';
import { runStorageConformance } from '@coffer/storage/testing';
import { nodeCrypto } from '@coffer/sdk';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { createStorageView } from '../storage-view.js';
import { createSecurityBarrier } from './security-barrier.js';

async function barrierOver(storage: MemoryStorage) {
  const barrier = createSecurityBarrier({ storage, crypto: nodeCrypto, random: seededRandom(5), clock: new TestClock() });
  await barrier.initialize(seededRandom(6).bytes(32), 'core/keyring/1');
  // A view keeps the keyring out of the keys the suite sees.
  return createStorageView(barrier, 'data/');
}

runStorageConformance('barrier over MemoryStorage', async () => ({ storage: await barrierOver(new MemoryStorage()) }));
