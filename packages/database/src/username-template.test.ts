// username_template: Vault's default and the Go template features custom templates use.
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '@coffer/sdk';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { compileUsernameTemplate, DEFAULT_USERNAME_TEMPLATE, TemplateError } from './username-template.js';

const clock = new TestClock(Date.UTC(2026, 10, 23, 12, 0, 0));
const compile = (template: string) => compileUsernameTemplate(template, { random: seededRandom(7), clock, crypto: nodeCrypto });

describe('username templates', () => {
  it('the default: v-<display 8>-<role 8>-<20 random>-<unix seconds>, at most 63 characters', () => {
    const name = compile(DEFAULT_USERNAME_TEMPLATE).generate({ DisplayName: 'userpass-alice', RoleName: 'readonly-reporting' });
    expect(name).toMatch(/^v-userpass-readonly-[A-Za-z0-9]{20}-1795435200$/);
    const long = compile(DEFAULT_USERNAME_TEMPLATE).generate({ DisplayName: 'x'.repeat(50), RoleName: 'y'.repeat(50) });
    expect(long.length).toBeLessThanOrEqual(63);
  });

  it('pipes, parentheses, literals and Vault helper functions', () => {
    const t = compile('{{ .RoleName | uppercase }}_{{ replace "-" "_" .DisplayName }}_{{ truncate 3 "abcdef" }}_{{ unix_time_millis }}_{{ timestamp "2006-01-02" }}');
    expect(t.generate({ DisplayName: 'a-b', RoleName: 'ro' })).toBe('RO_a_b_abc_1795435200000_2026-11-23');
    expect(compile('{{ truncate_sha256 12 .RoleName }}').generate({ DisplayName: '', RoleName: 'a-very-long-role-name' })).toMatch(/^a-ve[0-9a-f]{8}$/);
    expect(compile('{{ uuid }}').generate({ DisplayName: '', RoleName: '' })).toMatch(/^[0-9a-f-]{36}$/);
    expect(compile('plain-{{.RoleName}}').generate({ DisplayName: '', RoleName: 'r' })).toBe('plain-r');
  });

  it('refuses a broken template when it is compiled', () => {
    expect(() => compile('{{ .RoleName ')).toThrow(TemplateError);
    expect(() => compile('{{ nosuch 1 }}')).toThrow('function "nosuch" not defined');
    expect(() => compile('{{ .Nope }}')).toThrow("can't evaluate field Nope");
    expect(() => compile('{{ (random 3 }}')).toThrow('unclosed left paren');
  });
});
