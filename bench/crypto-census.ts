// Where an operation's cryptography goes: a vault built on a Crypto whose primitives are timed
// shows how many calls one operation makes and what each costs inside real requests, next to
// what the same call costs repeated in a tight loop, which is how the floors measure it.
import { performance } from 'node:perf_hooks';
import { nodeCrypto, type Crypto } from '@coffer/sdk';

const PRIMITIVES = ['aesGcmEncrypt', 'aesGcmDecrypt', 'hmacSha256', 'sha256'] as const;
type Primitive = (typeof PRIMITIVES)[number];

interface Tally {
  calls: number;
  ms: number;
  /** The arguments of the latest call, replayed in the tight loop. */
  lastArgs: unknown[] | undefined;
}

export interface CryptoCensus {
  /** Give this to `createVault({ crypto })`. */
  readonly crypto: Crypto;
  /** Runs `operation` `times` times and tabulates its cryptography per operation. */
  measure(operation: () => Promise<unknown>, times: number): Promise<string>;
}

export function cryptoCensus(inner: Crypto = nodeCrypto): CryptoCensus {
  const tallies = new Map<Primitive, Tally>(PRIMITIVES.map((name) => [name, { calls: 0, ms: 0, lastArgs: undefined }]));
  const crypto: Crypto = { ...inner };
  for (const name of PRIMITIVES) {
    const primitive = inner[name] as (...args: unknown[]) => unknown;
    const tally = tallies.get(name)!;
    (crypto as unknown as Record<Primitive, (...args: unknown[]) => unknown>)[name] = (...args: unknown[]) => {
      const start = performance.now();
      try {
        return primitive.apply(inner, args);
      } finally {
        tally.ms += performance.now() - start;
        tally.calls++;
        tally.lastArgs = args;
      }
    };
  }

  /** µs per call of `name` with its latest arguments, called back to back. */
  function tightLoopMicros(name: Primitive, args: unknown[]): number {
    const primitive = inner[name] as (...args: unknown[]) => unknown;
    const calls = 20_000;
    for (let i = 0; i < calls / 10; i++) primitive.apply(inner, args);
    const start = performance.now();
    for (let i = 0; i < calls; i++) primitive.apply(inner, args);
    return ((performance.now() - start) * 1000) / calls;
  }

  async function measure(operation: () => Promise<unknown>, times: number): Promise<string> {
    for (let i = 0; i < times / 10; i++) await operation();
    for (const tally of tallies.values()) Object.assign(tally, { calls: 0, ms: 0 });
    const start = performance.now();
    for (let i = 0; i < times; i++) await operation();
    const opMicros = ((performance.now() - start) * 1000) / times;
    const rows: string[] = [];
    let cryptoMicros = 0;
    for (const [name, tally] of tallies) {
      if (tally.calls === 0 || !tally.lastArgs) continue;
      const perOp = (tally.ms * 1000) / times;
      cryptoMicros += perOp;
      const inRequests = (tally.ms * 1000) / tally.calls;
      rows.push(`| ${name} | ${(tally.calls / times).toFixed(1)} | ${inRequests.toFixed(1)} µs | ${tightLoopMicros(name, tally.lastArgs).toFixed(1)} µs | ${perOp.toFixed(1)} µs |`);
    }
    return [
      `one operation: ${opMicros.toFixed(0)} µs, of which ${cryptoMicros.toFixed(0)} µs (${((cryptoMicros / opMicros) * 100).toFixed(0)}%) in these primitives`,
      '',
      '| primitive | calls per operation | per call, inside requests | per call, in a tight loop | per operation |',
      '|---|---:|---:|---:|---:|',
      ...rows,
      '',
    ].join('\n');
  }

  return { crypto, measure };
}
