// `pnpm bench`: every suite, its tables, and each performance.md §12 goal as a ratio to a floor
// measured in this same run. `--check` exits 1 when a goal is missed; `--quick` samples less.
import { authTaxSuite } from './suites/auth-tax.js';
import { barrierSuite } from './suites/barrier.js';
import { httpSuite } from './suites/http.js';
import { kvSuite } from './suites/kv.js';
import { lifecycleSuite } from './suites/lifecycle.js';
import { userpassSuite } from './suites/userpass.js';
import { approleSuite } from './suites/approle.js';
import { databaseSuite } from './suites/database.js';
import type { BenchOptions, GoalOutcome } from './harness.js';

const SUITES = { barrier: barrierSuite, lifecycle: lifecycleSuite, 'auth-tax': authTaxSuite, kv: kvSuite, approle: approleSuite, userpass: userpassSuite, database: databaseSuite, http: httpSuite };

const args = process.argv.slice(2);
const options: BenchOptions = args.includes('--quick') ? { warmupMs: 100, sampleMs: 30, samples: 5 } : {};
const chosen = args.filter((a) => !a.startsWith('--'));
const names = chosen.length > 0 ? chosen : Object.keys(SUITES);

const outcomes: GoalOutcome[] = [];
for (const name of names) {
  const suite = SUITES[name as keyof typeof SUITES];
  if (!suite) throw new Error(`unknown suite "${name}"; known: ${Object.keys(SUITES).join(', ')}`);
  const result = await suite(options);
  console.log(result.report);
  outcomes.push(...result.outcomes);
}

console.log(`\n### Goals (node ${process.version}, ${new Date().toISOString()})\n`);
for (const o of outcomes) console.log(`${o.met ? 'met ' : 'MISS'}  ${o.id.padEnd(4)} ${o.description.padEnd(32)} ${o.text}`);
if (args.includes('--check') && outcomes.some((o) => !o.met)) process.exitCode = 1;
