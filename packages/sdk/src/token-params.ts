// The token settings every auth method shares (Vault's sdk/helper/tokenutil): fields, parsing, checks and the wire form of a read.
import { checkCidr } from './cidr.js';
import { VaultError } from './errors.js';
import { field } from './field.js';
import { LOGIN_TOKEN_TYPES, type LoginTokenType } from './login.js';

export interface TokenParams {
  boundCidrs: string[];
  explicitMaxTtlSec: number;
  maxTtlSec: number;
  noDefaultPolicy: boolean;
  numUses: number;
  periodSec: number;
  policies: string[];
  tokenType: LoginTokenType;
  ttlSec: number;
}

export function defaultTokenParams(): TokenParams {
  return { boundCidrs: [], explicitMaxTtlSec: 0, maxTtlSec: 0, noDefaultPolicy: false, numUses: 0, periodSec: 0, policies: [], tokenType: 'default', ttlSec: 0 };
}

/** The request fields, to spread into a path's field table. `policies` is the legacy name of `token_policies`. */
export const tokenParamFields = {
  token_bound_cidrs: field.commaList('CIDR blocks the generated tokens may be used from.'),
  token_explicit_max_ttl: field.duration('A hard cap on the lifetime of generated tokens, renewals included.'),
  token_max_ttl: field.duration('The maximum lifetime of generated tokens.'),
  token_no_default_policy: field.bool('Leave the "default" policy off generated tokens.'),
  token_num_uses: field.int('How many times a generated token may be used; 0 is unlimited.'),
  token_period: field.duration('Makes generated tokens periodic: every renewal grants this TTL again.'),
  token_policies: field.commaList('Policies attached to generated tokens.'),
  policies: field.commaList('Deprecated: use "token_policies".'),
  token_type: field.string('The type of token to generate: service, batch or default.'),
  token_ttl: field.duration('The initial TTL of generated tokens.'),
};

type TokenParamData = { readonly [K in keyof typeof tokenParamFields]?: unknown };

/**
 * `current` updated with the token fields the request carries (Vault's ParseTokenFields), then
 * checked as a whole. `has` tells which fields were sent.
 */
export function parseTokenParams(data: TokenParamData, has: (name: keyof typeof tokenParamFields) => boolean, current: TokenParams): TokenParams {
  const next: TokenParams = { ...current, boundCidrs: [...current.boundCidrs], policies: [...current.policies] };
  if (has('token_bound_cidrs')) {
    try {
      next.boundCidrs = ((data.token_bound_cidrs as string[] | undefined) ?? []).map(checkCidr);
    } catch (error) {
      throw VaultError.invalid((error as Error).message);
    }
  }
  if (has('token_explicit_max_ttl')) next.explicitMaxTtlSec = (data.token_explicit_max_ttl as number | undefined) ?? 0;
  if (has('token_max_ttl')) next.maxTtlSec = (data.token_max_ttl as number | undefined) ?? 0;
  if (has('token_no_default_policy')) next.noDefaultPolicy = (data.token_no_default_policy as boolean | undefined) ?? false;
  if (has('token_num_uses')) {
    const uses = (data.token_num_uses as number | undefined) ?? 0;
    if (uses < 0) throw VaultError.invalid('token_num_uses cannot be negative');
    next.numUses = uses;
  }
  if (has('token_period')) next.periodSec = (data.token_period as number | undefined) ?? 0;
  if (has('token_policies')) next.policies = (data.token_policies as string[] | undefined) ?? [];
  else if (has('policies')) next.policies = (data.policies as string[] | undefined) ?? [];
  if (has('token_type')) {
    const type = ((data.token_type as string | undefined) ?? 'default').trim().toLowerCase() || 'default';
    if (!(LOGIN_TOKEN_TYPES as readonly string[]).includes(type)) throw VaultError.invalid(`invalid 'token_type' value ${JSON.stringify(type)}`);
    next.tokenType = type as LoginTokenType;
  }
  if (has('token_ttl')) next.ttlSec = (data.token_ttl as number | undefined) ?? 0;
  if (next.maxTtlSec > 0 && next.ttlSec > next.maxTtlSec) throw VaultError.invalid("'token_ttl' cannot be greater than 'token_max_ttl'");
  const batch = next.tokenType === 'batch' || next.tokenType === 'default-batch';
  if (batch && next.periodSec > 0) throw VaultError.invalid("'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens");
  if (batch && next.numUses > 0) throw VaultError.invalid("'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count");
  return next;
}

/** The token fields of a role or user read (PopulateTokenData). */
export function tokenParamsWire(params: TokenParams): Record<string, unknown> {
  return {
    token_bound_cidrs: [...params.boundCidrs],
    token_explicit_max_ttl: params.explicitMaxTtlSec,
    token_max_ttl: params.maxTtlSec,
    token_no_default_policy: params.noDefaultPolicy,
    token_num_uses: params.numUses,
    token_period: params.periodSec,
    token_policies: [...params.policies],
    token_type: params.tokenType,
    token_ttl: params.ttlSec,
  };
}
