// H1, H2, H4: Vault's /v1 API over loopback against bare node:http, each server in its own
// process and autocannon in a third (performance.md §8 and §12), measured side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BenchOptions, GoalOutcome } from '../harness.js';

const NODE_ARGS = ['--conditions=coffer-source', '--import', 'tsx'];
const here = (file: string) => fileURLToPath(new URL(`../http/${file}`, import.meta.url));

interface LoadResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

interface Server {
  child: ChildProcess;
  ready: { port: number; token?: string };
}

/** Starts a server script and waits for its `READY {json}` line. */
async function startServer(script: string): Promise<Server> {
  const child = spawn(process.execPath, [...NODE_ARGS, here(script)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (line.startsWith('READY ')) return { child, ready: JSON.parse(line.slice(6)) as Server['ready'] };
  }
  throw new Error(`${script} exited before it was ready`);
}

async function stopServer(server: Server): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

async function runLoad(url: string, headers: Record<string, string>, durationSec: number, warmupSec: number): Promise<LoadResult> {
  const child = spawn(process.execPath, [...NODE_ARGS, here('load.ts'), JSON.stringify({ url, headers, connections: 50, durationSec, warmupSec })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  const result = JSON.parse(out.trim().split('\n').pop()!) as LoadResult;
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`);
  return result;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function httpSuite(options: BenchOptions): Promise<{ report: string; outcomes: GoalOutcome[] }> {
  const quick = (options.samples ?? 11) < 11;
  const durationSec = quick ? 3 : 10;
  const warmupSec = quick ? 1 : 2;
  const rounds = quick ? 1 : 3;
  const bare = await startServer('bare-server.ts');
  const coffer = await startServer('coffer-server.ts');
  try {
    const token = { 'x-vault-token': coffer.ready.token! };
    const cases = [
      { name: 'bare node:http, 240 B JSON', url: `http://127.0.0.1:${bare.ready.port}/v1/secret/data/app`, headers: {} },
      { name: 'Coffer GET secret/data/app (token + ACL)', url: `http://127.0.0.1:${coffer.ready.port}/v1/secret/data/app`, headers: token },
      { name: 'Coffer GET sys/health', url: `http://127.0.0.1:${coffer.ready.port}/v1/sys/health`, headers: {} },
      { name: 'Coffer GET auth/token/lookup-self', url: `http://127.0.0.1:${coffer.ready.port}/v1/auth/token/lookup-self`, headers: token },
    ];
    const results: LoadResult[][] = cases.map(() => []);
    for (let round = 0; round < rounds; round++) {
      // Rotating order, so no case always runs on the warmest or the most tired machine.
      for (let k = 0; k < cases.length; k++) {
        const index = (round + k) % cases.length;
        const c = cases[index]!;
        results[index]!.push(await runLoad(c.url, c.headers, durationSec, warmupSec));
      }
    }
    const summary = results.map((r) => ({ rps: median(r.map((x) => x.requestsPerSec)), p50: median(r.map((x) => x.p50Ms)), p99: median(r.map((x) => x.p99Ms)) }));
    const base = summary[0]!;
    const rows = cases.map(
      (c, i) => `| ${c.name} | ${(summary[i]!.rps / 1000).toFixed(1)}k | ${(summary[i]!.rps / base.rps).toFixed(2)}x | ${summary[i]!.p50} ms | ${summary[i]!.p99} ms |`,
    );
    const report = [
      `\n### H1–H4 HTTP over loopback (autocannon -c 50 -d ${durationSec}, ${rounds} round${rounds > 1 ? 's' : ''}, medians)\n`,
      '| case | req/s | ratio | p50 | p99 |',
      '|---|---:|---:|---:|---:|',
      ...rows,
    ].join('\n');
    const ratio = (i: number) => summary[i]!.rps / base.rps;
    const outcome = (id: string, description: string, value: number, met: boolean, text: string): GoalOutcome => ({ id, description, ratio: value, met, text });
    const p99Multiple = summary[1]!.p99 / Math.max(base.p99, 1);
    return {
      report,
      outcomes: [
        outcome('H1', 'HTTP KV v2 read vs bare', ratio(1), ratio(1) >= 0.45, `${ratio(1).toFixed(2)}x bare node:http's req/s (target ≥ 0.45x)`),
        outcome('H2', 'HTTP KV v2 read p99 vs bare', 1 / p99Multiple, p99Multiple <= 2, `${p99Multiple.toFixed(2)}x bare's p99 (target ≤ 2x)`),
        outcome('H4', 'HTTP sys/health vs bare', ratio(2), ratio(2) >= 0.7, `${ratio(2).toFixed(2)}x bare node:http's req/s (target ≥ 0.70x)`),
        outcome('H4', 'HTTP lookup-self vs bare', ratio(3), ratio(3) >= 0.7, `${ratio(3).toFixed(2)}x bare node:http's req/s (target ≥ 0.70x)`),
      ],
    };
  } finally {
    await stopServer(bare);
    await stopServer(coffer);
  }
}
