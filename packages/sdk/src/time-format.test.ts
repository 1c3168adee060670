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

describe('formatRfc3339', () => {
  it('drops the fraction', () => {
    expect(formatRfc3339(Date.UTC(2026, 0, 1, 0, 0, 0, 999))).toBe('2026-01-01T00:00:00Z');
  });
});
