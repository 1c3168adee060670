// The sys/ backend (vault/logical_system.go): every system path, assembled from the path-*.ts tables.
import { defineBackend, type BackendFactory, type PathDefinition } from '@coffer/sdk';
import { auditPaths } from './path-audit.js';
import { capabilitiesPaths } from './path-capabilities.js';
import { leasePaths } from './path-leases.js';
import { healthPaths } from './path-health.js';
import { internalUiMountsPaths } from './path-internal-ui-mounts.js';
import { mountPaths } from './path-mounts.js';
import { policyPaths } from './path-policies.js';
import { passwordPolicyPaths } from './path-password-policies.js';
import { wrappingPaths } from './path-wrapping.js';
import { remountPaths } from './path-remount.js';
import { rotatePaths } from './path-rotate.js';
import type { SysDeps } from './sys-deps.js';

/** Root-protected sys paths (PathsSpecial.Root): the policy must grant `sudo` as well. */
export const SYS_ROOT_PATHS = [
  'auth/*',
  'remount',
  'audit',
  'audit/*',
  'raw',
  'raw/*',
  'rotate',
  'rotate/config',
  'seal',
  'step-down',
  'config/cors',
  'config/auditing/*',
  'plugins/catalog/*',
  'revoke-prefix/*',
  'revoke-force/*',
  'leases/revoke-prefix/*',
  'leases/revoke-force/*',
  'leases/lookup/*',
  'leases',
];

/** Sys paths that need no token (a token sent along is still resolved). */
export const SYS_UNAUTHENTICATED_PATHS = ['wrapping/lookup', 'internal/ui/mounts', 'internal/ui/mounts/*', 'health', 'leader', 'seal-status', 'init', 'unseal', 'rekey/*', 'generate-root/*'];

export function createSysBackend(
  deps: SysDeps,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  extraPaths: readonly PathDefinition<any>[] = [],
): BackendFactory {
  return defineBackend(() => ({
    type: 'system',
    help: 'The system backend is built into Vault and cannot be remounted or unmounted. It contains the paths used to configure Vault itself.',
    paths: [
      ...extraPaths,
      ...healthPaths(deps),
      ...mountPaths(deps, 'secret'),
      ...mountPaths(deps, 'auth'),
      ...remountPaths(deps),
      ...rotatePaths(deps),
      ...internalUiMountsPaths(deps),
      ...policyPaths(deps),
      ...passwordPolicyPaths(deps.passwordPolicies),
      ...capabilitiesPaths(deps),
      ...wrappingPaths(deps),
      ...auditPaths(deps),
      ...leasePaths(deps),
    ],
    rootPaths: SYS_ROOT_PATHS,
    unauthenticatedPaths: SYS_UNAUTHENTICATED_PATHS,
  }));
}
