// A vault on the file adapter under the power-loss model (reliability.md F5; vault#23073,
// openbao#1423): cut the power after every mutating file-system call of init, writes, a delete and
// sys/rotate; restart a vault on what the disk kept. It must come up initialised and unsealed with
// every acknowledged write, or, before init was acknowledged, uninitialised or failing clearly:
// never "not initialized" once init was acknowledged, never a wrong value.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StorageCorruptionError } from '@coffer/storage';
import { createFileStorage, type FileStorage } from '@coffer/storage-file';
import { materialize, PowerLossFs } from '@coffer/storage-file/testing';
import { VaultError } from '@coffer/sdk';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { createVault, type Vault } from './vault.js';

/** A folder provisioned (and durable) before the vault first ran. */
const ROOT = '/srv/coffer';
const KEY = new Uint8Array(32).fill(7);
const policy = (path: string) => `path "${path}" {\n  capabilities = ["read"]\n}\n`;

/** What a restarted vault is asked about; `undefined` means absent (404). */
type Observed = Record<string, string | number | undefined>;
const WATCHED = ['policy:ops', 'policy:dev', 'cubbyhole:db', 'cubbyhole:tmp', 'term'] as const;

interface Step {
  run(vault: Vault, token: string): Promise<unknown>;
  /** The watched values once this step has landed. */
  apply(state: Observed): void;
}
const STEPS: Step[] = [
  { run: (v, token) => v.handle({ operation: 'update', path: 'sys/policies/acl/ops', token, data: { policy: policy('ops/*') } }), apply: (s) => (s['policy:ops'] = policy('ops/*')) },
  { run: (v, token) => v.handle({ operation: 'update', path: 'cubbyhole/db', token, data: { password: 'p-1' } }), apply: (s) => (s['cubbyhole:db'] = 'p-1') },
  { run: (v, token) => v.handle({ operation: 'update', path: 'cubbyhole/tmp', token, data: { password: 't-1' } }), apply: (s) => (s['cubbyhole:tmp'] = 't-1') },
  { run: (v, token) => v.handle({ operation: 'update', path: 'sys/rotate', token }), apply: (s) => (s.term = 2) },
  { run: (v, token) => v.handle({ operation: 'update', path: 'cubbyhole/db', token, data: { password: 'p-2' } }), apply: (s) => (s['cubbyhole:db'] = 'p-2') },
  { run: (v, token) => v.handle({ operation: 'update', path: 'sys/policies/acl/dev', token, data: { policy: policy('dev/*') } }), apply: (s) => (s['policy:dev'] = policy('dev/*')) },
  { run: (v, token) => v.handle({ operation: 'delete', path: 'cubbyhole/tmp', token }), apply: (s) => (s['cubbyhole:tmp'] = undefined) },
  { run: (v, token) => v.handle({ operation: 'update', path: 'sys/policies/acl/ops', token, data: { policy: policy('ops/v2/*') } }), apply: (s) => (s['policy:ops'] = policy('ops/v2/*')) },
];

/** The watched values after init and the first `count` steps. */
function stateAfter(count: number): Observed {
  const state: Observed = { 'policy:ops': undefined, 'policy:dev': undefined, 'cubbyhole:db': undefined, 'cubbyhole:tmp': undefined, term: 1 };
  for (const step of STEPS.slice(0, count)) step.apply(state);
  return state;
}

interface Run {
  /** The root token, if init was acknowledged. */
  token?: string;
  /** Steps acknowledged after init. */
  acknowledged: number;
}

/** Init (static seal, so it stays unsealed) then the steps, until done or the power is cut. */
async function runScenario(model: PowerLossFs, seed: number): Promise<Run> {
  const run: Run = { acknowledged: 0 };
  try {
    const vault = await createVault({ storage: await createFileStorage({ path: ROOT, fs: model.fs }), clock: new TestClock(), random: seededRandom(seed), seal: { type: 'static', key: KEY } });
    const { root_token: token } = await vault.init({ recoveryShares: 1, recoveryThreshold: 1 });
    // A dead process acknowledges nothing, even if an error was swallowed on the way.
    if (model.dead) return run;
    run.token = token;
    for (const step of STEPS) {
      await step.run(vault, token);
      if (model.dead) return run;
      run.acknowledged++;
    }
    await vault.close();
  } catch (error) {
    if (!model.dead) throw error;
  }
  return run;
}

/**
 * A reboot leaves no lock holder. An intact lock would name this test process, so its boot id is
 * changed as a reboot would; an empty one (torn by the power cut) stays, and the adapter must
 * take it over.
 */
async function reboot(dir: string): Promise<void> {
  const lock = join(dir, '.lock');
  const content = await readFile(lock, 'utf8').catch(() => undefined);
  if (content === undefined) return;
  let owner: object;
  try {
    owner = JSON.parse(content) as object;
  } catch {
    return;
  }
  await writeFile(lock, JSON.stringify({ ...owner, bootId: 'before-the-power-cut' }) + '\n');
}

/** The watched values as a restarted vault reports them. */
async function observe(vault: Vault, token: string): Promise<Observed> {
  const read = async (path: string) => {
    try {
      return (await vault.handle({ operation: 'read', path, token })).data;
    } catch (error) {
      if (error instanceof VaultError && error.status === 404) return undefined;
      throw error;
    }
  };
  return {
    'policy:ops': (await read('sys/policies/acl/ops'))?.policy as string | undefined,
    'policy:dev': (await read('sys/policies/acl/dev'))?.policy as string | undefined,
    'cubbyhole:db': (await read('cubbyhole/db'))?.password as string | undefined,
    'cubbyhole:tmp': (await read('cubbyhole/tmp'))?.password as string | undefined,
    term: (await read('sys/key-status'))?.term as number | undefined,
  };
}

/** A failure to start that names its cause: a damaged entry, or an error that says what is wrong. */
function isClearStorageError(error: unknown): boolean {
  if (error instanceof StorageCorruptionError) return true;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause !== undefined && cause !== error && isClearStorageError(cause);
}

const count = (outcomes: Map<string, number>, outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);

let scratch: string | undefined;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('a vault on file storage after a power cut at every point (F5)', () => {
  it('comes back initialised and unsealed with every acknowledged write, or, before init was acknowledged, uninitialised', { timeout: 60_000 }, async () => {
    scratch = await mkdtemp(join(tmpdir(), 'coffer-vault-power-loss-'));
    const outcomes = new Map<string, number>();
    let previous = '';
    let n = 0;
    for (; ; n++) {
      const model = new PowerLossFs({ durableDirs: [ROOT] });
      model.crashAfter(n);
      const run = await runScenario(model, n);
      if (!model.dead) break; // the whole scenario ran: every crash point is covered
      const cut = model.log[n - 1];
      const where = `power cut after #${n} ${cut ? `${cut.call} ${cut.path}` : '(before any write)'}; init ${run.token ? 'acknowledged' : 'not acknowledged'}, ${run.acknowledged} steps acknowledged`;
      const image = model.crashImage();
      // The same disk with the same acknowledgements gives the same verdict: check it once.
      const signature = JSON.stringify([run.token ?? null, run.acknowledged, [...image.entries].map(([path, e]) => [path, e.type === 'file' ? Buffer.from(e.data).toString('base64') : 'dir'])]);
      if (signature === previous) continue;
      previous = signature;

      const dir = join(scratch, `n${n}`);
      expect(await materialize(image, dir, ROOT), where).toBe(true);
      await reboot(dir);
      let storage: FileStorage | undefined;
      let vault: Vault | undefined;
      let startError: unknown;
      try {
        storage = await createFileStorage({ path: dir });
        vault = await createVault({ storage, clock: new TestClock(), random: seededRandom(n + 1_000_000), seal: { type: 'static', key: KEY } });
      } catch (error) {
        startError = error;
      }
      try {
        if (vault === undefined) {
          // Only before init was acknowledged may a restart fail, and then only naming a damaged entry.
          if (run.token !== undefined || !isClearStorageError(startError)) throw new Error(`${where}: restart failed`, { cause: startError });
          count(outcomes, 'storage error');
          continue;
        }
        const status = await vault.status();
        if (run.token === undefined) {
          // Init was in flight: either it had not landed (uninitialised) or it had, completely.
          expect(status.sealed, where).toBe(!status.initialized);
          count(outcomes, status.initialized ? 'init landed, not acknowledged' : 'uninitialised');
          continue;
        }
        expect(status, where).toMatchObject({ initialized: true, sealed: false });
        const observed = await observe(vault, run.token);
        const before = stateAfter(run.acknowledged);
        const after = run.acknowledged < STEPS.length ? stateAfter(run.acknowledged + 1) : before;
        for (const name of WATCHED) {
          // Acknowledged means durable; the one step in flight may or may not have landed.
          expect([...new Set([before[name], after[name]])], `${where}: ${name}`).toContainEqual(observed[name]);
        }
        count(outcomes, 'unsealed with every acknowledged write');
      } finally {
        // vault.close() closes its storage; a vault that never started leaves that to us.
        await (vault ? vault.close() : storage?.close());
      }
    }
    // The loop reached the end of the scenario, and the scenario did real work.
    expect(n).toBeGreaterThan(STEPS.length * 5);
    expect(outcomes.get('unsealed with every acknowledged write')).toBeGreaterThan(STEPS.length);
  });
});
