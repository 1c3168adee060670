// The token kind of a login: the auth mount's forced one, then the method's explicit choice, then the defaults.
import { describe, expect, it } from 'vitest';
import { loginDisplayName, loginTokenKind } from './login-token.js';

describe('loginTokenKind', () => {
  it.each([
    ['service', 'batch', 'batch'],
    ['batch', 'service', 'service'],
    ['service', 'default-batch', 'service'],
    ['batch', 'default-service', 'batch'],
    ['default', 'batch', 'batch'],
    ['default-service', 'batch', 'batch'],
    ['default-batch', 'service', 'service'],
    ['default-batch', 'default-service', 'batch'],
    ['default-service', 'default-batch', 'service'],
    ['default', 'default-batch', 'batch'],
    ['default', undefined, 'service'],
    ['default-batch', undefined, 'batch'],
  ] as const)('method %s on a %s mount gives a %s token', (requested, mount, expected) => {
    expect(loginTokenKind(requested, mount)).toBe(expected);
  });
});

describe('loginDisplayName', () => {
  it('is the mount path with dashes, then the name', () => {
    expect(loginDisplayName('auth/userpass/', 'alice')).toBe('userpass-alice');
    expect(loginDisplayName('auth/approle/', '')).toBe('approle');
    expect(loginDisplayName('auth/team/people/', 'bob')).toBe('team-people-bob');
  });
});
