// P4: the per-request tax of token lookup + ACL check, against hash + cached token + prefix check.
import { createHmac, randomFillSync } from 'node:crypto';
import { authorize, createPolicyStore, createStorageView } from '@coffer/core';
import { createSystemClock, createSystemRandom, nodeCrypto } from '@coffer/sdk';
import { MemoryStorage } from '@coffer/storage';
import { createTokenStore } from '@coffer/token-store';
import { compare, formatTable, judge, type BenchOptions, type GoalOutcome } from '../harness.js';

const POLICY = `
path "secret/data/app/*" { capabilities = ["read", "list"] }
path "secret/metadata/+/config" { capabilities = ["read"] }
path "sys/mounts" { capabilities = ["read"] }
path "auth/token/lookup-self" { capabilities = ["read"] }
`;
const PATH = 'secret/data/app/db';

/** The floor of performance.md §7: what any token check must do at least. */
function authFloor() {
  const salt = randomFillSync(new Uint8Array(32));
  const id = 'hvs.' + 'a'.repeat(24);
  const cache = new Map([[createHmac('sha256', salt).update(id).digest('hex'), { policies: ['app'], prefix: 'secret/data/app/' }]]);
  return () => {
    const entry = cache.get(createHmac('sha256', salt).update(id).digest('hex'))!;
    return PATH.startsWith(entry.prefix);
  };
}

export async function authTaxSuite(options: BenchOptions): Promise<{ report: string; outcomes: GoalOutcome[] }> {
  const storage = new MemoryStorage();
  const clock = createSystemClock();
  const tokens = createTokenStore({
    storage: createStorageView(storage, 'sys/token/'),
    crypto: nodeCrypto,
    random: createSystemRandom(),
    clock,
    hooks: { expiryChanged: async () => undefined, revoking: async () => undefined },
  });
  const policies = createPolicyStore({ storage: createStorageView(storage, 'sys/policy/') });
  await policies.set('app', POLICY);
  const { id } = await tokens.create({
    policies: ['app', 'default'],
    path: 'auth/token/create',
    displayName: 'token',
    meta: null,
    numUses: 0,
    creationTtlSec: 3600,
    ttlSec: 3600,
    explicitMaxTtlSec: 0,
    periodSec: 0,
    renewable: true,
    type: 'service',
    entityId: '',
  });
  const subject = async () => {
    const token = (await tokens.resolve(id))!;
    return authorize(policies, { token, path: PATH, operation: 'read', data: {}, requiresSudo: false });
  };
  await subject();
  const [floor, measured] = await compare(
    [
      { name: 'floor: HMAC id + cached entry + prefix check', run: authFloor() },
      { name: 'token resolve + compiled ACL check', run: subject },
    ],
    options,
  );
  return {
    report: formatTable('P4 token + ACL tax', [floor!, measured!]),
    outcomes: [judge({ id: 'P4', description: 'token lookup + ACL check', floor: floor!, subject: measured!, minRatio: 1 / 3, asCostMultiple: true })],
  };
}
