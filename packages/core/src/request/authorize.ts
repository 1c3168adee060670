// The authorisation step of the request pipeline (vault-api.md §2.1 step 7, §2.2).
import { VaultError, type Operation } from '@coffer/sdk';
import type { ResolvedToken } from '@coffer/token-store';

export interface AuthorizationRequest {
  token: ResolvedToken;
  path: string;
  operation: Operation;
  /** The path is root-protected: the policy must also grant `sudo`. */
  requiresSudo: boolean;
}

/**
 * Decides whether the token may perform the operation. The `root` policy grants every
 * capability, sudo included. ACL policies (path rules, capabilities, parameter
 * constraints) are evaluated by the policy store once it is wired in; until then a token
 * without `root` holds no capability anywhere, which is Vault's default-deny.
 */
export function authorize(request: AuthorizationRequest): { sudo: boolean } {
  if (request.token.isRoot) return { sudo: true };
  throw VaultError.permissionDenied();
}

/** Whether any capability under `path` is granted (the UI mount preflight check). */
export function canAccessPath(policies: readonly string[] | undefined): boolean {
  return policies?.includes('root') ?? false;
}
