// Interleaved micro-benchmarks: every case of a comparison is sampled round-robin, in a rotating
// order, in one process, so machine noise hits the floor and the subject alike (performance.md §0).
import { performance } from 'node:perf_hooks';

export interface BenchCase {
  name: string;
  /** One operation. A returned promise is awaited before the next call. */
  run: () => unknown;
}

export interface BenchResult {
  name: string;
  /** Median over samples. */
  opsPerSec: number;
  p25: number;
  p75: number;
  microsPerOp: number;
}

export interface BenchOptions {
  warmupMs?: number;
  sampleMs?: number;
  samples?: number;
}

const DEFAULTS: Required<BenchOptions> = { warmupMs: 250, sampleMs: 80, samples: 11 };

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Runs `iterations` calls and returns the elapsed milliseconds. */
async function timeCalls(run: () => unknown, iterations: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const out = run();
    if (isPromise(out)) await out;
  }
  return performance.now() - start;
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

/** Warms each case, calibrates it to ~sampleMs per sample, then samples all cases round-robin. */
export async function compare(cases: BenchCase[], options: BenchOptions = {}): Promise<BenchResult[]> {
  const { warmupMs, sampleMs, samples } = { ...DEFAULTS, ...options };
  const iterations: number[] = [];
  for (const bench of cases) {
    let calls = 0;
    let elapsed = 0;
    let batch = 1;
    while (elapsed < warmupMs) {
      elapsed += await timeCalls(bench.run, batch);
      calls += batch;
      batch = Math.min(batch * 2, 4096);
    }
    iterations.push(Math.max(1, Math.round((calls * sampleMs) / elapsed)));
  }
  const rates: number[][] = cases.map(() => []);
  for (let sample = 0; sample < samples; sample++) {
    for (let k = 0; k < cases.length; k++) {
      const index = (sample + k) % cases.length;
      const ms = await timeCalls(cases[index]!.run, iterations[index]!);
      rates[index]!.push((iterations[index]! * 1000) / ms);
    }
  }
  return cases.map((bench, i) => {
    const sorted = rates[i]!.sort((a, b) => a - b);
    const opsPerSec = quantile(sorted, 0.5);
    return { name: bench.name, opsPerSec, p25: quantile(sorted, 0.25), p75: quantile(sorted, 0.75), microsPerOp: 1e6 / opsPerSec };
  });
}

/** A goal from performance.md §12: the subject's throughput as a ratio of the floor's. */
export interface Goal {
  id: string;
  description: string;
  floor: BenchResult;
  subject: BenchResult;
  /** Throughput ratio the subject must reach (0.9 = at least 90% of the floor's ops/s). */
  minRatio: number;
  /** Print the ratio as a cost multiple (floor time ×N) rather than a throughput fraction. */
  asCostMultiple?: boolean;
}

export interface GoalOutcome {
  id: string;
  description: string;
  ratio: number;
  met: boolean;
  text: string;
}

export function judge(goal: Goal): GoalOutcome {
  const ratio = goal.subject.opsPerSec / goal.floor.opsPerSec;
  const met = ratio >= goal.minRatio;
  const text = goal.asCostMultiple
    ? `${(1 / ratio).toFixed(2)}x the floor's time (target ≤ ${Number((1 / goal.minRatio).toFixed(2))}x)`
    : `${ratio.toFixed(2)}x the floor's ops/s (target ≥ ${goal.minRatio.toFixed(2)}x)`;
  return { id: goal.id, description: goal.description, ratio, met, text };
}

export function formatTable(title: string, results: BenchResult[]): string {
  const floor = results[0]!.opsPerSec;
  const rows = results.map((r) => {
    const ops = r.opsPerSec >= 1000 ? `${(r.opsPerSec / 1000).toFixed(1)}k` : r.opsPerSec.toFixed(0);
    const range = `${(r.p25 / 1000).toFixed(1)}k–${(r.p75 / 1000).toFixed(1)}k`;
    const perOp = r.microsPerOp >= 1000 ? `${(r.microsPerOp / 1000).toFixed(2)} ms` : `${r.microsPerOp.toFixed(1)} µs`;
    return `| ${r.name} | ${ops} | ${range} | ${perOp} | ${(r.opsPerSec / floor).toFixed(2)}x |`;
  });
  return [`\n### ${title}\n`, '| case | median ops/s | p25–p75 | per op | ratio |', '|---|---:|---:|---:|---:|', ...rows].join('\n');
}
