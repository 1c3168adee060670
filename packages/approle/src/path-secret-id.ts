// auth/<mount>/role/:role_name/secret-id and its relatives (vault-api.md R5–R11): issuing, looking up and destroying secret ids.
import { definePath, field, formatRfc3339Nano, randomUuid, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import type { AppRoleStore, RoleEntry, SecretIdEntry } from './approle-storage.js';
import { roleNameOf } from './role-name.js';
import { secretIdCidrs, secretIdLimits } from './secret-id-rules.js';

const issueFields = {
  role_name: field.string('Name of the role.', { required: true }),
  secret_id: field.string('A chosen secret id (custom-secret-id only).'),
  metadata: field.any('String key/value pairs kept with the secret id and added to the login token\'s metadata; a JSON-encoded object or a map.'),
  cidr_list: field.commaList('CIDR blocks logins with this secret id may come from.'),
  token_bound_cidrs: field.commaList('CIDR blocks tokens from this secret id may be used from.'),
  num_uses: field.int('Logins this secret id allows; 0 is unlimited.'),
  ttl: field.duration('How long this secret id stays valid.'),
};
type IssueContext = PathContext<typeof issueFields>;

function metadataOf(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null || raw === '') return {};
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw VaultError.invalid('failed to parse metadata: not a JSON object of strings');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw VaultError.invalid('failed to parse metadata: not a JSON object of strings');
  }
  return { ...(value as Record<string, string>) };
}

function timeWire(ms: number): string {
  return ms === 0 ? '0001-01-01T00:00:00Z' : formatRfc3339Nano(ms);
}

/** A secret id as lookups answer it (R7, R9): uses left, never the secret id itself. */
function secretIdWire(entry: SecretIdEntry): Record<string, unknown> {
  return {
    cidr_list: [...entry.cidrList],
    creation_time: timeWire(entry.creationTimeMs),
    expiration_time: timeWire(entry.expirationTimeMs),
    last_updated_time: timeWire(entry.lastUpdatedTimeMs),
    metadata: { ...entry.metadata },
    secret_id_accessor: entry.accessor,
    secret_id_num_uses: entry.numUses,
    secret_id_ttl: entry.ttlSec,
    token_bound_cidrs: [...entry.tokenBoundCidrs],
  };
}

export function secretIdPaths(store: AppRoleStore) {
  async function roleOf(ctx: { storage: PathContext['storage']; data: { role_name?: string | undefined } }): Promise<RoleEntry> {
    return store.existingRole(ctx.storage, roleNameOf(ctx.data.role_name));
  }

  async function issue(ctx: IssueContext, secretId: string): Promise<HandlerResult> {
    const role = await roleOf(ctx);
    if (!role.bindSecretId) throw VaultError.invalid('bind_secret_id is not set on the role');
    const { numUses, ttlSec } = secretIdLimits(role, ctx.has('num_uses') ? ctx.data.num_uses : undefined, ctx.has('ttl') ? ctx.data.ttl : undefined);
    const cidrList = secretIdCidrs(ctx.data.cidr_list, role.secretIdBoundCidrs, 'cidr_list');
    const tokenBoundCidrs = secretIdCidrs(ctx.data.token_bound_cidrs, role.token.boundCidrs, 'token_bound_cidrs');
    const metadata = metadataOf(ctx.data.metadata);
    const hmac = store.secretIdHmac(role, secretId);
    const nowMs = ctx.clock.now();
    const entry: SecretIdEntry = {
      accessor: randomUuid(ctx.random),
      numUses,
      ttlSec,
      creationTimeMs: nowMs,
      expirationTimeMs: ttlSec > 0 ? nowMs + ttlSec * 1000 : 0,
      lastUpdatedTimeMs: nowMs,
      metadata,
      cidrList,
      tokenBoundCidrs,
    };
    if (!(await store.issueSecretId(ctx.storage, role, hmac, entry))) throw VaultError.invalid('SecretID is already registered');
    return { data: { secret_id: secretId, secret_id_accessor: entry.accessor, secret_id_ttl: ttlSec, secret_id_num_uses: numUses } };
  }

  const secretFields = { role_name: issueFields.role_name, secret_id: field.string('The secret id.') };
  const accessorFields = { role_name: issueFields.role_name, secret_id_accessor: field.string('The accessor of a secret id.') };

  async function byAccessor(ctx: PathContext<typeof accessorFields>): Promise<{ role: RoleEntry; hmac: string; entry: SecretIdEntry }> {
    const role = await roleOf(ctx);
    const accessor = (ctx.data.secret_id_accessor ?? '').trim();
    if (!accessor) throw VaultError.invalid('missing secret_id_accessor');
    const hmac = await store.secretIdHmacByAccessor(ctx.storage, role, accessor);
    const entry = hmac && (await store.readSecretId(ctx.storage, role, hmac));
    if (!hmac || !entry) throw new VaultError('not_found', `failed to find accessor entry for secret_id_accessor: ${JSON.stringify(accessor)}`);
    return { role, hmac, entry };
  }

  async function destroyBySecret(ctx: PathContext<typeof secretFields>): Promise<undefined> {
    const role = await roleOf(ctx);
    const secretId = (ctx.data.secret_id ?? '').trim();
    if (!secretId) throw VaultError.invalid('missing secret_id');
    await store.destroySecretId(ctx.storage, role, store.secretIdHmac(role, secretId));
    return undefined;
  }

  async function destroyByAccessor(ctx: PathContext<typeof accessorFields>): Promise<undefined> {
    const { role, hmac } = await byAccessor(ctx);
    await store.destroySecretId(ctx.storage, role, hmac);
    return undefined;
  }

  return [
    definePath({
      pattern: 'role/:role_name/secret-id',
      fields: issueFields,
      operations: {
        update: { summary: 'Generate a secret id.', handler: (ctx) => issue(ctx, randomUuid(ctx.random)) },
        list: {
          summary: "List the accessors of the role's secret ids.",
          handler: async (ctx) => {
            const role = await roleOf(ctx);
            const keys: string[] = [];
            for (const hmac of await store.listSecretIdHmacs(ctx.storage, role)) {
              const entry = await store.readSecretId(ctx.storage, role, hmac);
              if (entry) keys.push(entry.accessor);
            }
            return { data: { keys: keys.sort() } };
          },
        },
      },
      help: { synopsis: 'Generate a secret id against the role, or list its accessors.' },
    }),
    definePath({
      pattern: 'role/:role_name/custom-secret-id',
      fields: issueFields,
      operations: {
        update: {
          summary: 'Register a secret id chosen by the caller.',
          handler: (ctx) => {
            const secretId = (ctx.data.secret_id ?? '').trim();
            if (!secretId) throw VaultError.invalid('missing secret_id');
            return issue(ctx, secretId);
          },
        },
      },
      help: { synopsis: 'Register a secret id chosen by the caller.' },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id/lookup',
      fields: secretFields,
      operations: {
        update: {
          summary: 'Read the properties of a secret id.',
          handler: async (ctx) => {
            const role = await roleOf(ctx);
            const secretId = (ctx.data.secret_id ?? '').trim();
            if (!secretId) throw VaultError.invalid('missing secret_id');
            const entry = await store.readSecretId(ctx.storage, role, store.secretIdHmac(role, secretId));
            // Unknown or used up: an empty answer, not an error (R7).
            return entry ? { data: secretIdWire(entry) } : undefined;
          },
        },
      },
      help: { synopsis: 'Read the properties of a secret id.' },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id/destroy',
      fields: secretFields,
      operations: {
        update: { summary: 'Destroy a secret id.', handler: destroyBySecret },
        delete: { summary: 'Destroy a secret id.', handler: destroyBySecret },
      },
      help: { synopsis: 'Destroy a secret id.' },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id-accessor/lookup',
      fields: accessorFields,
      operations: {
        update: { summary: 'Read a secret id by its accessor.', handler: async (ctx) => ({ data: secretIdWire((await byAccessor(ctx)).entry) }) },
      },
      help: { synopsis: 'Read a secret id by its accessor.' },
    }),
    definePath({
      pattern: 'role/:role_name/secret-id-accessor/destroy',
      fields: accessorFields,
      operations: {
        update: { summary: 'Destroy a secret id by its accessor.', handler: destroyByAccessor },
        delete: { summary: 'Destroy a secret id by its accessor.', handler: destroyByAccessor },
      },
      help: { synopsis: 'Destroy a secret id by its accessor.' },
    }),
  ];
}
