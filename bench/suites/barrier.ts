// P1: a barrier put/get of one entry against raw node:crypto AES-256-GCM on the same bytes.
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { createSecurityBarrier } from '@coffer/core';
import { createSystemClock, createSystemRandom, nodeCrypto } from '@coffer/sdk';
import { MemoryStorage } from '@coffer/storage';
import { compare, formatTable, judge, type BenchOptions, type GoalOutcome } from '../harness.js';

const KEY = 'bench/entry';
const SIZES: [label: string, bytes: number][] = [
  ['64 B', 64],
  ['1 KiB', 1024],
  ['64 KiB', 65536],
];

/**
 * The floor: what any encrypted store must do per entry. Put = fresh 96-bit nonce, GCM seal with
 * the key as associated data, Map.set; get = Map.get, GCM open. It is judged awaited, the way a
 * `Storage` is called (DESIGN.md §4: storage is asynchronous, so every barrier call costs one
 * await whatever the barrier does); the synchronous row beside it shows what that await costs.
 */
function rawGcmFloor(value: Uint8Array) {
  const key = randomFillSync(new Uint8Array(32));
  const aad = Buffer.from(KEY);
  const map = new Map<string, { nonce: Uint8Array; body: Buffer; tag: Buffer }>();
  const put = () => {
    const nonce = randomFillSync(new Uint8Array(12));
    const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad);
    const body = Buffer.concat([cipher.update(value), cipher.final()]);
    map.set(KEY, { nonce, body, tag: cipher.getAuthTag() });
  };
  const get = () => {
    const entry = map.get(KEY)!;
    const decipher = createDecipheriv('aes-256-gcm', key, entry.nonce).setAAD(aad).setAuthTag(entry.tag);
    return Buffer.concat([decipher.update(entry.body), decipher.final()]);
  };
  put();
  return { put, get };
}

async function openBarrier(cache?: false) {
  const barrier = createSecurityBarrier({ storage: new MemoryStorage(), crypto: nodeCrypto, random: createSystemRandom(), clock: createSystemClock(), ...(cache === false ? { cache } : {}) });
  await barrier.initialize(randomFillSync(new Uint8Array(32)), 'core/keyring');
  return barrier;
}

/**
 * Puts are judged on the barrier as a vault runs it (its plaintext cache on). Gets are judged
 * without the cache, the path a first read takes through GCM; the cached get is shown beside.
 */
export async function barrierSuite(options: BenchOptions): Promise<{ report: string; outcomes: GoalOutcome[] }> {
  const barrier = await openBarrier();
  const uncached = await openBarrier(false);
  let report = '';
  const outcomes: GoalOutcome[] = [];
  for (const [label, bytes] of SIZES) {
    const value = randomFillSync(new Uint8Array(bytes));
    const floor = rawGcmFloor(value);
    await barrier.put(KEY, value);
    await uncached.put(KEY, value);
    const [floorPut, barrierPut, syncPut, floorGet, barrierGet, syncGet, cachedGet] = await compare(
      [
        { name: `raw GCM put ${label}, awaited`, run: async () => floor.put() },
        { name: `barrier put ${label}`, run: () => barrier.put(KEY, value) },
        { name: `raw GCM put ${label}, synchronous`, run: floor.put },
        { name: `raw GCM get ${label}, awaited`, run: async () => floor.get() },
        { name: `barrier get ${label}, through GCM (cache off)`, run: () => uncached.get(KEY) },
        { name: `raw GCM get ${label}, synchronous`, run: floor.get },
        { name: `barrier get ${label}, from the plaintext cache`, run: () => barrier.get(KEY) },
      ],
      options,
    );
    report += formatTable(`P1 barrier put, ${label}`, [floorPut!, barrierPut!, syncPut!]);
    report += formatTable(`P1 barrier get, ${label}`, [floorGet!, barrierGet!, syncGet!, cachedGet!]);
    outcomes.push(judge({ id: 'P1', description: `barrier put ${label}`, floor: floorPut!, subject: barrierPut!, minRatio: 0.9 }));
    outcomes.push(judge({ id: 'P1', description: `barrier get ${label}`, floor: floorGet!, subject: barrierGet!, minRatio: 0.9 }));
  }
  await barrier.seal();
  await uncached.seal();
  return { report, outcomes };
}
