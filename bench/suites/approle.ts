// P5: an AppRole login through handle() against the storage floor of a login (performance.md §12).
import { createVault } from 'coffer';
import type { Crypto } from '@coffer/sdk';
import { cryptoCensus } from '../crypto-census.js';
import { compare, formatTable, judge, type BenchOptions, type GoalOutcome } from '../harness.js';
import { readFloor, writeFloor } from './kv.js';

/** Two encrypted reads (role, secret id) and four encrypted writes (token, accessor, lease, its index): what a login must store. */
function loginFloor(): () => void {
  const read = readFloor();
  const write = writeFloor();
  return () => {
    read();
    read();
    for (let i = 0; i < 4; i++) write();
  };
}

/** A dev vault with an AppRole role and one secret id; a login with them. */
async function approleFixture(crypto?: Crypto) {
  const vault = await createVault({ dev: { rootTokenId: 'root' }, ...(crypto ? { crypto } : {}) });
  const root = (path: string, data: Record<string, unknown> = {}) => vault.handle({ operation: 'update', path, token: 'root', data });
  await root('sys/auth/approle', { type: 'approle' });
  await root('auth/approle/role/bench', { token_policies: 'default', token_ttl: '1h' });
  const roleId = (await vault.handle({ operation: 'read', path: 'auth/approle/role/bench/role-id', token: 'root' })).data!.role_id as string;
  const secretId = (await root('auth/approle/role/bench/secret-id')).data!.secret_id as string;
  return { vault, login: () => vault.handle({ operation: 'update', path: 'auth/approle/login', data: { role_id: roleId, secret_id: secretId } }) };
}

export async function approleSuite(options: BenchOptions): Promise<{ report: string; outcomes: GoalOutcome[] }> {
  const { vault, login } = await approleFixture();
  const [floor, subject] = await compare(
    [
      { name: 'floor: 2 × (Map.get + GCM open + parse) + 4 × (stringify + GCM seal + Map.set)', run: loginFloor() },
      { name: 'AppRole login via handle() (token, accessor, lease, entity)', run: login },
    ],
    options,
  );
  await vault.close();
  // Apart from the ratio: the login's cryptography, inside requests and in a tight loop.
  const census = cryptoCensus();
  const timed = await approleFixture(census.crypto);
  const loginCrypto = await census.measure(timed.login, (options.samples ?? 11) < 11 ? 1000 : 5000);
  await timed.vault.close();
  return {
    report: formatTable('P5 AppRole login', [floor!, subject!]) + `\n#### P5: the cryptography of one login\n\n${loginCrypto}`,
    outcomes: [judge({ id: 'P5', description: 'AppRole login vs storage floor', floor: floor!, subject: subject!, minRatio: 0.5 })],
  };
}
