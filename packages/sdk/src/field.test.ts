// Typed request fields and Vault's weak-decoding coercions (sdk/framework/field_data.go).
import { describe, expect, it } from 'vitest';
import { defineBackend, type Backend } from './backend.js';
import { VaultError } from './errors.js';
import { coerceField, field, FIELD_KINDS, FieldError, type Field, type FieldTable } from './field.js';
import { definePath } from './path.js';
import type { BackendRequest, Operation } from './request.js';
import { createTestBackendEnv } from './testing/index.js';

function fieldErrorOf(fn: () => unknown): FieldError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FieldError);
    return error as FieldError;
  }
  throw new Error('expected a FieldError, nothing was thrown');
}

const coerce = (spec: Field<unknown>, value: unknown): unknown => coerceField('f', spec, value);
const reason = (spec: Field<unknown>, value: unknown): string => fieldErrorOf(() => coerceField('f', spec, value)).message;
const prefix = 'error converting input for field "f": ';

describe('field builders', () => {
  it('record kind, description and options, one builder per Vault type', () => {
    expect(field.string('a name', { required: true })).toEqual({ kind: 'string', description: 'a name', required: true });
    expect(field.int('n', { default: 3 })).toEqual({ kind: 'int', description: 'n', default: 3 });
    expect(field.bool('b', { default: false, allowed: [false] })).toEqual({ kind: 'bool', description: 'b', default: false, allowed: [false] });
    const kinds = [
      field.string(''),
      field.lowercase(''),
      field.name(''),
      field.int(''),
      field.bool(''),
      field.duration(''),
      field.commaList(''),
      field.stringList(''),
      field.commaIntList(''),
      field.map(''),
      field.kvPairs(''),
      field.any(''),
    ].map((f) => f.kind);
    expect(kinds).toEqual([...FIELD_KINDS]);
  });
});

describe('FieldError', () => {
  it("names the field and never echoes the input (CVE-2025-4166)", () => {
    const error = fieldErrorOf(() => coerceField('password', field.int('p'), 'hunter2-secret'));
    expect(error.name).toBe('FieldError');
    expect(error.field).toBe('password');
    expect(error.message).toBe('error converting input for field "password": expected an integer, got string');
    expect(error.message).not.toContain('hunter2');
    expect(fieldErrorOf(() => coerceField('d', field.duration('d'), 'hunter2')).message).not.toContain('hunter2');
    expect(fieldErrorOf(() => coerceField('n', field.name('n'), 'bad name!')).message).not.toContain('bad name!');
  });
});

describe('coerceField: string kinds', () => {
  it('string: takes strings as they are, numbers and booleans weakly (true → "1")', () => {
    expect(coerce(field.string(''), 'Hello ')).toBe('Hello ');
    expect(coerce(field.string(''), '')).toBe('');
    expect(coerce(field.string(''), 42)).toBe('42');
    expect(coerce(field.string(''), 1.5)).toBe('1.5');
    expect(coerce(field.string(''), true)).toBe('1');
    expect(coerce(field.string(''), false)).toBe('0');
  });

  it('string: refuses objects, arrays, null and non-finite numbers', () => {
    expect(reason(field.string(''), {})).toBe(`${prefix}expected a string, got object`);
    expect(reason(field.string(''), ['a'])).toBe(`${prefix}expected a string, got array`);
    expect(reason(field.string(''), null)).toBe(`${prefix}expected a string, got null`);
    expect(reason(field.string(''), Number.NaN)).toBe(`${prefix}expected a string, got number`);
  });

  it('lowercase: folds to lower case', () => {
    expect(coerce(field.lowercase(''), 'MiXeD-Case')).toBe('mixed-case');
    expect(coerce(field.lowercase(''), true)).toBe('1');
    expect(reason(field.lowercase(''), [])).toBe(`${prefix}expected a string, got array`);
  });

  it.each(['a', 'web', 'my-role', 'my_role', 'role.v2', 'A1', '0', 'a-b.c_d'])('name: accepts %j', (value) => {
    expect(coerce(field.name(''), value)).toBe(value);
  });

  it.each(['', '-lead', 'trail-', '.dot', 'dot.', 'has space', 'a/b', 'a*', 'é'])('name: refuses %j', (value) => {
    expect(reason(field.name(''), value)).toBe(`${prefix}value must be a valid name`);
  });

  it('name: keeps case and refuses non-strings', () => {
    expect(coerce(field.name(''), 'MyRole')).toBe('MyRole');
    expect(coerce(field.name(''), 7)).toBe('7');
    expect(reason(field.name(''), {})).toBe(`${prefix}expected a string, got object`);
  });
});

describe('coerceField: int', () => {
  it('takes integers, integer strings (trimmed, signed) and booleans', () => {
    expect(coerce(field.int(''), 12)).toBe(12);
    expect(coerce(field.int(''), -3)).toBe(-3);
    expect(coerce(field.int(''), '42')).toBe(42);
    expect(coerce(field.int(''), ' -7 ')).toBe(-7);
    expect(coerce(field.int(''), '+8')).toBe(8);
    expect(coerce(field.int(''), true)).toBe(1);
    expect(coerce(field.int(''), false)).toBe(0);
  });

  it.each([
    [1.5, 'number'],
    ['1.5', 'string'],
    ['12abc', 'string'],
    ['abc', 'string'],
    ['9007199254740993', 'string'],
    [2 ** 53, 'number'],
    [null, 'null'],
    [[1], 'array'],
    [{}, 'object'],
  ])('refuses %j', (value, kind) => {
    expect(reason(field.int(''), value)).toBe(`${prefix}expected an integer, got ${kind}`);
  });
});

describe('coerceField: bool', () => {
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('%j is true (Go strconv.ParseBool)', (value) => {
    expect(coerce(field.bool(''), value)).toBe(true);
  });

  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('%j is false (Go strconv.ParseBool)', (value) => {
    expect(coerce(field.bool(''), value)).toBe(false);
  });

  it('takes booleans as they are and numbers as non-zero', () => {
    expect(coerce(field.bool(''), true)).toBe(true);
    expect(coerce(field.bool(''), false)).toBe(false);
    expect(coerce(field.bool(''), 2)).toBe(true);
    expect(coerce(field.bool(''), -1)).toBe(true);
    expect(coerce(field.bool(''), 0)).toBe(false);
  });

  it.each([
    ['yes', 'string'],
    ['tRUE', 'string'],
    [' true', 'string'],
    ['on', 'string'],
    [null, 'null'],
    [{}, 'object'],
    [[true], 'array'],
  ])('refuses %j', (value, kind) => {
    expect(reason(field.bool(''), value)).toBe(`${prefix}expected a boolean, got ${kind}`);
  });
});

describe('coerceField: duration', () => {
  it('takes seconds and Go durations as whole seconds', () => {
    expect(coerce(field.duration(''), 3600)).toBe(3600);
    expect(coerce(field.duration(''), '3600')).toBe(3600);
    expect(coerce(field.duration(''), '1h30m')).toBe(5400);
    expect(coerce(field.duration(''), '768h')).toBe(2_764_800);
    expect(coerce(field.duration(''), '90s')).toBe(90);
    expect(coerce(field.duration(''), '0')).toBe(0);
    expect(coerce(field.duration(''), '')).toBe(0);
  });

  it('refuses garbage, negatives and non-scalar input', () => {
    expect(reason(field.duration(''), 'soon')).toBe(`${prefix}invalid duration`);
    expect(reason(field.duration(''), 1.5)).toBe(`${prefix}invalid duration`);
    expect(reason(field.duration(''), -1)).toBe(`${prefix}cannot provide negative value`);
    expect(reason(field.duration(''), '-1h')).toBe(`${prefix}cannot provide negative value`);
    expect(reason(field.duration(''), true)).toBe(`${prefix}expected a duration, got boolean`);
    expect(reason(field.duration(''), null)).toBe(`${prefix}expected a duration, got null`);
    expect(reason(field.duration(''), ['1h'])).toBe(`${prefix}expected a duration, got array`);
  });
});

describe('coerceField: lists', () => {
  it('comma-list: splits comma-separated strings, trims, drops empty items', () => {
    expect(coerce(field.commaList(''), 'a,b,c')).toEqual(['a', 'b', 'c']);
    expect(coerce(field.commaList(''), ' a , b ,, c ,')).toEqual(['a', 'b', 'c']);
    expect(coerce(field.commaList(''), 'single')).toEqual(['single']);
    expect(coerce(field.commaList(''), '')).toEqual([]);
  });

  it('comma-list: takes arrays item by item, weakly, without splitting their commas', () => {
    expect(coerce(field.commaList(''), [' x ', 'y', ''])).toEqual(['x', 'y']);
    expect(coerce(field.commaList(''), ['a,b'])).toEqual(['a,b']);
    expect(coerce(field.commaList(''), [1, true])).toEqual(['1', '1']);
    expect(reason(field.commaList(''), 5)).toBe(`${prefix}expected a list, got number`);
    expect(reason(field.commaList(''), { a: 1 })).toBe(`${prefix}expected a list, got object`);
    expect(reason(field.commaList(''), [{}])).toBe(`${prefix}expected a string, got object`);
  });

  it('string-list: a single string becomes a one-element list, commas kept', () => {
    expect(coerce(field.stringList(''), 'a,b')).toEqual(['a,b']);
    expect(coerce(field.stringList(''), '')).toEqual(['']);
    expect(coerce(field.stringList(''), ['a', ' b ', 3])).toEqual(['a', ' b ', '3']);
    expect(reason(field.stringList(''), 3)).toBe(`${prefix}expected a list, got number`);
    expect(reason(field.stringList(''), [null])).toBe(`${prefix}expected a string, got null`);
  });

  it('comma-int-list: from a comma string, an array, or one value', () => {
    expect(coerce(field.commaIntList(''), '1, 2,3')).toEqual([1, 2, 3]);
    expect(coerce(field.commaIntList(''), '')).toEqual([]);
    expect(coerce(field.commaIntList(''), [4, '5'])).toEqual([4, 5]);
    expect(coerce(field.commaIntList(''), 6)).toEqual([6]);
    expect(reason(field.commaIntList(''), '1,x')).toBe(`${prefix}expected an integer, got string`);
    expect(reason(field.commaIntList(''), [1.5])).toBe(`${prefix}expected an integer, got number`);
  });
});

describe('coerceField: maps', () => {
  it('map: takes plain objects as they are, refuses anything else', () => {
    const value = { a: 1, nested: { b: [true] } };
    expect(coerce(field.map(''), value)).toBe(value);
    expect(reason(field.map(''), 'a=b')).toBe(`${prefix}expected a map, got string`);
    expect(reason(field.map(''), [])).toBe(`${prefix}expected a map, got array`);
    expect(reason(field.map(''), null)).toBe(`${prefix}expected a map, got null`);
  });

  it('kv-pairs: from an object, with values weakly made strings', () => {
    expect(coerce(field.kvPairs(''), { team: 'ops', n: 3, on: true })).toEqual({ team: 'ops', n: '3', on: '1' });
    expect(reason(field.kvPairs(''), { a: {} })).toBe(`${prefix}expected a string, got object`);
  });

  it('kv-pairs: from ["k=v", ...], splitting at the first "=" only', () => {
    expect(coerce(field.kvPairs(''), ['a=1', 'b=x=y', 'c='])).toEqual({ a: '1', b: 'x=y', c: '' });
    expect(coerce(field.kvPairs(''), 'env=prod')).toEqual({ env: 'prod' });
    expect(coerce(field.kvPairs(''), [])).toEqual({});
  });

  it('kv-pairs: refuses items without a key', () => {
    expect(reason(field.kvPairs(''), ['novalue'])).toBe(`${prefix}expected key=value pairs`);
    expect(reason(field.kvPairs(''), ['=v'])).toBe(`${prefix}expected key=value pairs`);
    expect(reason(field.kvPairs(''), 7)).toBe(`${prefix}expected a list, got number`);
  });

  it('any: passes the value through untouched', () => {
    const value = { deep: [1, 'two', null] };
    expect(coerce(field.any(''), value)).toBe(value);
    expect(coerce(field.any(''), null)).toBeNull();
  });
});

describe('coerceField: allowed values', () => {
  it('checks the coerced value against the allowed list', () => {
    const kind = field.lowercase('', { allowed: ['rsa', 'ec'] });
    expect(coerce(kind, 'RSA')).toBe('rsa');
    expect(reason(kind, 'dsa')).toBe(`${prefix}value must be one of "rsa", "ec"`);
    const bits = field.int('', { allowed: [2048, 4096] });
    expect(coerce(bits, '4096')).toBe(4096);
    expect(reason(bits, 1024)).toBe(`${prefix}value must be one of 2048, 4096`);
  });
});

// Fields as a backend sees them: coercion, defaults, required fields and the 400 they produce.
const fields = {
  name: field.name('Role name'),
  ttl: field.duration('Lease TTL', { default: 3600 }),
  enabled: field.bool('Enabled', { default: true }),
  policies: field.commaList('Policies'),
  max_uses: field.int('Use limit'),
  kind: field.string('Kind', { required: true }),
} satisfies FieldTable;

async function rolesBackend(): Promise<{ backend: Backend; seen: Record<string, unknown>[] }> {
  const seen: Record<string, unknown>[] = [];
  const record = (ctx: { data: Record<string, unknown>; has(name: keyof typeof fields): boolean }) => {
    seen.push({ ...ctx.data, hasTtl: ctx.has('ttl') });
    return { data: { ...ctx.data } };
  };
  const backend = await defineBackend(() => ({
    type: 'roles',
    help: 'Roles.',
    paths: [
      definePath({
        pattern: 'roles/:name',
        fields,
        operations: {
          read: { summary: 'Read', handler: record },
          update: { summary: 'Write', handler: record },
          delete: { summary: 'Delete', handler: record },
        },
        help: { synopsis: 'Manage roles.' },
      }),
    ],
  }))(createTestBackendEnv());
  return { backend, seen };
}

function request(operation: Operation, path: string, data: Record<string, unknown> = {}): BackendRequest {
  return { operation, path, data, caller: { requestId: 'req-1', headers: {} } };
}

async function rejection(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe('fields through a backend', () => {
  it('hands the handler coerced values and fills defaults', async () => {
    const { backend, seen } = await rolesBackend();
    const result = await backend.handle(request('update', 'roles/web', { kind: 'k', enabled: 'false', policies: 'a, b', max_uses: '5' }));
    expect(seen[0]).toEqual({ name: 'web', ttl: 3600, enabled: false, policies: ['a', 'b'], max_uses: 5, kind: 'k', hasTtl: false });
    expect(result?.warnings).toBeUndefined();
  });

  it('leaves absent fields without a default undefined, and treats null as absent', async () => {
    const { backend, seen } = await rolesBackend();
    await backend.handle(request('update', 'roles/web', { kind: 'k', ttl: null, policies: null }));
    expect(seen[0]).toMatchObject({ ttl: 3600, enabled: true, policies: undefined, max_uses: undefined });
    expect(Object.hasOwn(seen[0]!, 'max_uses')).toBe(true);
  });

  it('reports a field the caller sent through ctx.has, defaults aside', async () => {
    const { backend, seen } = await rolesBackend();
    await backend.handle(request('update', 'roles/web', { kind: 'k', ttl: '2h' }));
    expect(seen[0]).toMatchObject({ ttl: 7200, hasTtl: true });
  });

  it('turns a coercion failure into a 400 invalid_request with the field wording', async () => {
    const { backend, seen } = await rolesBackend();
    const error = await rejection(backend.handle(request('update', 'roles/web', { kind: 'k', ttl: 'forever' })));
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_request');
    expect(error.errors).toEqual(['error converting input for field "ttl": invalid duration']);
    expect(seen).toHaveLength(0);
  });

  it('validates URL captures as fields too', async () => {
    const { backend } = await rolesBackend();
    const error = await rejection(backend.handle(request('update', 'roles/-bad', { kind: 'k' })));
    expect(error.status).toBe(400);
    expect(error.errors).toEqual(['error converting input for field "name": value must be a valid name']);
  });

  it('requires required fields on writes only', async () => {
    const { backend, seen } = await rolesBackend();
    const error = await rejection(backend.handle(request('update', 'roles/web', { ttl: 60 })));
    expect(error.status).toBe(400);
    expect(error.errors).toEqual(['missing required field "kind"']);
    const nullKind = await rejection(backend.handle(request('update', 'roles/web', { kind: null })));
    expect(nullKind.errors).toEqual(['missing required field "kind"']);
    await backend.handle(request('read', 'roles/web'));
    await backend.handle(request('delete', 'roles/web'));
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({ name: 'web', kind: undefined });
  });
});
