// The `approle` auth method (builtin/credential/approle): machines log in with a role id and a secret id.
import { createAtomically, defineBackend, type BackendFactory } from '@coffer/sdk';
import { AppRoleStore } from './approle-storage.js';
import { loginPath, renewRoleLogin } from './path-login.js';
import { rolePaths } from './path-role.js';
import { secretIdPaths } from './path-secret-id.js';
import { periodicTidy, tidyPath } from './path-tidy.js';

export function createAppRoleBackend(): BackendFactory {
  return defineBackend((env) => {
    const store = new AppRoleStore(env.crypto, env.random, createAtomically());
    const tidy = periodicTidy(env, store);
    return {
      type: 'approle',
      help: 'Any registered role can authenticate itself with Vault. The credentials depend on the constraints that are set on the role: the role id, and a secret id unless bind_secret_id is off.',
      paths: [...rolePaths(store), ...secretIdPaths(store), loginPath(store), tidyPath(store)],
      unauthenticatedPaths: ['login'],
      // Vault locks out by role id.
      loginAlias: (request) => (request.path === 'login' ? String(request.data.role_id ?? '').trim() || undefined : undefined),
      renewLogin: (request) => renewRoleLogin(store, env.storage, request),
      cleanup: () => tidy.stop(),
    };
  });
}
