// Which policies a new token gets (token_store.go resolveTokenPolicies, vault-api.md §2.3).
import { VaultError } from '@coffer/sdk';
import { matchesAnyGlob, sanitizePolicies } from './policy-names.js';
import type { TokenEntry } from './token-entry.js';
import type { TokenRole } from './token-role.js';

/** Policies no token may be given: they exist for the vault's own use. */
export const NON_ASSIGNABLE_POLICIES = ['response-wrapping', 'control-group'];

export interface PolicyRequest {
  requested: readonly string[];
  noDefaultPolicy: boolean;
  parent: TokenEntry;
  /** The caller holds `sudo` on the create path (or is root). */
  sudo: boolean;
  role?: TokenRole;
}

function fromRole(role: TokenRole, request: PolicyRequest): string[] {
  const addDefault =
    !request.noDefaultPolicy &&
    !role.tokenNoDefaultPolicy &&
    !role.disallowedPolicies.includes('default') &&
    !matchesAnyGlob(role.disallowedPoliciesGlob, 'default');
  let policies = request.requested.length > 0 ? sanitizePolicies(request.requested, addDefault) : [];
  if (role.allowedPolicies.length > 0 || role.allowedPoliciesGlob.length > 0) {
    const allowed = sanitizePolicies(role.allowedPolicies, addDefault);
    if (policies.length === 0) {
      policies = allowed;
    } else {
      const globs = sanitizePolicies(role.allowedPoliciesGlob, false);
      for (const policy of policies) {
        if (!allowed.includes(policy) && !matchesAnyGlob(globs, policy)) {
          throw VaultError.invalid(
            `token policies (${goQuoteList(policies)}) must be subset of the role's allowed policies (${goQuoteList(allowed)}) or glob policies (${goQuoteList(globs)})`,
          );
        }
      }
    }
  } else if (policies.length === 0) {
    policies = sanitizePolicies(request.parent.policies, addDefault);
  }
  for (const policy of policies) {
    if (role.disallowedPolicies.includes(policy) || matchesAnyGlob(role.disallowedPoliciesGlob, policy)) {
      throw VaultError.invalid(`token policy "${policy}" is disallowed by this role`);
    }
  }
  return policies;
}

/** Go's %q of a []string: `["a" "b"]`. */
function goQuoteList(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;
}

function roleConstrains(role: TokenRole | undefined): role is TokenRole {
  return (
    role !== undefined &&
    (role.allowedPolicies.length > 0 || role.disallowedPolicies.length > 0 || role.allowedPoliciesGlob.length > 0 || role.disallowedPoliciesGlob.length > 0)
  );
}

/** The policy set of a child token, or a 400 with Vault's wording. */
export function resolveChildPolicies(request: PolicyRequest): string[] {
  let policies: string[];
  let addDefault = false;
  if (roleConstrains(request.role)) {
    policies = fromRole(request.role, request);
  } else if (request.requested.length === 0) {
    // No policies asked for: the child copies its parent's, `default` not added.
    policies = sanitizePolicies(request.parent.policies, false);
  } else if (!request.sudo) {
    policies = sanitizePolicies(request.requested, false);
    const parentPolicies = sanitizePolicies(request.parent.policies, false);
    const withoutDefault = policies.filter((p) => p !== 'default');
    if (!withoutDefault.every((p) => parentPolicies.includes(p))) throw VaultError.invalid('child policies must be subset of parent');
    addDefault = !request.noDefaultPolicy && request.parent.policies.includes('default');
  } else {
    policies = [...request.requested];
    addDefault = !request.noDefaultPolicy;
  }
  let final = sanitizePolicies(policies, addDefault);
  if (request.noDefaultPolicy) final = final.filter((p) => p !== 'default');
  for (const policy of final) {
    if (NON_ASSIGNABLE_POLICIES.includes(policy)) throw VaultError.invalid(`cannot assign policy "${policy}"`);
  }
  return final;
}
