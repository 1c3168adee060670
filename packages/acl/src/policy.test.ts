// parsePolicy: stanza semantics, the JSON form, legacy `policy =`, and every validation error with its position.
import { describe, expect, it } from 'vitest';
import { CAPABILITY_BITS, capabilityNames } from './capability.js';
import { normalizePolicyName, parsePolicy } from './policy.js';
import type { PathRule } from './policy.js';
import { PolicyParseError } from './policy-parse-error.js';

const only = (text: string): PathRule => {
  const rules = parsePolicy('p', text).rules;
  expect(rules).toHaveLength(1);
  return rules[0]!;
};
const caps = (text: string): string[] => capabilityNames(only(text).capabilities);

function parseError(text: string): PolicyParseError {
  try {
    parsePolicy('p', text);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyParseError);
    return error as PolicyParseError;
  }
  throw new Error('expected a PolicyParseError');
}

describe('parsePolicy', () => {
  it('normalizes the name, keeps the text and reads a full stanza', () => {
    const text = `
name = "ignored"
path "/secret/data/app" {
  capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo", "subscribe", "recover"]
  allowed_parameters = { "Foo" = ["a", 1, true], "*" = [] }
  denied_parameters { "BAR" = [] }
  required_parameters = ["Baz"]
  min_wrapping_ttl = "1m"
  max_wrapping_ttl = 3600
  mfa_methods = ["totp"]
  control_group = { factor "ops" { identity { group_names = ["ops"] } } }
  comment = "why"
  subscribe_event_types = ["kv*"]
}`;
    const policy = parsePolicy('  Ops-Team ', text);
    expect(policy.name).toBe('ops-team');
    expect(policy.text).toBe(text);
    const rule = policy.rules[0]!;
    expect(rule).toMatchObject({ rawPath: 'secret/data/app', path: 'secret/data/app', kind: 'exact', isPrefix: false, minWrappingTtlSec: 60, maxWrappingTtlSec: 3600, hasTemplate: false, line: 3 });
    expect(capabilityNames(rule.capabilities)).toEqual(['create', 'delete', 'list', 'patch', 'read', 'recover', 'subscribe', 'sudo', 'update']);
    expect([...rule.allowedParameters]).toEqual([['foo', ['a', 1, true]], ['*', []]]);
    expect([...rule.deniedParameters]).toEqual([['bar', []]]);
    expect(rule.requiredParameters).toEqual(['baz']);
  });

  it('normalizePolicyName trims and lower-cases', () => {
    expect(normalizePolicyName('  MyPolicy\t')).toBe('mypolicy');
  });

  it('classifies paths: exact, prefix (star stripped), segment wildcard (star kept), literal inner star', () => {
    const rules = parsePolicy('p', ['secret/foo', 'secret/*', 'secret/zip-*', '+', '+/x', 'a/+/b', 'a/+/b*', 'a/*/b', '/lead', '*', 'a/+b'].map((p) => `path "${p}" {}`).join('\n')).rules;
    expect(rules.map((r) => [r.path, r.kind, r.isPrefix])).toEqual([
      ['secret/foo', 'exact', false],
      ['secret/', 'prefix', true],
      ['secret/zip-', 'prefix', true],
      ['+', 'segment', false],
      ['+/x', 'segment', false],
      ['a/+/b', 'segment', false],
      ['a/+/b*', 'segment', true],
      ['a/*/b', 'exact', false],
      ['lead', 'exact', false],
      ['', 'prefix', true],
      ['a/+b', 'segment', false],
    ]);
  });

  it('maps legacy policy values onto capabilities and combines them with capabilities', () => {
    expect(caps('path "a" { policy = "read" }')).toEqual(['list', 'read']);
    expect(caps('path "a" { policy = "write" }')).toEqual(['create', 'delete', 'list', 'read', 'update']);
    expect(caps('path "a" { policy = "sudo" }')).toEqual(['create', 'delete', 'list', 'read', 'sudo', 'update']);
    expect(caps('path "a" { policy = "deny" }')).toEqual(['deny']);
    expect(caps('path "a" { policy = "" }')).toEqual([]);
    expect(caps('path "a" { policy = "read"\n capabilities = ["patch"] }')).toEqual(['list', 'patch', 'read']);
  });

  it('makes a stanza with deny deny-only, dropping its other capabilities and parameters', () => {
    const rule = only('path "a" { capabilities = ["read", "deny", "update"]\n allowed_parameters { x = [] }\n required_parameters = ["y"] }');
    expect(rule.capabilities).toBe(CAPABILITY_BITS.deny);
    expect(rule.allowedParameters.size).toBe(0);
    expect(rule.requiredParameters).toEqual([]);
  });

  it('treats repeated keys in a stanza as HCL1 decodes them: lists append, maps merge, scalars overwrite', () => {
    const rule = only('path "a" {\n capabilities = ["read"]\n capabilities = ["list"]\n allowed_parameters { x = [] }\n allowed_parameters { y = ["1"] }\n max_wrapping_ttl = "1h"\n max_wrapping_ttl = "2h"\n}');
    expect(capabilityNames(rule.capabilities)).toEqual(['list', 'read']);
    expect([...rule.allowedParameters.keys()]).toEqual(['x', 'y']);
    expect(rule.maxWrappingTtlSec).toBe(7200);
  });

  it('keeps every stanza when a path repeats (compileAcl merges them)', () => {
    const rules = parsePolicy('p', 'path "a" { capabilities = ["read"] }\npath "a" { capabilities = ["list"] }').rules;
    expect(rules.map((r) => capabilityNames(r.capabilities))).toEqual([['read'], ['list']]);
  });

  it('accepts `path { "k" { } }` and `path = { "k" = { } }` groupings', () => {
    const rules = parsePolicy('p', 'path { "a" { capabilities = ["read"] } }\npath = { "b/*" = { capabilities = ["list"] } }').rules;
    expect(rules.map((r) => [r.path, r.kind])).toEqual([['a', 'exact'], ['b/', 'prefix']]);
  });

  it('accepts whole-second durations as strings or numbers', () => {
    expect(only('path "a" { min_wrapping_ttl = "90s"\n max_wrapping_ttl = "1h30m" }')).toMatchObject({ minWrappingTtlSec: 90, maxWrappingTtlSec: 5400 });
    expect(only('path "a" { min_wrapping_ttl = 5\n max_wrapping_ttl = "5" }')).toMatchObject({ minWrappingTtlSec: 5, maxWrappingTtlSec: 5 });
  });

  it('flags templated paths without resolving them', () => {
    const rule = only('path "identity/entity/id/{{identity.entity.id}}" { capabilities = ["read"] }');
    expect(rule).toMatchObject({ hasTemplate: true, kind: 'exact', rawPath: 'identity/entity/id/{{identity.entity.id}}' });
  });

  it('parses an empty policy to no rules', () => {
    expect(parsePolicy('root', '').rules).toEqual([]);
  });
});

describe('parsePolicy, JSON form', () => {
  it('reads the JSON form with the same meaning as HCL', () => {
    const json = parsePolicy('p', JSON.stringify({
      name: 'x',
      path: {
        'secret/*': { capabilities: ['read', 'list'], allowed_parameters: { Foo: ['bar'] }, min_wrapping_ttl: '10s', max_wrapping_ttl: 60 },
        'secret/+/x': { policy: 'write' },
      },
    })).rules;
    const hcl = parsePolicy('p', 'path "secret/*" {\n capabilities = ["read", "list"]\n allowed_parameters = { Foo = ["bar"] }\n min_wrapping_ttl = "10s"\n max_wrapping_ttl = 60\n}\npath "secret/+/x" { policy = "write" }').rules;
    expect(json.map(({ line: _line, ...r }) => r)).toEqual(hcl.map(({ line: _line, ...r }) => r));
  });

  it('accepts a list of path objects and a list of parameter objects', () => {
    const rules = parsePolicy('p', '{"path": [{"a": {"capabilities": ["read"]}}, {"b": {"allowed_parameters": [{"x": []}, {"y": ["1"]}]}}]}').rules;
    expect(rules.map((r) => r.path)).toEqual(['a', 'b']);
    expect([...rules[1]!.allowedParameters.keys()]).toEqual(['x', 'y']);
  });

  it('is chosen only when the first non-blank character is `{`', () => {
    expect(parsePolicy('p', '  \n {"path": {"a": {}}}').rules).toHaveLength(1);
    expect(() => parsePolicy('p', '# c\n{"path": {"a": {}}}')).toThrow(PolicyParseError);
  });
});

describe('parsePolicy errors', () => {
  it.each([
    ['path "a" {}\nfoo = 1', 2, 1, 'invalid key "foo"'],
    ['path "a" {\n  capabilities = ["read"]\n  colour = "red"\n}', 3, 3, 'path "a": invalid key "colour"'],
    ['path "a" {\n  capabilities = ["read", "x"]\n}', 2, 27, 'path "a": invalid capability "x"'],
    ['path "a" {\n  capabilities = "read"\n}', 2, 18, 'capabilities: expected a list of strings'],
    ['path "a" { capabilities = [1] }', 1, 28, 'capabilities: expected a list of strings'],
    ['\n  path "secret/+*" {}', 2, 8, `path "secret/+*": invalid use of wildcards ('+*' is forbidden)`],
    ['path "a" { policy = "admin" }', 1, 21, 'path "a": invalid policy "admin"'],
    ['path "a" { policy = ["read"] }', 1, 21, 'policy must be a string'],
    ['path "a" {\n  min_wrapping_ttl = "2h"\n  max_wrapping_ttl = "1h"\n}', 3, 22, 'max_wrapping_ttl cannot be less than min_wrapping_ttl'],
    ['path "a" { min_wrapping_ttl = "soon" }', 1, 31, 'error parsing min_wrapping_ttl: time: invalid duration "soon"'],
    ['path "a" { max_wrapping_ttl = 1.5 }', 1, 31, 'error parsing max_wrapping_ttl'],
    ['path "a" { max_wrapping_ttl = "-5s" }', 1, 31, 'duration cannot be negative'],
    ['path "a" { max_wrapping_ttl = [] }', 1, 31, 'error parsing max_wrapping_ttl: expected a duration'],
    ['path "a" {\n  allowed_parameters = { "*" = ["x"] }\n}', 2, 32, 'the "*" parameter only accepts an empty list'],
    ['path "a" { denied_parameters = { "k" = "v" } }', 1, 40, 'parameter "k" must be a list'],
    ['path "a" { denied_parameters = ["k"] }', 1, 33, 'expected a map of parameter names to lists'],
    ['path "a" { allowed_parameters "k" {} }', 1, 31, 'unexpected label "k"'],
    ['path "a" { required_parameters = "k" }', 1, 34, 'required_parameters: expected a list of strings'],
    ['path "a" { comment = 1 }', 1, 22, 'comment must be a string'],
    ['path "a" { control_group = "x" }', 1, 28, 'control_group must be an object'],
    ['path "a" { mfa_methods = [true] }', 1, 27, 'mfa_methods: expected a list of strings'],
    ['path "a" "b" {}', 1, 10, 'path stanza takes one path key'],
    ['path = "a"', 1, 8, 'path: expected an object of path stanzas'],
    ['path = { "a" = 1 }', 1, 16, 'path "a": expected an object'],
    ['name "x" {}', 1, 6, 'unexpected label "x" after "name"'],
    ['{"path": {"a": {"capabilities": ["read"], "bogus": 1}}}', 1, 43, 'path "a": invalid key "bogus"'],
    ['{"paths": {}}', 1, 2, 'invalid key "paths"'],
    ['{\n  "path": {\n    "a": {"capabilities": ["reed"]}\n  }\n}', 3, 28, 'invalid capability "reed"'],
  ])('%j fails at %i:%i', (text, line, column, detail) => {
    const error = parseError(text);
    expect(error.detail).toContain(detail);
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.message).toBe(`At ${line}:${column}: ${error.detail}`);
  });
});

describe('PolicyParseError', () => {
  it('reads as Vault once the core prefixes "failed to parse policy: "', () => {
    const error = parseError('path "a" {\n  capabilities = ["fly"]\n}');
    expect(`failed to parse policy: ${error.message}`).toBe('failed to parse policy: At 2:19: path "a": invalid capability "fly"');
    expect(error.name).toBe('PolicyParseError');
    expect(new PolicyParseError('no position').message).toBe('no position');
    expect(new PolicyParseError('no position').line).toBeUndefined();
  });
});
