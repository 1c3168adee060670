// auth/token/create, create-orphan, create/:role_name (vault-api.md T1–T3, token_store.go handleCreateCommon).
import { calculateTtl, definePath, field, parseDurationSec, VaultError, type AuthInfo, type HandlerResult, type PathContext } from '@coffer/sdk';
import { resolveChildPolicies } from './child-policies.js';
import { isRootEntry, type TokenEntry } from './token-entry.js';
import { checkCustomTokenId } from './token-ids.js';
import { readRole, type TokenRole } from './token-role.js';
import type { TokenBackendDeps } from './token-backend-deps.js';

const createFields = {
  role_name: field.string('Name of the role to create the token against.'),
  id: field.string('A custom token id (root or sudo only).'),
  policies: field.commaList('Policies of the token; a subset of the parent\'s unless the caller has sudo.'),
  meta: field.kvPairs('Arbitrary key=value metadata reported on lookup and in audit logs.'),
  no_parent: field.bool('Create an orphan token (root or sudo only).'),
  no_default_policy: field.bool('Do not attach the default policy.'),
  renewable: field.bool('Whether the token may be renewed.', { default: true }),
  lease: field.string('Deprecated alias of ttl.'),
  ttl: field.string('TTL of the token.'),
  type: field.string('Token type: service or batch.'),
  explicit_max_ttl: field.string('A hard cap on the token\'s lifetime, renewals included.'),
  display_name: field.string('Name stored as token-<display_name>.'),
  num_uses: field.int('Number of uses before the token is revoked; 0 is unlimited.'),
  period: field.string('Renewal period of a periodic token (root or sudo only).'),
  entity_alias: field.string('Name of the entity alias to attach (role only).'),
};

type CreateContext = PathContext<typeof createFields>;

/** Parses a duration field the way the token store does: strings, with the field's own name in errors. */
function durationField(ctx: CreateContext, name: 'ttl' | 'lease' | 'explicit_max_ttl' | 'period'): number {
  const text = ctx.data[name];
  if (text === undefined || text === '') return 0;
  let sec: number;
  try {
    sec = parseDurationSec(text);
  } catch {
    throw VaultError.invalid(`time: invalid duration "${text}"`);
  }
  if (sec < 0) throw VaultError.invalid(`${name} must be positive`);
  return sec;
}

function displayNameOf(raw: string | undefined): string {
  if (!raw) return 'token';
  // Vault replaces anything outside [a-zA-Z0-9-] by '-' and trims a trailing '-'.
  return `token-${raw}`.replace(/[^a-zA-Z0-9-]/g, '-').replace(/-+$/, '');
}

function lesser(warnings: string[], what: string, fromRequest: number, fromRole: number): number {
  if (fromRole === 0) return fromRequest;
  if (fromRequest === 0) return fromRole;
  const chosen = Math.min(fromRequest, fromRole);
  warnings.push(`${what} specified both during creation call and in role; using the lesser value of ${chosen} seconds`);
  return chosen;
}

export function authInfo(id: string, entry: TokenEntry, renewable: boolean): AuthInfo {
  return {
    client_token: id,
    accessor: entry.accessor,
    policies: entry.policies,
    token_policies: entry.policies,
    metadata: entry.meta,
    lease_duration: entry.ttlSec,
    renewable,
    entity_id: entry.entityId,
    token_type: entry.type,
    orphan: entry.parentHash === undefined,
    mfa_requirement: null,
    num_uses: entry.numUses,
  };
}

export function createPaths(deps: TokenBackendDeps) {
  async function create(ctx: CreateContext, mode: 'child' | 'orphan' | 'role'): Promise<HandlerResult> {
    const parent = (await deps.store.resolveCaller(ctx.caller.clientToken))?.entry;
    if (!parent) throw VaultError.invalid('parent token lookup failed: no parent found');
    if (parent.type === 'batch') throw VaultError.invalid('batch tokens cannot create more tokens');
    if (parent.numUses !== 0) throw VaultError.invalid('restricted use token cannot generate child tokens');
    const sudo = ctx.caller.sudo === true || isRootEntry(parent);

    let role: TokenRole | undefined;
    if (mode === 'role') {
      role = await readRole(ctx.storage, ctx.data.role_name ?? '');
      if (!role) throw VaultError.invalid('unknown role ' + (ctx.data.role_name ?? ''));
    }
    let type = ctx.data.type ?? '';
    if (role?.tokenType === 'service' || role?.tokenType === 'batch') type = role.tokenType;
    else if (role?.tokenType === 'default-batch' && type === '') type = 'batch';
    if (type !== '' && type !== 'service' && type !== 'batch') throw VaultError.invalid("invalid 'token_type' value");
    const batch = type === 'batch';
    if (batch) {
      // Vault names the first of these that is set.
      const set = ['explicit_max_ttl', 'num_uses', 'period'].find((name) => {
        const value = ctx.data[name as 'explicit_max_ttl' | 'num_uses' | 'period'];
        return value !== undefined && value !== '' && value !== 0 && value !== '0';
      });
      if (set) throw VaultError.invalid(`batch tokens cannot have "${set}" set`);
    }

    let numUses = ctx.data.num_uses ?? 0;
    if (numUses < 0) throw VaultError.invalid('number of uses cannot be negative');
    if (ctx.has('entity_alias') && ctx.data.entity_alias) {
      if (!role) throw VaultError.invalid("'entity_alias' is only allowed in combination with token role");
      throw VaultError.invalid("invalid 'entity_alias' value");
    }
    let renewable = !batch && (ctx.data.renewable ?? true);
    let path = `auth/token/${ctx.path}`;
    if (role) {
      if (!role.renewable) renewable = false;
      if (role.tokenNumUses > 0 && (numUses === 0 || role.tokenNumUses < numUses)) numUses = role.tokenNumUses;
      if (role.pathSuffix !== '') path = `${path}/${role.pathSuffix}`;
    }

    const id = ctx.data.id || undefined;
    if (id !== undefined) {
      if (!sudo) throw VaultError.invalid('root or sudo privileges required to specify token id');
      checkCustomTokenId(id);
    }

    const policies = resolveChildPolicies({
      requested: ctx.data.policies ?? [],
      noDefaultPolicy: ctx.data.no_default_policy ?? false,
      parent,
      sudo,
      ...(role ? { role } : {}),
    });
    if (policies.includes('root') && !parent.policies.includes('root')) {
      throw VaultError.invalid('root tokens may not be created without parent token being root');
    }
    if (policies.includes('root') && batch) throw VaultError.invalid('batch tokens cannot be root tokens');

    let orphan = mode === 'orphan';
    if (role) orphan = role.orphan;
    else if (ctx.data.no_parent) {
      if (!sudo) throw VaultError.invalid('root or sudo privileges required to create orphan token');
      orphan = true;
    }

    const warnings: string[] = [];
    let explicitMaxTtlSec = durationField(ctx, 'explicit_max_ttl');
    let periodSec = durationField(ctx, 'period');
    if (periodSec > 0 && !sudo) throw VaultError.invalid('root or sudo privileges required to create periodic token');
    let ttlSec = ctx.data.ttl ? durationField(ctx, 'ttl') : durationField(ctx, 'lease');
    if (role) {
      explicitMaxTtlSec = lesser(warnings, 'Explicit max TTL', explicitMaxTtlSec, role.tokenExplicitMaxTtlSec);
      periodSec = lesser(warnings, 'Period', periodSec, role.tokenPeriodSec);
    }

    const nowMs = ctx.clock.now();
    if (periodSec > 0 || ttlSec > 0 || !policies.includes('root')) {
      const computed = calculateTtl({
        nowMs,
        issueTimeMs: nowMs,
        incrementSec: 0,
        requestedTtlSec: ttlSec,
        periodSec,
        explicitMaxTtlSec,
        backendMaxTtlSec: 0,
        mountDefaultTtlSec: ctx.mount.defaultLeaseTtlSec,
        mountMaxTtlSec: ctx.mount.maxLeaseTtlSec,
      });
      warnings.push(...computed.warnings);
      ttlSec = computed.ttlSec;
    }
    if (ttlSec === 0 && explicitMaxTtlSec > 0) ttlSec = explicitMaxTtlSec;
    if (ttlSec === 0) {
      // Only a never-expiring root parent may mint a never-expiring root token.
      if (parent.expireTimeMs !== 0) throw VaultError.invalid('expiring root tokens cannot create non-expiring root tokens');
      renewable = false;
    }

    const displayName = displayNameOf(ctx.data.display_name);
    const meta = ctx.data.meta && Object.keys(ctx.data.meta).length > 0 ? ctx.data.meta : null;
    const entityId = orphan ? '' : parent.entityId;
    // A role's blocks apply as they are; otherwise a child keeps its parent's (Vault's token_store.go):
    // a token bound to an address range cannot mint one that works from anywhere.
    const cidrs = role ? role.tokenBoundCidrs : (parent.boundCidrs ?? []);
    const boundCidrs = cidrs.length > 0 ? { boundCidrs: [...cidrs] } : {};
    // A batch token carries its claims; a custom id does not apply to it (Vault drops it).
    const { id: tokenId, entry } = batch
      ? await deps.store.createBatch({
          policies,
          ...(orphan ? {} : { parentHash: parent.idHash }),
          path,
          displayName,
          meta,
          creationTimeMs: ctx.clock.now(),
          ttlSec,
          ...(role ? { role: role.name } : {}),
          entityId,
          ...boundCidrs,
        })
      : await deps.store.create({
          ...(id !== undefined ? { id } : {}),
          policies,
          ...(orphan ? {} : { parentHash: parent.idHash }),
          path,
          displayName,
          meta,
          numUses,
          creationTtlSec: ttlSec,
          ttlSec,
          explicitMaxTtlSec,
          periodSec,
          renewable,
          ...(role ? { role: role.name } : {}),
          type: 'service',
          entityId,
          ...boundCidrs,
        });
    for (const policy of policies) {
      if (policy !== 'root' && !(await deps.policyExists(policy))) warnings.push(`Policy "${policy}" does not exist`);
    }
    return { auth: authInfo(tokenId, entry, renewable), ...(warnings.length > 0 ? { warnings } : {}) };
  }

  const help = { synopsis: 'Create a token.', description: 'Creates a child of the calling token, an orphan, or a token from a role.' };
  return [
    definePath({
      pattern: 'create-orphan',
      fields: createFields,
      operations: { update: { summary: 'Create an orphan token.', handler: (ctx) => create(ctx, 'orphan') } },
      help,
    }),
    definePath({
      pattern: 'create/:role_name',
      fields: createFields,
      operations: { update: { summary: 'Create a token from a role.', handler: (ctx) => create(ctx, 'role') } },
      help,
    }),
    definePath({
      pattern: 'create',
      fields: createFields,
      operations: { update: { summary: 'Create a token.', handler: (ctx) => create(ctx, 'child') } },
      help,
    }),
  ];
}
