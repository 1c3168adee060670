// The authorisation step of the request pipeline (vault-api.md §2.1 step 7, §2.2): the token's compiled ACL decides.
import { VaultError, type Operation } from '@coffer/sdk';
import type { ResolvedToken } from '@coffer/token-store';
import type { PolicyStore } from '../policy/policy-store.js';

export interface AuthorizationRequest {
  token: ResolvedToken;
  /** The canonical request path, mount included. */
  path: string;
  operation: Operation;
  data: Readonly<Record<string, unknown>>;
  /** The response-wrapping TTL asked for, checked against min/max_wrapping_ttl. */
  wrapTtlSec?: number;
  /** The path is root-protected: the winning rule must also grant `sudo`. */
  requiresSudo: boolean;
}

/**
 * Decides whether the token may perform the operation, or throws 403. Returns whether the
 * caller holds `sudo` there, for the handlers that check it themselves (token create with an
 * id, revoke-orphan). The `root` policy grants everything.
 */
export async function authorize(policies: PolicyStore, request: AuthorizationRequest): Promise<{ sudo: boolean }> {
  if (request.token.isRoot) return { sudo: true };
  const acl = await policies.aclFor(request.token.entry.policies);
  // LIST is checked against the folder form of the path, as the HTTP layer sends it.
  const path = request.operation === 'list' && !request.path.endsWith('/') ? `${request.path}/` : request.path;
  const decision = acl.check({
    path,
    operation: request.operation,
    data: request.data,
    ...(request.wrapTtlSec !== undefined ? { wrapTtlSec: request.wrapTtlSec } : {}),
    rootProtected: request.requiresSudo,
  });
  if (!decision.allowed) throw VaultError.permissionDenied();
  return { sudo: decision.rootPrivilege };
}

/** Whether any capability under `path` is granted (the UI mount preflight check). */
export function canAccessPath(policies: readonly string[] | undefined): boolean {
  return policies?.includes('root') ?? false;
}
