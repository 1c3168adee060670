// The barrier is itself a Storage: it passes the shared adapter conformance suite, transactions included, with and without its cache.
import { MemoryStorage } from '@coffer/storage';
import { runStorageConformance } from '@coffer/storage/testing';
import { nodeCrypto } from '@coffer/sdk';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { createStorageView } from '../storage-view.js';
import { createSecurityBarrier } from './security-barrier.js';

async function barrierOver(storage: MemoryStorage, cache?: false) {
  const barrier = createSecurityBarrier({ storage, crypto: nodeCrypto, random: seededRandom(5), clock: new TestClock(), ...(cache === false ? { cache } : {}) });
  await barrier.initialize(seededRandom(6).bytes(32), 'core/keyring/1');
  // A view keeps the keyring out of the keys the suite sees.
  return createStorageView(barrier, 'data/');
}

runStorageConformance('barrier over MemoryStorage (plaintext cache on, the default)', async () => ({ storage: await barrierOver(new MemoryStorage()) }));
runStorageConformance('barrier over MemoryStorage without the plaintext cache', async () => ({ storage: await barrierOver(new MemoryStorage(), false) }));
