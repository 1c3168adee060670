// Which rule wins for a path (§2.2 matching steps 1–6), including the list trailing-slash forms.
import { describe, expect, it } from 'vitest';
import { compileAcl } from './acl.js';
import type { Acl, AclOperation } from './acl.js';
import { parsePolicy } from './policy.js';

const acl = (...texts: string[]): Acl => compileAcl(texts.map((text, i) => parsePolicy(`p${i}`, text)));
const can = (a: Acl, operation: AclOperation, path: string): boolean => a.check({ path, operation, rootProtected: false }).allowed;
const stanza = (path: string, ...caps: string[]): string => `path "${path}" { capabilities = ${JSON.stringify(caps)} }\n`;

describe('matching', () => {
  it('uses an exact rule exclusively, even when a prefix rule grants more', () => {
    const a = acl(stanza('secret/foo', 'read') + stanza('secret/*', 'read', 'update'));
    expect(can(a, 'read', 'secret/foo')).toBe(true);
    expect(can(a, 'update', 'secret/foo')).toBe(false);
    expect(can(a, 'update', 'secret/bar')).toBe(true);
  });

  it('lets an exact allow in one policy beat a `secret/*` deny in another (deny is not global)', () => {
    const a = acl(stanza('secret/*', 'deny'), stanza('secret/foo', 'read'));
    expect(can(a, 'read', 'secret/foo')).toBe(true);
    expect(a.capabilities('secret/foo')).toEqual(['read']);
    expect(can(a, 'read', 'secret/bar')).toBe(false);
    expect(a.capabilities('secret/bar')).toEqual(['deny']);
  });

  it('lets a deny win when it is the longer prefix, and not otherwise', () => {
    const a = acl(stanza('secret/*', 'read'), stanza('secret/foo*', 'deny'));
    expect(can(a, 'read', 'secret/foobar')).toBe(false);
    expect(can(a, 'read', 'secret/fo')).toBe(true);
  });

  it('treats a trailing * as a raw string prefix: `secret/*` misses `secret`, `secret/zip-*` reaches `secret/zip-zap/zong`', () => {
    const a = acl(stanza('secret/*', 'read') + stanza('kv/zip-*', 'list'));
    expect(a.capabilities('secret')).toEqual(['deny']);
    expect(a.capabilities('secret/')).toEqual(['read']);
    expect(a.capabilities('kv/zip-zap/zong')).toEqual(['list']);
    expect(a.capabilities('kv/zip')).toEqual(['deny']);
  });

  it('takes the longest matching prefix rule', () => {
    const a = acl(stanza('secret/*', 'read'), stanza('secret/a/*', 'list'), stanza('secret/a/b/c/*', 'update'));
    expect(a.capabilities('secret/a/b')).toEqual(['list']);
    expect(a.capabilities('secret/a/b/c')).toEqual(['list']);
    expect(a.capabilities('secret/a/b/c/d')).toEqual(['update']);
    expect(a.capabilities('secret/ab')).toEqual(['read']);
  });

  it('treats * anywhere but the end as a literal character', () => {
    const a = acl(stanza('a/*/b', 'read'));
    expect(a.capabilities('a/*/b')).toEqual(['read']);
    expect(a.capabilities('a/x/b')).toEqual(['deny']);
  });

  it('lets a bare * match every path, the empty one included', () => {
    const a = acl(stanza('*', 'read'));
    expect(a.capabilities('')).toEqual(['read']);
    expect(a.capabilities('any/thing/at/all')).toEqual(['read']);
  });

  it('ignores one leading slash on the request path', () => {
    const a = acl(stanza('/secret/foo', 'read'));
    expect(can(a, 'read', '/secret/foo')).toBe(true);
    expect(a.capabilities('/secret/foo')).toEqual(['read']);
  });

  it('matches + against exactly one segment (possibly empty) and needs equal segment counts without *', () => {
    const a = acl(stanza('secret/+/config', 'read'));
    expect(a.capabilities('secret/x/config')).toEqual(['read']);
    expect(a.capabilities('secret//config')).toEqual(['read']);
    expect(a.capabilities('secret/x/y/config')).toEqual(['deny']);
    expect(a.capabilities('secret/config')).toEqual(['deny']);
    expect(a.capabilities('secret/x/config/extra')).toEqual(['deny']);
    expect(a.capabilities('secret/x/configs')).toEqual(['deny']);
  });

  it('matches + patterns ending in * by string prefix on the last segment, with anything after', () => {
    const a = acl(stanza('secret/+/conf*', 'read') + stanza('foo/+/*', 'list'));
    expect(a.capabilities('secret/x/conf')).toEqual(['read']);
    expect(a.capabilities('secret/x/configs/deep/er')).toEqual(['read']);
    expect(a.capabilities('secret/x/con')).toEqual(['deny']);
    expect(a.capabilities('foo/x')).toEqual(['deny']);
    expect(a.capabilities('foo/x/')).toEqual(['list']);
    expect(a.capabilities('foo/x/y/z')).toEqual(['list']);
  });

  it('handles + as the whole path, the first segment and a literal segment containing +', () => {
    const a = acl(stanza('+', 'read') + stanza('+/x', 'list') + stanza('a/+b', 'update'));
    expect(a.capabilities('anything')).toEqual(['read']);
    expect(a.capabilities('a/b')).toEqual(['deny']);
    expect(a.capabilities('q/x')).toEqual(['list']);
    expect(a.capabilities('a/+b')).toEqual(['update']);
    expect(a.capabilities('a/cb')).toEqual(['deny']);
  });

  it('finds segment rules among many literal siblings', () => {
    const names = Array.from({ length: 12 }, (_, i) => `app${i}`);
    const a = acl(names.map((n) => stanza(`kv/${n}/+`, 'read') + stanza(`+/${n}/x*`, 'list')).join(''));
    for (const n of names) {
      expect(a.capabilities(`kv/${n}/q`)).toEqual(['read']);
      expect(a.capabilities(`kv/${n}/xy`)).toEqual(['read']);
      expect(a.capabilities(`z/${n}/xy`)).toEqual(['list']);
      expect(a.capabilities(`kv/${n}`)).toEqual(['deny']);
    }
    expect(a.capabilities('kv/app/q')).toEqual(['deny']);
    expect(a.capabilities('kv/app1x/q')).toEqual(['deny']);
  });

  describe('priority among non-exact candidates', () => {
    it('(a) the rule whose first wildcard comes later wins', () => {
      const a = acl(stanza('secret/+/x', 'read'), stanza('secret/a/+', 'list'));
      expect(a.capabilities('secret/a/x')).toEqual(['list']);
      // a plain prefix rule's wildcard position is the length of its prefix
      const b = acl(stanza('secret/a*', 'read'), stanza('secret/+/x', 'list'));
      expect(b.capabilities('secret/a/x')).toEqual(['read']);
      const c = acl(stanza('secret/*', 'read'), stanza('secret/a/+', 'list'));
      expect(c.capabilities('secret/a/x')).toEqual(['list']);
    });

    it('(b) at the same position a non-prefix rule beats a prefix rule', () => {
      const a = acl(stanza('secret/+/x', 'read'), stanza('secret/+/x*', 'list'));
      expect(a.capabilities('secret/a/x')).toEqual(['read']);
      expect(a.capabilities('secret/a/xy')).toEqual(['list']);
      const b = acl(stanza('secret/*', 'read'), stanza('secret/+', 'list'));
      expect(b.capabilities('secret/a')).toEqual(['list']);
      expect(b.capabilities('secret/a/b')).toEqual(['read']);
    });

    it('(c) then fewer + segments win', () => {
      const a = acl(stanza('a/+/+/d', 'read'), stanza('a/+/c/d', 'list'));
      expect(a.capabilities('a/b/c/d')).toEqual(['list']);
    });

    it('(d) then the longer pattern wins', () => {
      const a = acl(stanza('a/+/b*', 'read'), stanza('a/+/bc*', 'list'));
      expect(a.capabilities('a/x/bcd')).toEqual(['list']);
      expect(a.capabilities('a/x/bd')).toEqual(['read']);
    });

    it('(e) then the lexicographically greater pattern wins', () => {
      const a = acl(stanza('a/+/+/c', 'read'), stanza('a/+/b/+', 'list'));
      expect(a.capabilities('a/x/b/c')).toEqual(['list']);
      const b = acl(stanza('a/+/b/+', 'list'), stanza('a/+/+/c', 'read'));
      expect(b.capabilities('a/x/b/c')).toEqual(['list']);
    });
  });

  describe('list and the trailing slash', () => {
    it('grants LIST foo/ from an exact rule on foo or a prefix rule on foo/*', () => {
      expect(can(acl(stanza('secret/metadata/foo', 'list')), 'list', 'secret/metadata/foo/')).toBe(true);
      expect(can(acl(stanza('secret/metadata/foo/*', 'list')), 'list', 'secret/metadata/foo/')).toBe(true);
    });

    it('uses the trimmed exact rule only for list, not for other operations', () => {
      const a = acl(stanza('secret/foo', 'list', 'read'));
      expect(can(a, 'read', 'secret/foo/')).toBe(false);
      expect(can(a, 'list', 'secret/foo/')).toBe(true);
    });

    it('prefers the exact rule on foo/ over the exact rule on foo', () => {
      const a = acl(stanza('secret/foo/', 'read') + stanza('secret/foo', 'list'));
      expect(can(a, 'list', 'secret/foo/')).toBe(false);
      expect(a.capabilities('secret/foo/')).toEqual(['read']);
    });

    it('prefers the exact rule on foo over any non-exact match of foo/', () => {
      const a = acl(stanza('secret/foo', 'list') + stanza('secret/foo/*', 'deny'));
      expect(can(a, 'list', 'secret/foo/')).toBe(true);
    });

    it('searches non-exact rules for foo before foo/ (so secret/fo* wins over secret/foo/*)', () => {
      const a = acl(stanza('secret/fo*', 'read') + stanza('secret/foo/*', 'list'));
      expect(can(a, 'list', 'secret/foo/')).toBe(false);
      expect(a.capabilities('secret/foo/')).toEqual(['read']);
      expect(can(a, 'list', 'secret/foo/x/')).toBe(true);
    });

    it('falls back to non-exact matches of foo/ when foo has none', () => {
      const a = acl(stanza('secret/+/', 'list'));
      expect(can(a, 'list', 'secret/foo/')).toBe(true);
      expect(can(a, 'list', 'secret/foo')).toBe(false);
    });

    it('reports capabilities as a list query would', () => {
      const a = acl(stanza('secret/metadata/foo', 'list'));
      expect(a.capabilities('secret/metadata/foo/')).toEqual(['list']);
    });
  });

  describe('no rule or a rule without capabilities', () => {
    it('denies and reports ["deny"] when nothing matches', () => {
      const a = acl(stanza('secret/*', 'read'));
      const decision = a.check({ path: 'other/x', operation: 'read', rootProtected: false });
      expect(decision).toEqual({ allowed: false, rootPrivilege: false, capabilities: ['deny'], grantingPolicies: [], reason: 'no policy rule matches the path' });
      expect(compileAcl([]).capabilities('anything')).toEqual(['deny']);
    });

    it('lets an empty stanza win and grant nothing', () => {
      const a = acl(stanza('secret/*', 'read') + 'path "secret/foo" {}');
      expect(a.capabilities('secret/foo')).toEqual(['deny']);
      expect(can(a, 'read', 'secret/foo')).toBe(false);
    });
  });
});
