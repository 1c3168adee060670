// calculateTtl against Vault's CalculateTTL rules (vault-api.md §2.3, §2.4; reliability.md B7).
import { describe, expect, it } from 'vitest';
import { VaultError } from './errors.js';
import { calculateTtl, humanDuration, type TtlInput } from './ttl.js';

const HOUR = 3600;
const SYSTEM_TTL = 768 * HOUR;
const T0 = Date.UTC(2026, 0, 1);

function input(overrides: Partial<TtlInput> = {}): TtlInput {
  return {
    nowMs: T0,
    issueTimeMs: T0,
    incrementSec: 0,
    requestedTtlSec: 0,
    periodSec: 0,
    explicitMaxTtlSec: 0,
    backendMaxTtlSec: 0,
    mountDefaultTtlSec: SYSTEM_TTL,
    mountMaxTtlSec: SYSTEM_TTL,
    ...overrides,
  };
}

function thrown(fn: () => unknown): VaultError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VaultError);
    return error as VaultError;
  }
  throw new Error('expected a VaultError');
}

describe('humanDuration', () => {
  it('prints Go durations without zero units, as Vault does in warnings', () => {
    expect(humanDuration(0)).toBe('0s');
    expect(humanDuration(30)).toBe('30s');
    expect(humanDuration(60)).toBe('1m');
    expect(humanDuration(90)).toBe('1m30s');
    expect(humanDuration(3600)).toBe('1h');
    expect(humanDuration(3605)).toBe('1h5s');
    expect(humanDuration(5400)).toBe('1h30m');
    expect(humanDuration(SYSTEM_TTL)).toBe('768h');
    expect(humanDuration(SYSTEM_TTL + 61)).toBe('768h1m1s');
  });
});

describe('calculateTtl', () => {
  it('falls back from increment to requested to the mount default', () => {
    expect(calculateTtl(input({ incrementSec: 60, requestedTtlSec: 120, mountDefaultTtlSec: 300 })).ttlSec).toBe(60);
    expect(calculateTtl(input({ requestedTtlSec: 120, mountDefaultTtlSec: 300 })).ttlSec).toBe(120);
    expect(calculateTtl(input({ mountDefaultTtlSec: 300 }))).toEqual({ ttlSec: 300, warnings: [], maxTtlSec: SYSTEM_TTL });
  });

  it('takes the smallest non-zero of mount, backend and explicit max', () => {
    const base = { requestedTtlSec: 10_000, mountMaxTtlSec: 5000 };
    expect(calculateTtl(input(base)).maxTtlSec).toBe(5000);
    expect(calculateTtl(input({ ...base, backendMaxTtlSec: 4000 })).maxTtlSec).toBe(4000);
    expect(calculateTtl(input({ ...base, backendMaxTtlSec: 4000, explicitMaxTtlSec: 3000 })).maxTtlSec).toBe(3000);
    expect(calculateTtl(input({ ...base, backendMaxTtlSec: 9000, explicitMaxTtlSec: 8000 })).maxTtlSec).toBe(5000);
    // An unresolved (zero) mount max is "unset", not "zero seconds allowed".
    expect(calculateTtl(input({ requestedTtlSec: 100, mountMaxTtlSec: 0, backendMaxTtlSec: 50 }))).toMatchObject({ ttlSec: 50, maxTtlSec: 50 });
    const error = thrown(() => calculateTtl(input({ mountMaxTtlSec: 0 })));
    expect(error.status).toBe(500);
  });

  it('caps a TTL at the max with Vault\'s exact warning', () => {
    const result = calculateTtl(input({ requestedTtlSec: 1000 * HOUR }));
    expect(result.ttlSec).toBe(SYSTEM_TTL);
    expect(result.warnings).toEqual(['TTL of "1000h" exceeded the effective max_ttl of "768h"; TTL value is capped accordingly']);
    const role = calculateTtl(input({ requestedTtlSec: 2 * HOUR, backendMaxTtlSec: HOUR + 90 }));
    expect(role.ttlSec).toBe(HOUR + 90);
    expect(role.warnings).toEqual(['TTL of "2h" exceeded the effective max_ttl of "1h1m30s"; TTL value is capped accordingly']);
  });

  it('caps a renewal at the time left until issue + max, never beyond (CVE-2021-32923)', () => {
    const renewal = { issueTimeMs: T0, backendMaxTtlSec: 100, incrementSec: 60 };
    expect(calculateTtl(input({ ...renewal, nowMs: T0 + 30_000 })).ttlSec).toBe(60);
    const late = calculateTtl(input({ ...renewal, nowMs: T0 + 70_000 }));
    expect(late.ttlSec).toBe(30);
    expect(late.warnings).toEqual(['TTL of "1m" exceeded the effective max_ttl of "30s"; TTL value is capped accordingly']);
    // The last second still grants one second, not zero ("forever").
    expect(calculateTtl(input({ ...renewal, nowMs: T0 + 99_999 })).ttlSec).toBe(1);
    for (const nowMs of [T0 + 100_000, T0 + 100_001, T0 + 500_000]) {
      const error = thrown(() => calculateTtl(input({ ...renewal, nowMs })));
      expect(error.status).toBe(400);
      expect(error.message).toBe('past the max TTL, cannot renew');
    }
  });

  it('truncates now and the issue time to whole seconds like Vault', () => {
    // Issued at 0.9 s, 10 s max: the max ends at second 10 (not 10.9); at 9.95 s one second is left.
    const result = calculateTtl(input({ issueTimeMs: T0 + 900, nowMs: T0 + 9950, backendMaxTtlSec: 10, incrementSec: 5 }));
    expect(result.ttlSec).toBe(1);
  });

  it('treats a missing issue time as issued now', () => {
    expect(calculateTtl(input({ issueTimeMs: 0, nowMs: T0 + 5_000_000, requestedTtlSec: 60 })).ttlSec).toBe(60);
  });

  it('grants a periodic token its period, ignoring increment and requested ttl, with no absolute limit', () => {
    const periodic = { periodSec: HOUR, incrementSec: 5, requestedTtlSec: 10 };
    expect(calculateTtl(input(periodic))).toEqual({ ttlSec: HOUR, warnings: [], maxTtlSec: SYSTEM_TTL });
    // A year after issue, far beyond the system max, it still renews to a full period.
    expect(calculateTtl(input({ ...periodic, nowMs: T0 + 365 * 24 * HOUR * 1000 })).ttlSec).toBe(HOUR);
  });

  it('caps the period itself at the max TTL with the period warning', () => {
    const result = calculateTtl(input({ periodSec: 10 * HOUR, backendMaxTtlSec: 2 * HOUR }));
    expect(result.ttlSec).toBe(2 * HOUR);
    expect(result.warnings).toEqual(['period of "10h" exceeded the effective max_ttl of "2h"; period value is capped accordingly']);
  });

  it('bounds a periodic token only by explicit_max_ttl', () => {
    const periodic = { periodSec: HOUR, explicitMaxTtlSec: 90 * 60 };
    expect(calculateTtl(input({ ...periodic, nowMs: T0 + 20 * 60_000 })).ttlSec).toBe(HOUR);
    const late = calculateTtl(input({ ...periodic, nowMs: T0 + 60 * 60_000 }));
    expect(late.ttlSec).toBe(30 * 60);
    expect(late.warnings).toEqual(['TTL of "1h" exceeded the effective max_ttl of "30m"; TTL value is capped accordingly']);
    expect(thrown(() => calculateTtl(input({ ...periodic, nowMs: T0 + 90 * 60_000 }))).message).toBe('past the max TTL, cannot renew');
  });
});
