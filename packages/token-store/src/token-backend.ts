// The auth/token/ backend (vault-api.md §1.7): always mounted, one per vault.
import { defineBackend, type BackendFactory } from '@coffer/sdk';
import { maintenancePaths } from './path-accessors.js';
import { createPaths } from './path-create.js';
import { lookupPaths } from './path-lookup.js';
import { renewPaths } from './path-renew.js';
import { revokePaths } from './path-revoke.js';
import { rolePaths } from './path-roles.js';
import type { TokenBackendDeps } from './token-backend-deps.js';

/** Paths that need `sudo` on top of their capability (token_store.go PathsSpecial.Root). */
export const TOKEN_ROOT_PATHS = ['revoke-orphan/*', 'accessors*'];

export function createTokenBackend(deps: TokenBackendDeps): BackendFactory {
  return defineBackend(() => ({
    type: 'token',
    help: 'The token credential backend is always enabled and builds in some special features not available to other auth methods: token creation, lookup, renewal and revocation, with the parent/child tree.',
    paths: [...createPaths(deps), ...lookupPaths(deps), ...renewPaths(deps), ...revokePaths(deps), ...rolePaths(), ...maintenancePaths(deps)],
    rootPaths: TOKEN_ROOT_PATHS,
  }));
}
