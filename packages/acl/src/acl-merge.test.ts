// Merging stanzas that share a path string and kind, across policies and within one.
import { describe, expect, it } from 'vitest';
import { compileAcl } from './acl.js';
import type { Acl, AclRequest } from './acl.js';
import { parsePolicy } from './policy.js';

const acl = (...texts: string[]): Acl => compileAcl(texts.map((text, i) => parsePolicy(`p${i}`, text)));
const req = (path: string, extra: Partial<AclRequest> = {}): AclRequest => ({ path, operation: 'update', rootProtected: false, ...extra });

describe('merging', () => {
  it('ORs capabilities of the same path across policies and records which policies grant what', () => {
    const a = acl('path "s/x" { capabilities = ["read"] }', 'path "s/x" { capabilities = ["update", "read"] }');
    expect(a.capabilities('s/x')).toEqual(['read', 'update']);
    expect(a.check(req('s/x', { operation: 'read' })).grantingPolicies).toEqual(['p0', 'p1']);
    expect(a.check(req('s/x')).grantingPolicies).toEqual(['p1']);
  });

  it('merges repeated stanzas inside one policy the same way', () => {
    const a = acl('path "s/x" { capabilities = ["read"] }\npath "s/x" { capabilities = ["list"] }');
    expect(a.capabilities('s/x')).toEqual(['list', 'read']);
  });

  it('makes the merged rule deny-only when either side denies, whatever the order', () => {
    for (const order of [['read', 'deny'], ['deny', 'read']]) {
      const a = acl(...order.map((c) => `path "s/*" { capabilities = ["${c}"] }`), 'path "s/*" { capabilities = ["update"] }');
      expect(a.capabilities('s/y')).toEqual(['deny']);
      expect(a.check(req('s/y')).allowed).toBe(false);
    }
  });

  it('merges only identical path strings of the same kind', () => {
    const a = acl('path "s/x" { capabilities = ["read"] }', 'path "s/x*" { capabilities = ["deny"] }', 'path "s/+" { capabilities = ["list"] }', 'path "s/+/*" { capabilities = ["update"] }');
    expect(a.capabilities('s/x')).toEqual(['read']);
    expect(a.capabilities('s/xy')).toEqual(['deny']);
    expect(a.capabilities('s/y')).toEqual(['list']);
    expect(a.capabilities('s/y/z')).toEqual(['update']);
  });

  it('keeps segment rules with and without a trailing * apart', () => {
    const a = acl('path "s/+/a" { capabilities = ["read"] }', 'path "s/+/a*" { capabilities = ["list"] }');
    expect(a.capabilities('s/q/a')).toEqual(['read']);
    expect(a.capabilities('s/q/ab')).toEqual(['list']);
  });

  it('takes the smaller non-zero wrapping TTL bounds', () => {
    const a = acl('path "s/x" { capabilities = ["update"]\n min_wrapping_ttl = "10s"\n max_wrapping_ttl = "100s" }', 'path "s/x" { capabilities = ["read"]\n min_wrapping_ttl = "5s" }', 'path "s/x" { max_wrapping_ttl = "50s" }', 'path "s/x" {}');
    expect(a.check(req('s/x', { wrapTtlSec: 5 })).allowed).toBe(true);
    expect(a.check(req('s/x', { wrapTtlSec: 4 })).allowed).toBe(false);
    expect(a.check(req('s/x', { wrapTtlSec: 50 })).allowed).toBe(true);
    expect(a.check(req('s/x', { wrapTtlSec: 51 })).allowed).toBe(false);
  });

  it('denies every request when merging leaves max_wrapping_ttl below min_wrapping_ttl', () => {
    const a = acl('path "s/x" { capabilities = ["update"]\n min_wrapping_ttl = "60s" }', 'path "s/x" { max_wrapping_ttl = "30s" }');
    for (const ttl of [undefined, 10, 30, 45, 60, 90]) expect(a.check(req('s/x', ttl === undefined ? {} : { wrapTtlSec: ttl })).allowed).toBe(false);
  });

  it('unions allowed parameters: an empty list on either side means any value, other lists concatenate', () => {
    const a = acl(
      'path "s/x" { capabilities = ["update"]\n allowed_parameters = { a = ["1"], b = ["x"], c = [] } }',
      'path "s/x" { allowed_parameters = { a = ["2"], b = [], d = ["z"] } }',
    );
    const ok = (data: Record<string, unknown>): boolean => a.check(req('s/x', { data })).allowed;
    expect(ok({ a: '1' })).toBe(true);
    expect(ok({ a: '2' })).toBe(true);
    expect(ok({ a: '3' })).toBe(false);
    expect(ok({ b: 'anything', c: 'anything', d: 'z' })).toBe(true);
    expect(ok({ d: 'y' })).toBe(false);
    expect(ok({ e: '1' })).toBe(false);
  });

  it('narrows an unrestricted stanza when merged with one that lists allowed parameters (as Vault does)', () => {
    const a = acl('path "s/x" { capabilities = ["update"] }', 'path "s/x" { allowed_parameters = { a = [] } }');
    expect(a.check(req('s/x', { data: { b: 1 } })).allowed).toBe(false);
    expect(a.check(req('s/x', { data: { a: 1 } })).allowed).toBe(true);
  });

  it('unions denied and required parameters', () => {
    const a = acl(
      'path "s/x" { capabilities = ["update"]\n denied_parameters = { a = ["bad"] }\n required_parameters = ["r1"] }',
      'path "s/x" { denied_parameters = { a = ["worse"], b = [] }\n required_parameters = ["r2", "r1"] }',
    );
    const ok = (data: Record<string, unknown>): boolean => a.check(req('s/x', { data })).allowed;
    expect(ok({ r1: 1, r2: 1 })).toBe(true);
    expect(ok({ r1: 1 })).toBe(false);
    expect(ok({ r1: 1, r2: 1, a: 'bad' })).toBe(false);
    expect(ok({ r1: 1, r2: 1, a: 'worse' })).toBe(false);
    expect(ok({ r1: 1, r2: 1, a: 'fine' })).toBe(true);
    expect(ok({ r1: 1, r2: 1, b: 'x' })).toBe(false);
  });

  it('clears parameter constraints when a deny is merged in, so only the deny remains', () => {
    const a = acl('path "s/x" { capabilities = ["update"]\n allowed_parameters = { a = [] } }', 'path "s/x" { capabilities = ["deny"] }');
    expect(a.check(req('s/x', { data: { a: 1 } }))).toMatchObject({ allowed: false, capabilities: ['deny'], reason: 'denied by the rule for "s/x"' });
  });
});
