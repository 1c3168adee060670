// Vault's duration inputs: integer seconds, numeric strings, or Go time.ParseDuration strings ("1h30m", "768h").

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const MAX_DURATION_NS = 9_223_372_036_854_775_807n;

const GO_DURATION = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const GO_COMPONENT = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/**
 * Parses a Vault duration into whole seconds (Vault truncates sub-second parts).
 * Throws a `RangeError` with Go's wording for anything else.
 */
export function parseDurationSec(input: unknown): number {
  if (typeof input === 'number') {
    if (!Number.isInteger(input)) throw new RangeError(`time: invalid duration "${input}"`);
    return input;
  }
  if (typeof input !== 'string') throw new RangeError(`time: invalid duration "${String(input)}"`);
  const text = input.trim();
  if (text === '') return 0;
  if (/^[+-]?\d+$/.test(text)) {
    const sec = Number(text);
    if (!Number.isSafeInteger(sec)) throw new RangeError(`time: invalid duration "${input}"`);
    return sec;
  }
  if (text === '0') return 0;
  const match = GO_DURATION.exec(text);
  if (!match) throw new RangeError(`time: invalid duration "${input}"`);
  // Exact integer nanoseconds, fractions included, as Go computes them: "0.29h" is 1044 s, not 1043.
  let totalNs = 0n;
  for (const [, amount, unit] of text.matchAll(GO_COMPONENT)) {
    const [whole = '', fraction = ''] = amount!.split('.');
    const unitNs = BigInt(UNIT_NS[unit!]!);
    totalNs += BigInt(whole === '' ? '0' : whole) * unitNs;
    if (fraction !== '') totalNs += (BigInt(fraction) * unitNs) / 10n ** BigInt(fraction.length);
  }
  // Go's int64 nanoseconds overflow near 292 years.
  if (totalNs > MAX_DURATION_NS) throw new RangeError(`time: invalid duration "${input}"`);
  const sec = Number(totalNs / 1_000_000_000n);
  return match[1] === '-' && sec !== 0 ? -sec : sec;
}

/** Formats whole seconds as Go prints a duration ("1h30m0s"), as Vault does in some responses. */
export function formatDuration(sec: number): string {
  if (sec === 0) return '0s';
  const sign = sec < 0 ? '-' : '';
  let rest = Math.abs(sec);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}
