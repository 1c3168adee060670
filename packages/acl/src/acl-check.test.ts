// check(): operation → capability, help, wrapping TTLs, root-protected paths, the root ACL and decision shape.
import { describe, expect, it } from 'vitest';
import { compileAcl } from './acl.js';
import type { Acl, AclRequest } from './acl.js';
import { parsePolicy } from './policy.js';

const acl = (...texts: string[]): Acl => compileAcl(texts.map((text, i) => parsePolicy(`p${i}`, text)));
const req = (path: string, extra: Partial<AclRequest> = {}): AclRequest => ({ path, operation: 'update', rootProtected: false, ...extra });

describe('operations', () => {
  it('maps each operation onto its capability, and renew/revoke/rollback onto update', () => {
    for (const cap of ['create', 'read', 'update', 'patch', 'delete', 'list'] as const) {
      const a = acl(`path "s/x" { capabilities = ["${cap}"] }`);
      for (const op of ['create', 'read', 'update', 'patch', 'delete', 'list'] as const) expect(a.check(req('s/x', { operation: op })).allowed).toBe(op === cap);
      for (const op of ['renew', 'revoke', 'rollback'] as const) expect(a.check(req('s/x', { operation: op })).allowed).toBe(cap === 'update');
    }
  });

  it('does not let create imply update or the reverse', () => {
    const a = acl('path "s/*" { capabilities = ["create"] }');
    expect(a.check(req('s/x', { operation: 'create' })).allowed).toBe(true);
    expect(a.check(req('s/x')).allowed).toBe(false);
  });

  it('always allows help, even with no rule or a deny rule', () => {
    expect(compileAcl([]).check(req('x', { operation: 'help' })).allowed).toBe(true);
    const a = acl('path "s/*" { capabilities = ["deny"] }');
    expect(a.check(req('s/x', { operation: 'help', rootProtected: true }))).toMatchObject({ allowed: true, rootPrivilege: false, capabilities: ['deny'] });
  });

  it('refuses an operation it does not know', () => {
    const a = acl('path "s/*" { capabilities = ["read"] }');
    expect(a.check(req('s/x', { operation: 'bogus' as AclRequest['operation'] }))).toMatchObject({ allowed: false, reason: 'unsupported operation' });
    expect(a.check(req('s/x', { operation: 'toString' as AclRequest['operation'] })).allowed).toBe(false);
  });

  it('explains a missing capability and a deny', () => {
    expect(acl('path "s/*" { capabilities = ["read"] }').check(req('s/x')).reason).toBe('the rule for "s/*" does not grant "update"');
    expect(acl('path "s/+" { capabilities = ["deny"] }').check(req('s/x')).reason).toBe('denied by the rule for "s/+"');
  });
});

describe('wrapping TTLs', () => {
  const a = acl('path "s/min" { capabilities = ["update"]\n min_wrapping_ttl = "1s" }\npath "s/max" { capabilities = ["update"]\n max_wrapping_ttl = "5m" }\npath "s/both" { capabilities = ["update"]\n min_wrapping_ttl = "1m"\n max_wrapping_ttl = "10m" }');

  it('makes wrapping mandatory when min_wrapping_ttl is set', () => {
    expect(a.check(req('s/min'))).toMatchObject({ allowed: false, reason: 'response wrapping is required by the rule for "s/min"' });
    expect(a.check(req('s/min', { wrapTtlSec: 1 })).allowed).toBe(true);
    expect(a.check(req('s/min', { wrapTtlSec: 0 })).allowed).toBe(false);
  });

  it('makes wrapping mandatory and bounded when max_wrapping_ttl is set', () => {
    expect(a.check(req('s/max')).allowed).toBe(false);
    expect(a.check(req('s/max', { wrapTtlSec: 300 })).allowed).toBe(true);
    expect(a.check(req('s/max', { wrapTtlSec: 301 }))).toMatchObject({ allowed: false, reason: 'wrapping TTL 301s exceeds max_wrapping_ttl 300s' });
  });

  it('checks both bounds inclusively', () => {
    expect(a.check(req('s/both', { wrapTtlSec: 59 }))).toMatchObject({ allowed: false, reason: 'wrapping TTL 59s is below min_wrapping_ttl 60s' });
    expect(a.check(req('s/both', { wrapTtlSec: 60 })).allowed).toBe(true);
    expect(a.check(req('s/both', { wrapTtlSec: 600 })).allowed).toBe(true);
    expect(a.check(req('s/both', { wrapTtlSec: 601 })).allowed).toBe(false);
  });

  it('applies to every operation, list and delete included', () => {
    const b = acl('path "s/*" { capabilities = ["list", "delete"]\n min_wrapping_ttl = "1s" }');
    expect(b.check(req('s/x/', { operation: 'list' })).allowed).toBe(false);
    expect(b.check(req('s/x', { operation: 'delete', wrapTtlSec: 2 })).allowed).toBe(true);
  });

  it('ignores wrapping when the rule sets no bounds', () => {
    expect(acl('path "s/x" { capabilities = ["update"] }').check(req('s/x', { wrapTtlSec: 999_999 })).allowed).toBe(true);
  });
});

describe('root-protected paths', () => {
  it('need sudo on the winning rule in addition to the capability', () => {
    const a = acl('path "sys/auth/*" { capabilities = ["update", "sudo"] }\npath "sys/audit/*" { capabilities = ["update"] }');
    expect(a.check(req('sys/auth/userpass', { rootProtected: true }))).toEqual({ allowed: true, rootPrivilege: true, capabilities: ['sudo', 'update'], grantingPolicies: ['p0'] });
    expect(a.check(req('sys/audit/file', { rootProtected: true }))).toMatchObject({ allowed: false, rootPrivilege: false, reason: 'root-protected path requires "sudo", which the rule for "sys/audit/*" does not grant' });
    expect(a.check(req('sys/audit/file')).allowed).toBe(true);
  });

  it('do not take sudo from a rule that lost on priority', () => {
    const a = acl('path "sys/*" { capabilities = ["sudo", "update"] }', 'path "sys/auth/*" { capabilities = ["update"] }');
    expect(a.check(req('sys/auth/x', { rootProtected: true })).allowed).toBe(false);
  });

  it('are not granted by sudo alone', () => {
    expect(acl('path "sys/auth/*" { capabilities = ["sudo"] }').check(req('sys/auth/x', { rootProtected: true })).allowed).toBe(false);
  });

  it('report rootPrivilege on ordinary paths whenever the allowing rule has sudo', () => {
    const a = acl('path "auth/token/create" { capabilities = ["update", "sudo"] }');
    expect(a.check(req('auth/token/create')).rootPrivilege).toBe(true);
    expect(a.check(req('auth/token/create', { operation: 'read' })).rootPrivilege).toBe(false);
  });
});

describe('the root policy', () => {
  const root = compileAcl([parsePolicy('root', '')]);

  it('allows everything with root privilege and reports ["root"]', () => {
    expect(root.isRoot).toBe(true);
    expect(root.capabilities('anything/at/all')).toEqual(['root']);
    const decision = root.check({ path: 'sys/raw/x', operation: 'delete', rootProtected: true, data: { x: 1 } });
    expect(decision).toEqual({ allowed: true, rootPrivilege: true, capabilities: ['root'], grantingPolicies: ['root'] });
  });

  it('skips wrapping and parameter checks', () => {
    expect(root.check({ path: 'x', operation: 'update', rootProtected: false, wrapTtlSec: 1e9, data: { '*': 1 } }).allowed).toBe(true);
  });

  it('must be the only policy', () => {
    expect(() => compileAcl([parsePolicy('root', ''), parsePolicy('default', '')])).toThrow('other policies present along with root');
  });

  it('is not root for any other ACL', () => {
    expect(compileAcl([]).isRoot).toBe(false);
    expect(compileAcl([parsePolicy('rooty', 'path "*" { capabilities = ["sudo", "read"] }')]).capabilities('x')).toEqual(['read', 'sudo']);
  });
});

describe('decisions', () => {
  it('are frozen and reused for the same rule and operation', () => {
    const a = acl('path "s/*" { capabilities = ["read"] }');
    const first = a.check(req('s/x', { operation: 'read' }));
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.capabilities)).toBe(true);
    expect(a.check(req('s/y', { operation: 'read' }))).toBe(first);
  });

  it('give capabilities() a fresh array each call', () => {
    const a = acl('path "s/*" { capabilities = ["read"] }');
    const caps = a.capabilities('s/x');
    caps.push('mutated');
    expect(a.capabilities('s/x')).toEqual(['read']);
  });

  it('name only the policies that granted the needed capability', () => {
    const a = acl('path "s/*" { capabilities = ["read"] }', 'path "s/*" { capabilities = ["read", "list"] }', 'path "s/*" { capabilities = ["list"] }');
    expect(a.check(req('s/x', { operation: 'read' })).grantingPolicies).toEqual(['p0', 'p1']);
    expect(a.check(req('s/x/', { operation: 'list' })).grantingPolicies).toEqual(['p1', 'p2']);
    expect(a.check(req('s/x')).grantingPolicies).toEqual([]);
  });
});
