// auth/token/roles, roles/:role_name (vault-api.md T15): named templates for token creation.
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import { sanitizePolicies } from './policy-names.js';
import { defaultRole, deleteRole, listRoles, readRole, roleResponse, ROLE_TOKEN_TYPES, writeRole, type RoleTokenType, type TokenRole } from './token-role.js';

const roleFields = {
  role_name: field.string('Name of the role.', { required: true }),
  allowed_policies: field.commaList('Policies tokens from this role may have; empty means the parent\'s.'),
  disallowed_policies: field.commaList('Policies tokens from this role may never have.'),
  allowed_policies_glob: field.commaList('Glob patterns of allowed policies.'),
  disallowed_policies_glob: field.commaList('Glob patterns of disallowed policies.'),
  orphan: field.bool('Tokens from this role are orphans.'),
  renewable: field.bool('Tokens from this role may be renewed.', { default: true }),
  path_suffix: field.string('Suffix appended to the token\'s creation path.'),
  allowed_entity_aliases: field.commaList('Entity aliases tokens from this role may be tied to.'),
  token_bound_cidrs: field.commaList('CIDR blocks tokens from this role may be used from.'),
  bound_cidrs: field.commaList('Deprecated alias of token_bound_cidrs.'),
  token_explicit_max_ttl: field.duration('A hard cap on the lifetime of tokens from this role.'),
  explicit_max_ttl: field.duration('Deprecated alias of token_explicit_max_ttl.'),
  token_no_default_policy: field.bool('Do not attach the default policy.'),
  token_num_uses: field.int('Uses of tokens from this role; 0 is unlimited.'),
  token_period: field.duration('Tokens from this role are periodic with this period.'),
  period: field.duration('Deprecated alias of token_period.'),
  token_type: field.string('service, batch, default-service or default-batch.'),
};

type RoleContext = PathContext<typeof roleFields>;

function lowerList(values: readonly string[] | undefined): string[] {
  return (values ?? []).map((v) => v.trim().toLowerCase()).filter((v) => v !== '');
}

/** Applies the given fields over the stored (or default) role; fields not sent keep their value. */
function applyFields(ctx: RoleContext, role: TokenRole): TokenRole {
  const next = { ...role };
  if (ctx.has('allowed_policies')) next.allowedPolicies = sanitizePolicies(ctx.data.allowed_policies ?? [], false);
  if (ctx.has('disallowed_policies')) next.disallowedPolicies = lowerList(ctx.data.disallowed_policies);
  if (ctx.has('allowed_policies_glob')) next.allowedPoliciesGlob = lowerList(ctx.data.allowed_policies_glob);
  if (ctx.has('disallowed_policies_glob')) next.disallowedPoliciesGlob = lowerList(ctx.data.disallowed_policies_glob);
  if (ctx.has('orphan')) next.orphan = ctx.data.orphan ?? false;
  if (ctx.has('renewable')) next.renewable = ctx.data.renewable ?? true;
  if (ctx.has('path_suffix')) {
    const suffix = (ctx.data.path_suffix ?? '').trim();
    if (suffix.includes('..')) throw VaultError.invalid("error registering path suffix: path suffix cannot contain '..'");
    next.pathSuffix = suffix;
  }
  if (ctx.has('allowed_entity_aliases')) next.allowedEntityAliases = lowerList(ctx.data.allowed_entity_aliases);
  if (ctx.has('token_bound_cidrs')) next.tokenBoundCidrs = ctx.data.token_bound_cidrs ?? [];
  else if (ctx.has('bound_cidrs')) next.tokenBoundCidrs = ctx.data.bound_cidrs ?? [];
  if (ctx.has('token_explicit_max_ttl')) next.tokenExplicitMaxTtlSec = ctx.data.token_explicit_max_ttl ?? 0;
  else if (ctx.has('explicit_max_ttl')) next.tokenExplicitMaxTtlSec = ctx.data.explicit_max_ttl ?? 0;
  if (ctx.has('token_no_default_policy')) next.tokenNoDefaultPolicy = ctx.data.token_no_default_policy ?? false;
  if (ctx.has('token_num_uses')) {
    const uses = ctx.data.token_num_uses ?? 0;
    if (uses < 0) throw VaultError.invalid('token_num_uses cannot be negative');
    next.tokenNumUses = uses;
  }
  if (ctx.has('token_period')) next.tokenPeriodSec = ctx.data.token_period ?? 0;
  else if (ctx.has('period')) next.tokenPeriodSec = ctx.data.period ?? 0;
  if (ctx.has('token_type')) {
    const type = (ctx.data.token_type ?? '').toLowerCase();
    if (!(ROLE_TOKEN_TYPES as readonly string[]).includes(type)) throw VaultError.invalid("invalid 'token_type' value");
    next.tokenType = type === 'default' ? 'default-service' : (type as RoleTokenType);
  }
  return next;
}

export function rolePaths() {
  async function write(ctx: RoleContext): Promise<undefined> {
    const name = ctx.data.role_name!.toLowerCase();
    const stored = await readRole(ctx.storage, name);
    await writeRole(ctx.storage, applyFields(ctx, stored ?? defaultRole(name)));
    return undefined;
  }

  async function read(ctx: RoleContext): Promise<HandlerResult | undefined> {
    const role = await readRole(ctx.storage, ctx.data.role_name!);
    return role && { data: roleResponse(role) };
  }

  return [
    definePath({
      pattern: 'roles',
      operations: {
        list: {
          summary: 'List token roles.',
          handler: async (ctx) => {
            const keys = await listRoles(ctx.storage);
            return keys.length > 0 ? { data: { keys } } : undefined;
          },
        },
      },
      help: { synopsis: 'List the token roles.' },
    }),
    definePath({
      pattern: 'roles/:role_name',
      fields: roleFields,
      exists: async (ctx) => (await readRole(ctx.storage, ctx.data.role_name!)) !== undefined,
      operations: {
        read: { summary: 'Read a token role.', handler: read },
        create: { summary: 'Create a token role.', handler: write },
        update: { summary: 'Update a token role.', handler: write },
        delete: {
          summary: 'Delete a token role.',
          handler: async (ctx) => {
            await deleteRole(ctx.storage, ctx.data.role_name!);
            return undefined;
          },
        },
      },
      help: { synopsis: 'Create, read, update or delete a token role.' },
    }),
  ];
}
