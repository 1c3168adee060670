// Properties of the compiled ACL against a brute-force reading of the spec (vault-api.md §2.2),
// plus agreement between capabilities() and check(), merge monotonicity and parser robustness.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileAcl } from './acl.js';
import type { AclOperation } from './acl.js';
import { parsePolicy } from './policy.js';
import { PolicyParseError } from './policy-parse-error.js';

interface Stanza {
  key: string;
  caps: string[];
}

const segment = fc.constantFrom('a', 'b', 'ab', '+', '', 'x');
const ruleKey = fc
  .tuple(fc.boolean(), fc.array(segment, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([slash, parts, star]) => `${slash ? '/' : ''}${parts.join('/')}${star ? '*' : ''}`)
  .filter((key) => !key.includes('+*'));
const caps = fc.subarray(['read', 'list', 'update', 'sudo', 'deny', 'create']);
const stanza: fc.Arbitrary<Stanza> = fc.record({ key: ruleKey, caps });
const policies = fc.array(fc.array(stanza, { maxLength: 6 }), { maxLength: 4 });
const requestPath = fc
  .tuple(fc.array(fc.constantFrom('a', 'b', 'ab', 'abc', 'x', '', '+'), { maxLength: 5 }), fc.boolean())
  .map(([parts, slash]) => parts.join('/') + (slash ? '/' : ''));

const render = (stanzas: readonly Stanza[]): string => stanzas.map((s) => `path ${JSON.stringify(s.key)} {\n  capabilities = ${JSON.stringify(s.caps)}\n}\n`).join('');
const compile = (sets: readonly (readonly Stanza[])[]) => compileAcl(sets.map((s, i) => parsePolicy(`p${i}`, render(s))));

/** §2.2 read literally: classify, merge, then match by brute force. */
function oracle(sets: readonly (readonly Stanza[])[]): (path: string, list: boolean) => string[] {
  interface Rule {
    path: string;
    kind: 'exact' | 'prefix' | 'segment';
    caps: Set<string>;
  }
  const rules = new Map<string, Rule>();
  for (const set of sets) {
    for (const s of set) {
      const key = s.key.startsWith('/') ? s.key.slice(1) : s.key;
      const seg = key === '+' || key.startsWith('+/') || key.includes('/+');
      const kind = seg ? 'segment' : key.endsWith('*') ? 'prefix' : 'exact';
      const path = kind === 'prefix' ? key.slice(0, -1) : key;
      const id = `${kind} ${path}`;
      const rule = rules.get(id) ?? { path, kind, caps: new Set<string>() };
      rules.set(id, rule);
      if (rule.caps.has('deny')) continue;
      if (s.caps.includes('deny')) rule.caps = new Set(['deny']);
      else for (const c of s.caps) rule.caps.add(c);
    }
  }
  const all = [...rules.values()];
  const rank = (r: Rule) => {
    const isPrefix = r.kind === 'prefix' || r.path.endsWith('*');
    const stem = r.kind === 'segment' && isPrefix ? r.path.slice(0, -1) : r.path;
    return { first: r.kind === 'prefix' ? r.path.length : r.path.indexOf('+'), isPrefix, plus: stem.split('/').filter((p) => p === '+').length, stem };
  };
  const better = (x: Rule, y: Rule): boolean => {
    const a = rank(x);
    const b = rank(y);
    if (a.first !== b.first) return a.first > b.first;
    if (a.isPrefix !== b.isPrefix) return !a.isPrefix;
    if (a.plus !== b.plus) return a.plus < b.plus;
    if (a.stem.length !== b.stem.length) return a.stem.length > b.stem.length;
    return a.stem > b.stem;
  };
  const segMatch = (r: Rule, p: string): boolean => {
    const { isPrefix, stem } = rank(r);
    const want = stem.split('/');
    const have = p.split('/');
    if (have.length < want.length || (!isPrefix && have.length !== want.length)) return false;
    return want.every((w, i) => w === '+' || w === have[i] || (isPrefix && i === want.length - 1 && have[i]!.startsWith(w)));
  };
  const nonExact = (p: string): Rule | undefined => {
    const prefixes = all.filter((r) => r.kind === 'prefix' && p.startsWith(r.path)).sort((x, y) => y.path.length - x.path.length);
    const candidates = [...prefixes.slice(0, 1), ...all.filter((r) => r.kind === 'segment' && segMatch(r, p))];
    return candidates.reduce<Rule | undefined>((best, r) => (best === undefined || better(r, best) ? r : best), undefined);
  };
  const exact = (p: string) => all.find((r) => r.kind === 'exact' && r.path === p);
  return (rawPath, list) => {
    const p = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
    let rule = exact(p);
    if (rule === undefined && list && p.endsWith('/')) rule = exact(p.slice(0, -1)) ?? nonExact(p.slice(0, -1));
    rule ??= nonExact(p);
    if (rule === undefined || rule.caps.size === 0) return ['deny'];
    return [...rule.caps].sort();
  };
}

const OPS: ReadonlyArray<[AclOperation, string]> = [
  ['read', 'read'],
  ['update', 'update'],
  ['create', 'create'],
  ['delete', 'delete'],
  ['renew', 'update'],
];

describe('compiled ACL properties', () => {
  it('matches a brute-force reading of the spec for every path', () => {
    fc.assert(
      fc.property(policies, fc.array(requestPath, { minLength: 1, maxLength: 15 }), (sets, paths) => {
        const acl = compile(sets);
        const expected = oracle(sets);
        for (const path of paths) {
          expect([path, acl.capabilities(path)]).toEqual([path, expected(path, true)]);
          expect([path, acl.check({ path, operation: 'read', rootProtected: false }).capabilities]).toEqual([path, expected(path, false)]);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('agrees between capabilities() and check() for every operation', () => {
    fc.assert(
      fc.property(policies, fc.array(requestPath, { minLength: 1, maxLength: 10 }), fc.boolean(), (sets, paths, rootProtected) => {
        const acl = compile(sets);
        for (const path of paths) {
          const reported = acl.capabilities(path);
          const sudo = reported.includes('sudo');
          const list = acl.check({ path, operation: 'list', rootProtected });
          expect(list.allowed).toBe(reported.includes('list') && (!rootProtected || sudo));
          expect(list.capabilities).toEqual(reported);
          if (path.endsWith('/')) continue; // capabilities() matches as a list; other operations do not trim
          for (const [operation, cap] of OPS) {
            const decision = acl.check({ path, operation, rootProtected });
            expect(decision.allowed).toBe(reported.includes(cap) && (!rootProtected || sudo));
            expect(decision.rootPrivilege).toBe(decision.allowed && sudo);
            expect(decision.capabilities).toEqual(reported);
            expect(decision.grantingPolicies.length > 0).toBe(decision.allowed);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never loses a capability when a policy adds non-deny stanzas for paths already present', () => {
    fc.assert(
      fc.property(policies, fc.array(caps, { minLength: 1, maxLength: 6 }), fc.array(requestPath, { minLength: 1, maxLength: 10 }), (sets, extraCaps, paths) => {
        const existing = sets.flat();
        fc.pre(existing.length > 0);
        const extra = extraCaps.map((c, i) => ({ key: existing[i % existing.length]!.key, caps: c.filter((x) => x !== 'deny') }));
        const before = compile(sets);
        const after = compile([...sets, extra]);
        for (const path of paths) {
          const old = before.capabilities(path).filter((c) => c !== 'deny');
          expect(after.capabilities(path)).toEqual(expect.arrayContaining(old));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is independent of policy order', () => {
    fc.assert(
      fc.property(policies, fc.array(requestPath, { minLength: 1, maxLength: 10 }), (sets, paths) => {
        const forward = compileAcl(sets.map((s, i) => parsePolicy(`p${i}`, render(s))));
        const backward = compileAcl(sets.map((s, i) => parsePolicy(`p${i}`, render(s))).reverse());
        for (const path of paths) expect(backward.capabilities(path)).toEqual(forward.capabilities(path));
      }),
      { numRuns: 300 },
    );
  });
});

describe('parser robustness', () => {
  const valid = 'path "secret/*" {\n  capabilities = ["read", "list"]\n  allowed_parameters = { "a" = ["x"] }\n  min_wrapping_ttl = "1s"\n}\n# c\npath "b" { policy = "write" }\n';

  it('throws nothing but PolicyParseError, with a position, for arbitrary text', () => {
    const check = (text: string): void => {
      try {
        parsePolicy('p', text);
      } catch (error) {
        expect(error).toBeInstanceOf(PolicyParseError);
        const { line, column } = error as PolicyParseError;
        expect(line).toBeGreaterThanOrEqual(1);
        expect(column).toBeGreaterThanOrEqual(1);
      }
    };
    fc.assert(fc.property(fc.string({ maxLength: 80 }), check), { numRuns: 2000 });
    const mutation = fc.tuple(fc.nat(valid.length), fc.nat(4), fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', '=', ',', '*', '+', '\n', '#', '/', '<', '\\', 'x'), maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 4 }), (edits) => {
        let text = valid;
        for (const [at, drop, insert] of edits) text = text.slice(0, at) + insert + text.slice(at + drop);
        check(text);
        check(`{${text}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads the HCL and JSON renderings of the same stanzas identically', () => {
    const name = fc.string({ unit: fc.constantFrom('a', 'B', '_', '-', '.', '/'), minLength: 1, maxLength: 5 });
    const param = fc.dictionary(name, fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.boolean()), { maxLength: 3 }), { maxKeys: 3 });
    const body = fc.record({ capabilities: caps, allowed_parameters: param, denied_parameters: param, required_parameters: fc.array(name, { maxLength: 3 }), max_wrapping_ttl: fc.nat(1000) });
    fc.assert(
      fc.property(fc.dictionary(ruleKey, body, { minKeys: 1, maxKeys: 4 }), (paths) => {
        const hcl = Object.entries(paths)
          .map(([key, b]) => {
            const params = (m: Record<string, unknown[]>) => `{ ${Object.entries(m).map(([k, v]) => `${JSON.stringify(k)} = ${JSON.stringify(v)}`).join(', ')} }`;
            return `path ${JSON.stringify(key)} {\n capabilities = ${JSON.stringify(b.capabilities)}\n allowed_parameters = ${params(b.allowed_parameters)}\n denied_parameters ${params(b.denied_parameters)}\n required_parameters = ${JSON.stringify(b.required_parameters)}\n max_wrapping_ttl = ${b.max_wrapping_ttl}\n}`;
          })
          .join('\n');
        const strip = (text: string) => parsePolicy('p', text).rules.map(({ line: _line, ...rule }) => rule);
        expect(strip(JSON.stringify({ path: paths }))).toEqual(strip(hcl));
      }),
      { numRuns: 300 },
    );
  });
});
