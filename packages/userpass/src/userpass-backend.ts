// The `userpass` auth method (builtin/credential/userpass): users with passwords, logging in for tokens.
import { defineBackend, type BackendFactory } from '@coffer/sdk';
import { createPasswordHasher, type PasswordHasher, type ScryptCost } from './password-hash.js';
import { loginPath, renewUserLogin } from './path-login.js';
import { userPaths } from './path-users.js';
import { normalizeUsername } from './username.js';

export interface UserpassOptions {
  /** The scrypt cost of new password hashes (stored hashes keep their own). */
  scryptCost?: ScryptCost;
  /** Replaces the hasher made from `scryptCost` (tests count its derivations). */
  hasher?: PasswordHasher;
}

export function createUserpassBackend(options: UserpassOptions = {}): BackendFactory {
  return defineBackend((env) => {
    const hasher = options.hasher ?? createPasswordHasher(env.random, options.scryptCost);
    return {
      type: 'userpass',
      help: 'The "userpass" credential provider allows authentication using a combination of a username and password.',
      paths: [...userPaths(hasher), loginPath(hasher)],
      unauthenticatedPaths: ['login/*'],
      // The lockout key is the same spelling the login uses (CVE-2025-6004).
      loginAlias: (request) => (request.path.startsWith('login/') ? normalizeUsername(request.path.slice('login/'.length)) : undefined),
      renewLogin: (request) => renewUserLogin(env.storage, request),
    };
  });
}
