// P12: an ephemeral vault (createVault + init 5/3 + unseal) against the bare lifecycle floor.
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { combine, split } from 'shamir-secret-sharing';
import { createVault } from 'coffer';
import { compare, formatTable, judge, type BenchOptions, type GoalOutcome } from '../harness.js';

const CORE_TABLES = ['core/mounts', 'core/auth', 'core/audit', 'core/local-mounts', 'core/local-auth', 'sys/token/id/root'];

function seal(key: Uint8Array, plain: Uint8Array, aad: string): Uint8Array {
  const nonce = randomFillSync(new Uint8Array(12));
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(Buffer.from(aad));
  return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function open(key: Uint8Array, sealed: Uint8Array, aad: string): Uint8Array {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12)).setAAD(Buffer.from(aad));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
}

/**
 * The floor of performance.md §10: the crypto and storage work a vault's life from init to
 * unsealed cannot avoid, with nothing else. A root key seals the keyring; the root key is split
 * 5/3 and recombined from 3 shares; 5 core tables and a root token entry are written through
 * GCM, then the keyring is opened and everything re-read.
 */
async function lifecycleFloor(): Promise<void> {
  const store = new Map<string, Uint8Array>();
  const rootKey = randomFillSync(new Uint8Array(32));
  const barrierKey = randomFillSync(new Uint8Array(32));
  store.set('core/keyring', seal(rootKey, barrierKey, 'core/keyring'));
  const shares = await split(rootKey, 5, 3);
  for (const path of CORE_TABLES) store.set(path, seal(barrierKey, Buffer.from(JSON.stringify({ type: 'table', entries: [] })), path));
  const recovered = await combine(shares.slice(0, 3));
  const key = open(recovered, store.get('core/keyring')!, 'core/keyring');
  for (const path of CORE_TABLES) JSON.parse(Buffer.from(open(key, store.get(path)!, path)).toString());
}

async function ephemeralVault(): Promise<void> {
  const vault = await createVault();
  const { keys } = await vault.init({ secretShares: 5, secretThreshold: 3 });
  for (const key of keys.slice(0, 3)) await vault.unseal(key);
  await vault.close();
}

export async function lifecycleSuite(options: BenchOptions): Promise<{ report: string; outcomes: GoalOutcome[] }> {
  const [floor, subject] = await compare(
    [
      { name: 'lifecycle floor: Shamir 5/3 + keyring + 6 entries', run: lifecycleFloor },
      { name: 'createVault + init(5/3) + 3 unseals + close', run: ephemeralVault },
    ],
    options,
  );
  return {
    report: formatTable('P12 ephemeral vault lifecycle', [floor!, subject!]),
    outcomes: [judge({ id: 'P12', description: 'createVault + init + unseal', floor: floor!, subject: subject!, minRatio: 1 / 12, asCostMultiple: true })],
  };
}
