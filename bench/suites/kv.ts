// P2 and P3: KV v2 read and write through handle(), token and ACL included, against performance.md §7's floors.
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { createVault } from 'coffer';
import type { Crypto } from '@coffer/sdk';
import { cryptoCensus } from '../crypto-census.js';
import { compare, formatTable, judge, type BenchOptions, type GoalOutcome } from '../harness.js';

const SECRET = { username: 'app', password: 'correct horse battery staple', url: 'postgres://db.internal:5432/app', ttl: 3600 };

/** Map.get + GCM open + JSON.parse: the least any encrypted store does to read a secret. */
export function readFloor() {
  const key = randomFillSync(new Uint8Array(32));
  const aad = Buffer.from('secret/data/app');
  const nonce = randomFillSync(new Uint8Array(12));
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad);
  const body = Buffer.concat([cipher.update(JSON.stringify({ data: SECRET, version: 1 })), cipher.final()]);
  const map = new Map([['app', { nonce, body, tag: cipher.getAuthTag() }]]);
  return () => {
    const entry = map.get('app')!;
    const decipher = createDecipheriv('aes-256-gcm', key, entry.nonce).setAAD(aad).setAuthTag(entry.tag);
    return JSON.parse(Buffer.concat([decipher.update(entry.body), decipher.final()]).toString()) as unknown;
  };
}

/** JSON.stringify + GCM seal with a fresh nonce + Map.set. */
export function writeFloor() {
  const key = randomFillSync(new Uint8Array(32));
  const aad = Buffer.from('secret/data/app');
  const map = new Map<string, Buffer>();
  return () => {
    const nonce = randomFillSync(new Uint8Array(12));
    const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad);
    map.set('app', Buffer.concat([cipher.update(JSON.stringify({ data: SECRET, version: 1 })), cipher.final(), cipher.getAuthTag()]));
  };
}

/** A dev vault with one secret and a token whose policy reads and writes it; its read and write. */
async function kvFixture(crypto?: Crypto) {
  const vault = await createVault({ dev: { rootTokenId: 'root' }, ...(crypto ? { crypto } : {}) });
  await vault.handle({ operation: 'update', path: 'sys/policies/acl/app', token: 'root', data: { policy: 'path "secret/data/app" { capabilities = ["read", "create", "update"] }' } });
  const token = (await vault.handle({ operation: 'update', path: 'auth/token/create', token: 'root', data: { policies: ['app'] } })).auth!.client_token;
  await vault.handle({ operation: 'update', path: 'secret/config', token: 'root', data: { max_versions: 5 } });
  await vault.handle({ operation: 'update', path: 'secret/data/app', token, data: { data: SECRET } });
  return {
    vault,
    read: () => vault.handle({ operation: 'read', path: 'secret/data/app', token }),
    write: () => vault.handle({ operation: 'update', path: 'secret/data/app', token, data: { data: SECRET } }),
  };
}

export async function kvSuite(options: BenchOptions): Promise<{ report: string; outcomes: GoalOutcome[] }> {
  const { vault, read, write } = await kvFixture();

  const [readBase, readSubject] = await compare(
    [
      { name: 'floor: Map.get + GCM decrypt + JSON.parse', run: readFloor() },
      { name: 'KV v2 read via handle(), token + ACL', run: read },
    ],
    options,
  );
  const [writeBase, writeSubject] = await compare(
    [
      { name: 'floor: JSON.stringify + GCM encrypt + Map.set', run: writeFloor() },
      { name: 'KV v2 write via handle(), token + ACL', run: write },
    ],
    options,
  );
  await vault.close();
  // Apart from the ratios: the write's cryptography, inside requests and in a tight loop.
  const census = cryptoCensus();
  const timed = await kvFixture(census.crypto);
  const writeCrypto = await census.measure(timed.write, (options.samples ?? 11) < 11 ? 2000 : 10_000);
  await timed.vault.close();
  return {
    report:
      formatTable('P2 KV v2 read', [readBase!, readSubject!]) +
      formatTable('P3 KV v2 write', [writeBase!, writeSubject!]) +
      `\n#### P3: the cryptography of one write\n\n${writeCrypto}`,
    outcomes: [
      judge({ id: 'P2', description: 'KV v2 read (token + ACL)', floor: readBase!, subject: readSubject!, minRatio: 0.35 }),
      judge({ id: 'P3', description: 'KV v2 write (token + ACL)', floor: writeBase!, subject: writeSubject!, minRatio: 0.3 }),
    ],
  };
}
