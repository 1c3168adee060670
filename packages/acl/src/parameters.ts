// Request-parameter constraints of the winning rule: required, denied and allowed parameters.

/** The part of a compiled rule the parameter check reads. Maps are keyed by lower-cased names. */
export interface ParameterConstraints {
  readonly allowedParameters: ReadonlyMap<string, readonly unknown[]>;
  readonly deniedParameters: ReadonlyMap<string, readonly unknown[]>;
  readonly requiredParameters: readonly string[];
}

/**
 * Why `data` breaks the constraints, or undefined when it satisfies them. Order as Vault's:
 * required names first; then empty data passes; a denied `*` refuses any data; denied values;
 * then, unless unrestricted, every key must be allowed with an allowed value.
 */
export function parameterViolation(rule: ParameterConstraints, data: Readonly<Record<string, unknown>> | undefined): string | undefined {
  for (const name of rule.requiredParameters) {
    if (data === undefined || !Object.hasOwn(data, name)) return `missing required parameter ${JSON.stringify(name)}`;
  }
  if (data === undefined || isEmpty(data)) return undefined;

  const denied = rule.deniedParameters;
  if (denied.size > 0) {
    if (denied.has('*')) return 'all parameters are denied';
    for (const key in data) {
      if (!Object.hasOwn(data, key)) continue;
      const list = denied.get(key.toLowerCase());
      if (list !== undefined && isDeniedValue(data[key], list)) return `parameter ${JSON.stringify(key)} is denied`;
    }
  }

  const allowed = rule.allowedParameters;
  if (allowed.size === 0) return undefined;
  const allowAll = allowed.has('*');
  if (allowAll && allowed.size === 1) return undefined;
  for (const key in data) {
    if (!Object.hasOwn(data, key)) continue;
    const list = allowed.get(key.toLowerCase());
    if (list === undefined) {
      if (!allowAll) return `parameter ${JSON.stringify(key)} is not allowed`;
    } else if (!isAllowedValue(data[key], list)) {
      return `value of parameter ${JSON.stringify(key)} is not allowed`;
    }
  }
  return undefined;
}

function isEmpty(data: Readonly<Record<string, unknown>>): boolean {
  for (const key in data) if (Object.hasOwn(data, key)) return false;
  return true;
}

/**
 * A value is denied when it, any element of an array, or any element of a comma-separated string
 * matches an entry — erring towards denial, since backends read such strings as lists.
 */
function isDeniedValue(value: unknown, list: readonly unknown[]): boolean {
  if (list.length === 0) return true;
  if (matchesAny(value, list)) return true;
  if (Array.isArray(value)) return value.some((v) => matchesAny(v, list));
  if (typeof value === 'string' && value.includes(',')) return value.split(',').some((v) => matchesAny(v.trim(), list));
  return false;
}

/**
 * A value is allowed when it matches an entry; an array or comma-separated string only when every
 * element does, so `"dev,admin"` does not slip past an allowed `"dev*"` as one string.
 */
function isAllowedValue(value: unknown, list: readonly unknown[]): boolean {
  if (list.length === 0) return true;
  if (Array.isArray(value)) return value.every((v) => matchesAny(v, list));
  if (typeof value === 'string' && value.includes(',')) return value.split(',').every((v) => matchesAny(v.trim(), list));
  return matchesAny(value, list);
}

function matchesAny(value: unknown, list: readonly unknown[]): boolean {
  for (const entry of list) {
    if (entry === null || entry === undefined || value === null || value === undefined) {
      if ((entry ?? null) === (value ?? null)) return true;
    } else if (typeof entry === 'string' && typeof value === 'string') {
      if (globMatch(entry, value)) return true;
    } else if (deepEqual(entry, value)) {
      return true;
    }
  }
  return false;
}

/**
 * Vault's glob for parameter values: a leading and/or trailing `*` makes a suffix, prefix or
 * substring match; anything else (including a lone `*`) must be equal.
 */
export function globMatch(pattern: string, value: string): boolean {
  if (pattern.length < 2) return pattern === value;
  const head = pattern.startsWith('*');
  const tail = pattern.endsWith('*');
  if (head && tail) return value.includes(pattern.slice(1, -1));
  if (head) return value.endsWith(pattern.slice(1));
  if (tail) return value.startsWith(pattern.slice(0, -1));
  return value === pattern;
}

/** Structural equality for JSON-like values (numbers compare by value, so 1 equals 1.0). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((v, i) => deepEqual(v, other[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
