// Parameter constraints of the winning rule: required, denied, allowed; globs, arrays, comma lists, non-strings.
import { describe, expect, it } from 'vitest';
import { compileAcl } from './acl.js';
import type { AclOperation } from './acl.js';
import { deepEqual, globMatch } from './parameters.js';
import { parsePolicy } from './policy.js';

function checker(body: string): (data: Record<string, unknown> | undefined, operation?: AclOperation) => boolean {
  const a = compileAcl([parsePolicy('p', `path "s/x" {\n capabilities = ["create", "read", "update", "patch", "delete", "list"]\n${body}\n}`)]);
  return (data, operation = 'update') => a.check({ path: 's/x', operation, rootProtected: false, ...(data === undefined ? {} : { data }) }).allowed;
}

describe('globMatch', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['ab*', 'abcd', true],
    ['ab*', 'xab', false],
    ['*cd', 'abcd', true],
    ['*cd', 'cdx', false],
    ['*b*', 'abc', true],
    ['*b*', 'ac', false],
    ['*', 'anything', false],
    ['*', '*', true],
    ['', '', true],
    ['a*c', 'abc', false],
    ['a*c', 'a*c', true],
  ])('%j against %j is %s', (pattern, value, expected) => {
    expect(globMatch(pattern, value)).toBe(expected);
  });
});

describe('deepEqual', () => {
  it('compares JSON-like values structurally', () => {
    expect(deepEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual({ a: 1, c: 2 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual([1, 2], [1])).toBe(false);
    expect(deepEqual(1, '1')).toBe(false);
  });
});

describe('required parameters', () => {
  it('must all be present (as lower-cased names), even when data is otherwise empty', () => {
    const ok = checker('required_parameters = ["Name", "ttl"]');
    expect(ok({ name: 'a', ttl: 1 })).toBe(true);
    expect(ok({ name: 'a' })).toBe(false);
    expect(ok({ Name: 'a', ttl: 1 })).toBe(false);
    expect(ok(undefined)).toBe(false);
    expect(ok({})).toBe(false);
  });
});

describe('denied parameters', () => {
  it('allows a request without data, and refuses any data under a denied *', () => {
    const ok = checker('denied_parameters = { "*" = [] }');
    expect(ok(undefined)).toBe(true);
    expect(ok({})).toBe(true);
    expect(ok({ a: 1 })).toBe(false);
  });

  it('denies a key with an empty list whatever its value, matching keys case-insensitively', () => {
    const ok = checker('denied_parameters = { "Secret" = [] }');
    expect(ok({ SECRET: '' })).toBe(false);
    expect(ok({ other: 'x' })).toBe(true);
  });

  it('denies values matching an entry by glob, or any array element, or any comma-separated element', () => {
    const ok = checker('denied_parameters = { policies = ["root", "admin-*"], n = [5, true] }');
    expect(ok({ policies: 'dev' })).toBe(true);
    expect(ok({ policies: 'root' })).toBe(false);
    expect(ok({ policies: 'admin-ops' })).toBe(false);
    expect(ok({ policies: ['dev', 'root'] })).toBe(false);
    expect(ok({ policies: ['dev', 'ops'] })).toBe(true);
    expect(ok({ policies: 'dev, root' })).toBe(false);
    expect(ok({ policies: 'dev,admin-x' })).toBe(false);
    expect(ok({ policies: 'dev,ops' })).toBe(true);
    expect(ok({ n: 5 })).toBe(false);
    expect(ok({ n: true })).toBe(false);
    expect(ok({ n: '5' })).toBe(true);
    expect(ok({ n: 6 })).toBe(true);
  });

  it('is checked before allowed parameters', () => {
    const ok = checker('denied_parameters = { a = ["x"] }\n allowed_parameters = { a = [] }');
    expect(ok({ a: 'x' })).toBe(false);
    expect(ok({ a: 'y' })).toBe(true);
  });
});

describe('allowed parameters', () => {
  it('allows everything when only * is listed', () => {
    const ok = checker('allowed_parameters = { "*" = [] }');
    expect(ok({ anything: 1, at: ['all'] })).toBe(true);
  });

  it('refuses unlisted keys unless * is also listed', () => {
    expect(checker('allowed_parameters = { a = [] }')({ a: 1, b: 2 })).toBe(false);
    expect(checker('allowed_parameters = { a = ["1"], "*" = [] }')({ a: '1', b: 2 })).toBe(true);
    expect(checker('allowed_parameters = { a = ["1"], "*" = [] }')({ a: '2', b: 2 })).toBe(false);
  });

  it('requires every array element and every comma-separated element to match an entry', () => {
    const ok = checker('allowed_parameters = { policies = ["dev*", "ops"] }');
    expect(ok({ policies: 'dev-a' })).toBe(true);
    expect(ok({ policies: ['dev-a', 'ops'] })).toBe(true);
    expect(ok({ policies: ['dev-a', 'root'] })).toBe(false);
    expect(ok({ policies: 'dev-a, ops' })).toBe(true);
    expect(ok({ policies: 'dev,admin' })).toBe(false);
    expect(ok({ POLICIES: 'ops' })).toBe(true);
  });

  it('compares non-string values by deep equality, and null only with null', () => {
    const ok = checker('allowed_parameters = { n = [1, false, { k = "v" }] }');
    expect(ok({ n: 1 })).toBe(true);
    expect(ok({ n: false })).toBe(true);
    expect(ok({ n: { k: 'v' } })).toBe(true);
    expect(ok({ n: { k: 'w' } })).toBe(false);
    expect(ok({ n: '1' })).toBe(false);
    expect(ok({ n: null })).toBe(false);
    const nullable = compileAcl([parsePolicy('p', '{"path": {"s/x": {"capabilities": ["update"], "allowed_parameters": {"n": [null]}}}}')]);
    expect(nullable.check({ path: 's/x', operation: 'update', rootProtected: false, data: { n: null } }).allowed).toBe(true);
  });

  it('allows requests with no data whatever the allowed list', () => {
    expect(checker('allowed_parameters = { a = ["1"] }')({})).toBe(true);
  });
});

describe('which operations are checked', () => {
  it('checks read, create, update and patch, never list or delete', () => {
    const ok = checker('denied_parameters = { a = [] }\n required_parameters = ["r"]');
    for (const op of ['read', 'create', 'update', 'patch'] as const) expect(ok({ a: 1 }, op)).toBe(false);
    for (const op of ['list', 'delete'] as const) expect(ok({ a: 1 }, op)).toBe(true);
  });

  it('gives a reason naming the parameter', () => {
    const a = compileAcl([parsePolicy('p', 'path "s/x" { capabilities = ["update"]\n allowed_parameters = { a = ["1"], q = [] }\n required_parameters = ["q"] }')]);
    const reason = (data: Record<string, unknown>): string | undefined => a.check({ path: 's/x', operation: 'update', rootProtected: false, data }).reason;
    expect(reason({ q: 1, a: '2' })).toBe('value of parameter "a" is not allowed');
    expect(reason({ q: 1, b: '1' })).toBe('parameter "b" is not allowed');
    expect(reason({ a: '1' })).toBe('missing required parameter "q"');
  });
});
