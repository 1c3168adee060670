import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRfc3339, formatRfc3339Nano } from './time-format.js';

describe('formatRfc3339Nano (Go time.RFC3339Nano: trailing zero digits dropped)', () => {
  it.each([
    [Date.UTC(2026, 0, 1), '2026-01-01T00:00:00Z'],
    [Date.UTC(2026, 0, 1, 0, 0, 0, 500), '2026-01-01T00:00:00.5Z'],
    [Date.UTC(2026, 0, 1, 0, 0, 0, 50), '2026-01-01T00:00:00.05Z'],
    [Date.UTC(2026, 0, 1, 0, 0, 0, 120), '2026-01-01T00:00:00.12Z'],
    [Date.UTC(2026, 0, 1, 0, 0, 0, 123), '2026-01-01T00:00:00.123Z'],
    [Date.UTC(2026, 0, 1, 0, 0, 0, 5), '2026-01-01T00:00:00.005Z'],
    [Date.UTC(1999, 11, 31, 23, 59, 59, 990), '1999-12-31T23:59:59.99Z'],
  ])('%i -> %s', (ms, expected) => {
    expect(formatRfc3339Nano(ms)).toBe(expected);
  });
});

describe('the calendar arithmetic agrees with Date#toISOString', () => {
  it('on random instants from 1970 to 9999, and before 1970', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2_000_000_000_000, max: 253_402_300_799_999 }), (ms) => {
        const iso = new Date(ms).toISOString();
        expect(formatRfc3339(ms)).toBe(`${iso.slice(0, 19)}Z`);
        const fraction = iso.slice(20, 23).replace(/0+$/, '');
        expect(formatRfc3339Nano(ms)).toBe(fraction === '' ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 19)}.${fraction}Z`);
      }),
      { numRuns: 2000 },
    );
  });

  it('on leap days and year boundaries', () => {
    for (const ms of [Date.UTC(2000, 1, 29), Date.UTC(1900, 2, 1), Date.UTC(2024, 11, 31, 23, 59, 59, 999), Date.UTC(2100, 1, 28, 12)]) {
      expect(formatRfc3339Nano(ms)).toBe(new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z').replace(/(\.\d*?)0*Z$/, '$1Z'));
    }
  });
});

describe('formatRfc3339', () => {
  it('drops the fraction', () => {
    expect(formatRfc3339(Date.UTC(2026, 0, 1, 0, 0, 0, 999))).toBe('2026-01-01T00:00:00Z');
  });
});
