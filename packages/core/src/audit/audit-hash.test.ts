// Audit HMAC and the structure walk (vault-api.md §2.12; audit/hashstructure_test.go).
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nobleCrypto, nodeCrypto } from '@coffer/sdk';
import { formatRfc3339, formatRfc3339Nano } from '@coffer/sdk';
import { hashStructure, hmacAuditValue } from './audit-hash.js';

function reference(salt: string, value: string): string {
  return `hmac-sha256:${createHmac('sha256', Buffer.from(salt, 'utf8')).update(Buffer.from(value, 'utf8')).digest('hex')}`;
}

describe('hmacAuditValue', () => {
  it('matches Vault’s own known answers (salt "foo")', () => {
    expect(hmacAuditValue(nodeCrypto, 'foo', 'foo')).toBe('hmac-sha256:08ba357e274f528065766c770a639abf6809b39ccfd37c2a3157c7f51954da0a');
    expect(hmacAuditValue(nodeCrypto, 'foo', 'bar')).toBe('hmac-sha256:f9320baf0249169e73850cd6156ded0106e2bb6ad8cab01b7bbbebe6d1065317');
  });

  it('equals an independent node:crypto HMAC for UUID salts, unicode and empty input, on both crypto implementations', () => {
    const salt = '3f1c2a8e-7b4d-4e2f-9a61-0c5d8e7f6a5b';
    for (const value of ['hvs.CAESIJ4', 'pässwörd ✓ 🔑', '', 'a'.repeat(10_000)]) {
      expect(hmacAuditValue(nodeCrypto, salt, value)).toBe(reference(salt, value));
      expect(hmacAuditValue(nobleCrypto, salt, value)).toBe(reference(salt, value));
    }
    expect(hmacAuditValue(nodeCrypto, salt, 'x')).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(hmacAuditValue(nodeCrypto, `${salt}!`, 'x')).not.toBe(hmacAuditValue(nodeCrypto, salt, 'x'));
  });
});

describe('hashStructure', () => {
  const mark = (value: string): string => `H(${value})`;

  it('hashes every string leaf in nested maps and arrays, but not keys, numbers, booleans or null', () => {
    const input = {
      password: 'hunter2',
      nested: { deeper: { token: 's.abc', list: ['a', 1, true, null, { k: 'v' }] } },
      count: 3,
      ratio: 0.5,
      enabled: false,
      nothing: null,
    };
    expect(hashStructure(input, mark)).toEqual({
      count: 3,
      enabled: false,
      nested: { deeper: { list: ['H(a)', 1, true, null, { k: 'H(v)' }], token: 'H(s.abc)' } },
      nothing: null,
      password: 'H(hunter2)',
      ratio: 0.5,
    });
  });

  it('exempts by the nearest enclosing map key, as Vault’s walker does', () => {
    const out = hashStructure({ a: 'x', b: 'y', c: ['z'], d: { a: 'w', e: 'v' }, f: { e: 'u' } }, mark, ['a', 'c', 'f']);
    // `c`'s array elements are under key `c`; `f`'s child map has its own key `e`.
    expect(out).toEqual({ a: 'x', b: 'H(y)', c: ['z'], d: { a: 'w', e: 'H(v)' }, f: { e: 'H(u)' } });
  });

  it('returns a deep copy and never modifies the input', () => {
    const input = { a: { b: ['secret'] } };
    const snapshot = structuredClone(input);
    const out = hashStructure(input, mark) as { a: { b: string[] } };
    expect(input).toEqual(snapshot);
    expect(out.a).not.toBe(input.a);
    expect(out.a.b).not.toBe(input.a.b);
  });

  it('copies without hashing when no hash function is given (log_raw)', () => {
    const input = { a: 'x', b: [{ c: 'y' }] };
    const out = hashStructure(input, undefined);
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
  });

  it('sorts keys like Go’s map encoder and keeps a "__proto__" key as data', () => {
    const input = JSON.parse('{"zeta":"1","alpha":"2","__proto__":"3"}') as Record<string, unknown>;
    const out = hashStructure(input, mark) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['__proto__', 'alpha', 'zeta']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('H(3)');
  });

  it('hashes raw bytes as the text they carry, logs dates as RFC 3339 unhashed, drops undefined', () => {
    const out = hashStructure({ body: new TextEncoder().encode('raw-secret'), at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 600)), gone: undefined, big: 12n }, mark);
    expect(out).toEqual({ at: '2026-01-02T03:04:05.6Z', big: '12', body: 'H(raw-secret)' });
  });

  it('refuses cyclic data instead of recursing forever', () => {
    const cyclic: Record<string, unknown> = { a: 'x' };
    cyclic.self = cyclic;
    expect(() => hashStructure(cyclic, mark)).toThrow(/cycle/);
    // The same object twice, without a cycle, is fine.
    const shared = { s: 'v' };
    expect(hashStructure({ one: shared, two: shared }, mark)).toEqual({ one: { s: 'H(v)' }, two: { s: 'H(v)' } });
  });
});

describe('time formats', () => {
  it('RFC3339Nano trims trailing zeros of the fraction like Go', () => {
    expect(formatRfc3339Nano(Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00Z');
    expect(formatRfc3339Nano(Date.UTC(2026, 0, 1, 12, 30, 45, 120))).toBe('2026-01-01T12:30:45.12Z');
    expect(formatRfc3339Nano(Date.UTC(2026, 0, 1, 12, 30, 45, 7))).toBe('2026-01-01T12:30:45.007Z');
  });

  it('RFC3339 drops the fraction', () => {
    expect(formatRfc3339(Date.UTC(2026, 0, 1, 12, 30, 45, 999))).toBe('2026-01-01T12:30:45Z');
  });
});
