// rotation_schedule: standard five-field cron expressions (robfig/cron's standard parser, which Vault uses), evaluated in UTC.

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
] as const;

/** A Map, so that no input (`__proto__`, say) can reach an inherited property. */
const DESCRIPTORS = new Map<string, string>([
  ['@yearly', '0 0 1 1 *'],
  ['@annually', '0 0 1 1 *'],
  ['@monthly', '0 0 1 * *'],
  ['@weekly', '0 0 * * 0'],
  ['@daily', '0 0 * * *'],
  ['@midnight', '0 0 * * *'],
  ['@hourly', '0 * * * *'],
]);

export class CronError extends Error {
  override readonly name = 'CronError';
}

export interface CronSchedule {
  /** The first matching minute strictly after `afterMs`. */
  next(afterMs: number): number;
}

interface ParsedField {
  values: Set<number>;
  /** The field was `*` (or `?`): for day of month and day of week, cron ORs them only when both are restricted. */
  any: boolean;
}

function parseValue(text: string, spec: (typeof FIELDS)[number]): number {
  const names: readonly string[] | undefined = 'names' in spec ? spec.names : undefined;
  const byName = names?.indexOf(text.toUpperCase()) ?? -1;
  const value = byName >= 0 ? byName + spec.min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  // Sunday may also be written 7.
  const normalised = spec.name === 'day of week' && value === 7 ? 0 : value;
  if (!Number.isInteger(normalised) || normalised < spec.min || normalised > spec.max) throw new CronError(`invalid ${spec.name} "${text}"`);
  return normalised;
}

function parseField(text: string, spec: (typeof FIELDS)[number]): ParsedField {
  const values = new Set<number>();
  let any = false;
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronError(`invalid step in ${spec.name} "${part}"`);
    let low: number;
    let high: number;
    if (range === '*' || range === '?') {
      low = spec.min;
      high = spec.max;
      if (stepText === undefined) any = true;
    } else if (range.includes('-')) {
      const [from, to] = range.split('-') as [string, string];
      low = parseValue(from, spec);
      high = parseValue(to, spec);
      if (low > high) throw new CronError(`invalid range in ${spec.name} "${part}"`);
    } else {
      low = parseValue(range, spec);
      high = stepText === undefined ? low : spec.max;
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return { values, any };
}

export function parseCronSchedule(expression: string): CronSchedule {
  const text = DESCRIPTORS.get(expression.trim().toLowerCase()) ?? expression.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new CronError(`expected exactly 5 fields, found ${parts.length}: "${expression}"`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parts.map((part, i) => parseField(part, FIELDS[i]!)) as [ParsedField, ParsedField, ParsedField, ParsedField, ParsedField];

  const dayMatches = (date: Date): boolean => {
    const dom = dayOfMonth.values.has(date.getUTCDate());
    const dow = dayOfWeek.values.has(date.getUTCDay());
    if (dayOfMonth.any || dayOfWeek.any) return dom && dow;
    return dom || dow;
  };

  return {
    next(afterMs) {
      const date = new Date(Math.floor(afterMs / 60_000) * 60_000 + 60_000);
      // Five years of minutes bound the search: an expression such as `0 0 30 2 *` never matches.
      const limitMs = afterMs + 5 * 366 * 24 * 3_600_000;
      while (date.getTime() <= limitMs) {
        if (!month.values.has(date.getUTCMonth() + 1)) {
          date.setUTCMonth(date.getUTCMonth() + 1, 1);
          date.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!dayMatches(date)) {
          date.setUTCDate(date.getUTCDate() + 1);
          date.setUTCHours(0, 0, 0, 0);
          continue;
        }
        if (!hour.values.has(date.getUTCHours())) {
          date.setUTCHours(date.getUTCHours() + 1, 0, 0, 0);
          continue;
        }
        if (!minute.values.has(date.getUTCMinutes())) {
          date.setUTCMinutes(date.getUTCMinutes() + 1, 0, 0);
          continue;
        }
        return date.getTime();
      }
      throw new CronError(`"${expression}" never matches`);
    },
  };
}
