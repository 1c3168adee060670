// P6: a userpass login through handle() against the raw password hash it must compute (performance.md §12).
import { randomBytes, scrypt } from 'node:crypto';
import { createVault } from 'coffer';
import { DEFAULT_SCRYPT_COST } from '@coffer/userpass';
import { compare, formatTable, judge, type BenchOptions, type GoalOutcome } from '../harness.js';

/** The floor: one scrypt derivation at the method's default cost, off the event loop, as a login needs. */
function rawHash(): () => Promise<unknown> {
  const { logN, r, p } = DEFAULT_SCRYPT_COST;
  const N = 2 ** logN;
  const salt = randomBytes(16);
  return () => new Promise((resolve, reject) => scrypt('correct horse battery staple', salt, 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (e, key) => (e ? reject(e) : resolve(key))));
}

export async function userpassSuite(options: BenchOptions): Promise<{ report: string; outcomes: GoalOutcome[] }> {
  const vault = await createVault({ dev: { rootTokenId: 'root' } });
  await vault.handle({ operation: 'update', path: 'sys/auth/userpass', token: 'root', data: { type: 'userpass' } });
  await vault.handle({ operation: 'update', path: 'auth/userpass/users/alice', token: 'root', data: { password: 'correct horse battery staple', token_policies: 'default' } });
  const login = () => vault.handle({ operation: 'update', path: 'auth/userpass/login/alice', data: { password: 'correct horse battery staple' } });
  const [floor, subject] = await compare(
    [
      { name: `floor: scrypt N=2^${DEFAULT_SCRYPT_COST.logN}, r=${DEFAULT_SCRYPT_COST.r}, p=${DEFAULT_SCRYPT_COST.p}, async`, run: rawHash() },
      { name: 'userpass login via handle() (token, lease, entity)', run: login },
    ],
    options,
  );
  await vault.close();
  return {
    report: formatTable('P6 userpass login', [floor!, subject!]),
    outcomes: [judge({ id: 'P6', description: 'userpass login vs raw hash', floor: floor!, subject: subject!, minRatio: 1 / 1.1, asCostMultiple: true })],
  };
}
