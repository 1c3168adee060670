// Password policies: Vault's default and rule checks.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD_POLICY, generatePassword } from './password-policy.js';
import { seededRandom } from './testing/seeded-random.js';

describe('password policies', () => {
  it('the default gives 20 characters of [a-zA-Z0-9-] with one of each class', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 200; i++) {
      const password = generatePassword(random);
      expect(password).toMatch(/^[A-Za-z0-9-]{20}$/);
      for (const rule of DEFAULT_PASSWORD_POLICY.rules) expect([...password].some((c) => rule.charset.includes(c))).toBe(true);
    }
  });

  it('counts characters, not UTF-16 units, for charsets beyond the BMP', () => {
    const password = generatePassword(seededRandom(5), { length: 6, rules: [{ charset: '🔑🔒', minChars: 2 }, { charset: 'x', minChars: 1 }] });
    expect([...password]).toHaveLength(6);
    expect([...password].filter((c) => c === 'x').length).toBeGreaterThanOrEqual(1);
  });

  it('meets minimums of a custom policy and refuses impossible ones', () => {
    const policy = { length: 8, rules: [{ charset: 'ab', minChars: 4 }, { charset: '12', minChars: 4 }] };
    const password = generatePassword(seededRandom(4), policy);
    expect(password.replace(/[^ab]/g, '')).toHaveLength(4);
    expect(password.replace(/[^12]/g, '')).toHaveLength(4);
    expect(() => generatePassword(seededRandom(1), { length: 4, rules: [{ charset: 'a', minChars: 5 }] })).toThrow('require at least 5 characters');
    expect(() => generatePassword(seededRandom(1), { length: 2, rules: [{ charset: 'a', minChars: 0 }] })).toThrow('length must be');
  });
});
