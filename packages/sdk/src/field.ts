// Typed request fields with Vault's framework coercions (sdk/framework/field_type.go, field_data.go).
import { parseDurationSec } from './duration.js';
import { parseGoBool } from './go-bool.js';

export const FIELD_KINDS = [
  'string',
  'lowercase-string',
  'name',
  'int',
  'bool',
  'duration',
  'comma-list',
  'string-list',
  'comma-int-list',
  'map',
  'kv-pairs',
  'any',
] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** A declared field. `D` records at the type level whether a default makes it always present. */
export interface Field<T, D extends boolean = boolean> {
  readonly kind: FieldKind;
  readonly description: string;
  readonly default?: T;
  readonly required?: boolean;
  readonly allowed?: readonly T[];
  /** Phantom marker for the inferred handler type; never set at run time. */
  readonly __type?: T;
  readonly __hasDefault?: D;
}

export type FieldTable = Readonly<Record<string, Field<unknown>>>;

/** The typed `ctx.data` of a handler: fields with a default are always present. */
export type FieldValues<F extends FieldTable> = {
  readonly [K in keyof F]: F[K] extends Field<infer T, true> ? T : (F[K] extends Field<infer T, boolean> ? T : never) | undefined;
};

interface FieldOptions<T> {
  required?: boolean;
  allowed?: readonly T[];
}

type FieldBuilder<T> = {
  (description: string, options?: FieldOptions<T>): Field<T, false>;
  (description: string, options: FieldOptions<T> & { default: T }): Field<T, true>;
};

function builder<T>(kind: FieldKind): FieldBuilder<T> {
  return ((description: string, options: FieldOptions<T> & { default?: T } = {}) => ({
    kind,
    description,
    ...options,
  })) as FieldBuilder<T>;
}

/** Field constructors, named after Vault's framework types. */
export const field = {
  string: builder<string>('string'),
  /** A string folded to lower case (TypeLowerCaseString). */
  lowercase: builder<string>('lowercase-string'),
  /** An identifier: letters, digits, `_`, `-`, `.`, starting and ending alphanumeric (TypeNameString). */
  name: builder<string>('name'),
  int: builder<number>('int'),
  bool: builder<boolean>('bool'),
  /** Whole seconds from an integer or a Go duration string ("1h30m"); negatives refused. */
  duration: builder<number>('duration'),
  /** A list from a comma-separated string or an array (TypeCommaStringSlice). */
  commaList: builder<string[]>('comma-list'),
  /** A list of strings; a single string becomes a one-element list (TypeStringSlice). */
  stringList: builder<string[]>('string-list'),
  commaIntList: builder<number[]>('comma-int-list'),
  map: builder<Record<string, unknown>>('map'),
  /** String-to-string pairs from an object or `["k=v", ...]` (TypeKVPairs). */
  kvPairs: builder<Record<string, string>>('kv-pairs'),
  any: builder<unknown>('any'),
};

/**
 * Why a value could not be coerced. The message deliberately leaves the input out:
 * echoing it would put secrets sent in the wrong field into responses and logs (CVE-2025-4166).
 */
export class FieldError extends Error {
  override readonly name = 'FieldError';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`error converting input for field "${field}": ${reason}`);
  }
}

const NAME = /^\w(?:[\w.-]*\w)?$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function asString(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  throw new FieldError(name, `expected a string, got ${describe(value)}`);
}

function asInt(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) {
    const parsed = Number(value.trim());
    if (Number.isSafeInteger(parsed)) return parsed;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new FieldError(name, `expected an integer, got ${describe(value)}`);
}

function asStringArray(name: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new FieldError(name, `expected a list, got ${describe(value)}`);
  return value.map((item) => asString(name, item));
}

function splitComma(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Coerces one raw input value to the field's type, as Vault's weak decoding does. */
export function coerceField(name: string, spec: Field<unknown>, value: unknown): unknown {
  let out: unknown;
  switch (spec.kind) {
    case 'string':
      out = asString(name, value);
      break;
    case 'lowercase-string':
      out = asString(name, value).toLowerCase();
      break;
    case 'name': {
      const text = asString(name, value);
      if (!NAME.test(text)) throw new FieldError(name, 'value must be a valid name');
      out = text;
      break;
    }
    case 'int':
      out = asInt(name, value);
      break;
    case 'bool': {
      const spelled = typeof value === 'string' ? parseGoBool(value) : undefined;
      if (typeof value === 'boolean') out = value;
      else if (typeof value === 'number') out = value !== 0;
      else if (spelled !== undefined) out = spelled;
      else throw new FieldError(name, `expected a boolean, got ${describe(value)}`);
      break;
    }
    case 'duration': {
      if (typeof value !== 'number' && typeof value !== 'string') {
        throw new FieldError(name, `expected a duration, got ${describe(value)}`);
      }
      let sec: number;
      try {
        sec = parseDurationSec(value);
      } catch {
        throw new FieldError(name, 'invalid duration');
      }
      if (sec < 0) throw new FieldError(name, 'cannot provide negative value');
      out = sec;
      break;
    }
    case 'comma-list':
      out = typeof value === 'string' ? splitComma(value) : asStringArray(name, value).map((s) => s.trim()).filter((s) => s !== '');
      break;
    case 'string-list':
      out = typeof value === 'string' ? [value] : asStringArray(name, value);
      break;
    case 'comma-int-list': {
      const items = typeof value === 'string' ? splitComma(value) : Array.isArray(value) ? value : [value];
      out = items.map((item) => asInt(name, item));
      break;
    }
    case 'map':
      if (!isPlainObject(value)) throw new FieldError(name, `expected a map, got ${describe(value)}`);
      out = value;
      break;
    case 'kv-pairs': {
      const pairs: Record<string, string> = {};
      if (isPlainObject(value)) {
        for (const [k, v] of Object.entries(value)) pairs[k] = asString(name, v);
      } else {
        for (const item of typeof value === 'string' ? splitComma(value) : asStringArray(name, value)) {
          const eq = item.indexOf('=');
          if (eq <= 0) throw new FieldError(name, 'expected key=value pairs');
          pairs[item.slice(0, eq)] = item.slice(eq + 1);
        }
      }
      out = pairs;
      break;
    }
    case 'any':
      out = value;
      break;
  }
  if (spec.allowed && !spec.allowed.includes(out)) {
    throw new FieldError(name, `value must be one of ${spec.allowed.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  return out;
}
