// Password policies (Vault's sdk/helper/random StringGenerator): a length and charset rules with minimum counts.
import type { Random } from './random.js';

export interface CharsetRule {
  charset: string;
  /** At least this many characters of the result come from `charset`. */
  minChars: number;
}

export interface PasswordPolicy {
  length: number;
  rules: readonly CharsetRule[];
}

/**
 * Vault's default policy when none is named: 20 characters of `[a-zA-Z0-9-]`, with at least
 * one lowercase letter, one uppercase letter, one digit and one dash.
 */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  length: 20,
  rules: [
    { charset: 'abcdefghijklmnopqrstuvwxyz', minChars: 1 },
    { charset: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', minChars: 1 },
    { charset: '0123456789', minChars: 1 },
    { charset: '-', minChars: 1 },
  ],
};

/** Vault gives up on a policy no candidate can satisfy after this many tries. */
const MAX_ATTEMPTS = 1000;

/** Throws a RangeError saying why no password could meet the policy; returns the characters it draws from. */
export function checkPasswordPolicy(policy: PasswordPolicy): string[] {
  if (!Number.isInteger(policy.length) || policy.length < 4 || policy.length > 100) {
    throw new RangeError('length must be >= 4 and <= 100');
  }
  const charset = [...new Set(policy.rules.flatMap((rule) => [...rule.charset]))];
  if (charset.length === 0) throw new RangeError('no charset specified');
  const required = policy.rules.reduce((sum, rule) => sum + rule.minChars, 0);
  if (required > policy.length) throw new RangeError(`specified rules require at least ${required} characters but ${policy.length} is specified`);
  return charset;
}

/** One character of `charset` per output slot, chosen without modulo bias; characters, not UTF-16 units, count. */
function randomChars(random: Random, charset: readonly string[], length: number): string {
  const limit = Math.floor(65536 / charset.length) * charset.length;
  const out: string[] = [];
  while (out.length < length) {
    const bytes = random.bytes(length * 4);
    for (let i = 0; i + 1 < bytes.length && out.length < length; i += 2) {
      const value = bytes[i]! * 256 + bytes[i + 1]!;
      if (value < limit) out.push(charset[value % charset.length]!);
    }
  }
  return out.join('');
}

function satisfies(candidate: string, rules: readonly CharsetRule[]): boolean {
  const chars = [...candidate];
  return rules.every((rule) => {
    const members = new Set(rule.charset);
    return chars.filter((c) => members.has(c)).length >= rule.minChars;
  });
}

/** Draws candidates from the union of the rules' charsets until one meets every rule, as Vault does. */
export function generatePassword(random: Random, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY): string {
  const charset = checkPasswordPolicy(policy);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const candidate = randomChars(random, charset, policy.length);
    if (satisfies(candidate, policy.rules)) return candidate;
  }
  throw new Error('failed to generate a password that meets the policy');
}
