// Token roles (auth/token/roles/:name): what tokens created against a role may carry (vault-api.md T15).
import type { Storage } from '@coffer/storage';
import { fromUtf8, utf8 } from '@coffer/sdk';

export const ROLE_TOKEN_TYPES = ['default-service', 'default-batch', 'service', 'batch', 'default'] as const;
export type RoleTokenType = (typeof ROLE_TOKEN_TYPES)[number];

export interface TokenRole {
  name: string;
  allowedPolicies: string[];
  disallowedPolicies: string[];
  allowedPoliciesGlob: string[];
  disallowedPoliciesGlob: string[];
  orphan: boolean;
  renewable: boolean;
  pathSuffix: string;
  allowedEntityAliases: string[];
  tokenBoundCidrs: string[];
  tokenExplicitMaxTtlSec: number;
  tokenNoDefaultPolicy: boolean;
  tokenNumUses: number;
  tokenPeriodSec: number;
  tokenType: RoleTokenType;
}

const ROLE_PREFIX = 'roles/';

export function defaultRole(name: string): TokenRole {
  return {
    name,
    allowedPolicies: [],
    disallowedPolicies: [],
    allowedPoliciesGlob: [],
    disallowedPoliciesGlob: [],
    orphan: false,
    renewable: true,
    pathSuffix: '',
    allowedEntityAliases: [],
    tokenBoundCidrs: [],
    tokenExplicitMaxTtlSec: 0,
    tokenNoDefaultPolicy: false,
    tokenNumUses: 0,
    tokenPeriodSec: 0,
    tokenType: 'default-service',
  };
}

export async function readRole(storage: Storage, name: string): Promise<TokenRole | undefined> {
  const bytes = await storage.get(ROLE_PREFIX + name.toLowerCase());
  return bytes ? (JSON.parse(fromUtf8(bytes)) as TokenRole) : undefined;
}

export async function writeRole(storage: Storage, role: TokenRole): Promise<void> {
  await storage.put(ROLE_PREFIX + role.name, utf8(JSON.stringify(role)));
}

export async function deleteRole(storage: Storage, name: string): Promise<void> {
  await storage.delete(ROLE_PREFIX + name.toLowerCase());
}

export async function listRoles(storage: Storage): Promise<string[]> {
  return storage.list(ROLE_PREFIX);
}

/** The role as `GET auth/token/roles/:name` reports it (legacy `period`/`explicit_max_ttl` mirror the token_ fields). */
export function roleResponse(role: TokenRole): Record<string, unknown> {
  const data: Record<string, unknown> = {
    name: role.name,
    allowed_policies: role.allowedPolicies,
    disallowed_policies: role.disallowedPolicies,
    allowed_policies_glob: role.allowedPoliciesGlob,
    disallowed_policies_glob: role.disallowedPoliciesGlob,
    orphan: role.orphan,
    renewable: role.renewable,
    path_suffix: role.pathSuffix,
    allowed_entity_aliases: role.allowedEntityAliases,
    token_explicit_max_ttl: role.tokenExplicitMaxTtlSec,
    explicit_max_ttl: role.tokenExplicitMaxTtlSec,
    token_no_default_policy: role.tokenNoDefaultPolicy,
    token_period: role.tokenPeriodSec,
    period: role.tokenPeriodSec,
    token_type: role.tokenType,
  };
  if (role.tokenBoundCidrs.length > 0) data.token_bound_cidrs = role.tokenBoundCidrs;
  if (role.tokenNumUses > 0) data.token_num_uses = role.tokenNumUses;
  return data;
}
