// auth/<mount>/role, role/:role_name and role/:role_name/role-id (vault-api.md R1–R4, §2.7).
import { definePath, defaultTokenParams, field, parseTokenParams, randomUuid, tokenParamFields, tokenParamsWire, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import { checkCidr } from '@coffer/sdk';
import type { AppRoleStore, RoleEntry } from './approle-storage.js';
import { roleNameOf } from './role-name.js';

const roleFields = {
  role_name: field.string('Name of the role.', { required: true }),
  bind_secret_id: field.bool('Require a secret id at login.'),
  secret_id_bound_cidrs: field.commaList('CIDR blocks logins with a secret id of this role may come from.'),
  bound_cidr_list: field.commaList('Deprecated: use "secret_id_bound_cidrs".'),
  secret_id_num_uses: field.int('Logins each secret id allows; 0 is unlimited.'),
  secret_id_ttl: field.duration('How long a secret id stays valid; 0 is forever.'),
  local_secret_ids: field.bool('Secret ids stay local to this cluster (set at creation only).'),
  role_id: field.string('A chosen role id; a random UUID otherwise.'),
  period: field.duration('Deprecated: use "token_period".'),
  ...tokenParamFields,
};
type RoleContext = PathContext<typeof roleFields>;

function cidrs(values: readonly string[] | undefined): string[] {
  try {
    return (values ?? []).map(checkCidr);
  } catch (error) {
    throw VaultError.invalid((error as Error).message);
  }
}

/** The read of a role: every setting but the role id (R2). */
export function roleWire(role: RoleEntry): Record<string, unknown> {
  return {
    bind_secret_id: role.bindSecretId,
    local_secret_ids: role.localSecretIds,
    secret_id_bound_cidrs: [...role.secretIdBoundCidrs],
    secret_id_num_uses: role.secretIdNumUses,
    secret_id_ttl: role.secretIdTtlSec,
    ...tokenParamsWire(role.token),
    policies: [...role.token.policies],
    period: role.token.periodSec,
  };
}

export function rolePaths(store: AppRoleStore) {
  async function write(ctx: RoleContext): Promise<HandlerResult | undefined> {
    const name = roleNameOf(ctx.data.role_name);
    // One unit for every role write: a role id change and a plain update never interleave, and
    // two roles claiming one custom role id cannot both get it.
    return store.rolesUnit(ctx.storage, async (unit) => {
      const existing = await store.readRole(unit, name);
      const role: RoleEntry = existing ?? {
        name,
        roleId: '',
        hmacKey: store.newHmacKey(),
        bindSecretId: true,
        secretIdBoundCidrs: [],
        secretIdNumUses: 0,
        secretIdTtlSec: 0,
        localSecretIds: false,
        token: defaultTokenParams(),
      };
      const next: RoleEntry = { ...role };
      if (ctx.has('bind_secret_id')) next.bindSecretId = ctx.data.bind_secret_id ?? true;
      if (ctx.has('secret_id_bound_cidrs')) next.secretIdBoundCidrs = cidrs(ctx.data.secret_id_bound_cidrs);
      else if (ctx.has('bound_cidr_list')) next.secretIdBoundCidrs = cidrs(ctx.data.bound_cidr_list);
      if (ctx.has('secret_id_num_uses')) {
        const uses = ctx.data.secret_id_num_uses ?? 0;
        if (uses < 0) throw VaultError.invalid('secret_id_num_uses cannot be negative');
        next.secretIdNumUses = uses;
      }
      if (ctx.has('secret_id_ttl')) next.secretIdTtlSec = ctx.data.secret_id_ttl ?? 0;
      if (ctx.has('local_secret_ids')) {
        if (existing && (ctx.data.local_secret_ids ?? false) !== existing.localSecretIds) throw VaultError.invalid('local_secret_ids can only be modified during role creation');
        next.localSecretIds = ctx.data.local_secret_ids ?? false;
      }
      const tokenData: Record<string, unknown> = { ...ctx.data };
      const sent = (n: string) => ctx.has(n as keyof typeof roleFields);
      if (!sent('token_period') && sent('period')) tokenData.token_period = ctx.data.period;
      next.token = parseTokenParams(tokenData, (n) => sent(n) || (n === 'token_period' && sent('period')), role.token);
      if (!next.bindSecretId && next.secretIdBoundCidrs.length === 0 && next.token.boundCidrs.length === 0) {
        throw VaultError.invalid('at least one constraint should be enabled on the role');
      }
      const requestedRoleId = ctx.data.role_id?.trim();
      const roleId = requestedRoleId || role.roleId || randomUuid(ctx.random);
      if (roleId !== role.roleId) {
        const owner = await store.roleNameById(unit, roleId);
        if (owner !== undefined && owner !== name) throw VaultError.invalid('role_id already in use');
        if (role.roleId) await store.dropRoleId(unit, role.roleId);
        await store.setRoleId(unit, name, roleId);
      }
      await store.writeRole(unit, { ...next, roleId });
      return undefined;
    });
  }

  const roleIdFields = { role_name: roleFields.role_name, role_id: field.string('The new role id.') };

  return [
    ...ROLE_SETTINGS.map((setting) => settingPath(store, setting, write)),
    definePath({
      pattern: 'role',
      fields: {},
      operations: { list: { summary: 'List the roles.', handler: async (ctx) => ({ data: { keys: await store.listRoles(ctx.storage) } }) } },
      help: { synopsis: 'Lists all the roles registered with the backend.' },
    }),
    definePath({
      pattern: 'role/:role_name',
      fields: roleFields,
      exists: async (ctx) => (await store.readRole(ctx.storage, roleNameOf(ctx.data.role_name))) !== undefined,
      operations: {
        create: { summary: 'Create a role.', handler: write },
        update: { summary: 'Update a role.', handler: write },
        read: {
          summary: 'Read a role (not its role id).',
          handler: async (ctx) => {
            const role = await store.readRole(ctx.storage, roleNameOf(ctx.data.role_name));
            return role && { data: roleWire(role) };
          },
        },
        delete: {
          summary: 'Delete a role and every secret id issued against it.',
          handler: async (ctx) => {
            const role = await store.readRole(ctx.storage, roleNameOf(ctx.data.role_name));
            if (role) await store.deleteRole(ctx.storage, role);
            return undefined;
          },
        },
      },
      help: { synopsis: 'Register a role with the backend.' },
    }),
    definePath({
      pattern: 'role/:role_name/role-id',
      fields: roleIdFields,
      operations: {
        read: {
          summary: "Read the role's role id.",
          handler: async (ctx) => {
            const role = await store.readRole(ctx.storage, roleNameOf(ctx.data.role_name));
            return role && { data: { role_id: role.roleId } };
          },
        },
        update: {
          summary: "Set the role's role id; the old one stops working at once.",
          handler: async (ctx) => {
            const name = roleNameOf(ctx.data.role_name);
            const roleId = ctx.data.role_id?.trim();
            if (!roleId) throw VaultError.invalid('missing role_id');
            return store.rolesUnit(ctx.storage, async (unit) => {
              const role = await store.existingRole(unit, name);
              if (roleId === role.roleId) return undefined;
              if ((await store.roleNameById(unit, roleId)) !== undefined) throw VaultError.invalid('role_id already in use');
              await store.dropRoleId(unit, role.roleId);
              await store.setRoleId(unit, name, roleId);
              await store.writeRole(unit, { ...role, roleId });
              return undefined;
            });
          },
        },
      },
      help: { synopsis: 'Read or set the role id of a role.' },
    }),
  ];
}

/** One of a role's settings as its own resource (vault-api.md R14): `role/:role_name/<path>`. */
interface RoleSetting {
  path: string;
  /** The role field it reads and writes. */
  field: keyof typeof roleFields;
  /** The keys a read answers with (Vault repeats the legacy name beside the new one). */
  wire: readonly string[];
  /** What a delete sets it back to; absent where Vault allows no delete. */
  reset?: unknown;
}

const ROLE_SETTINGS: readonly RoleSetting[] = [
  { path: 'policies', field: 'token_policies', wire: ['policies', 'token_policies'], reset: [] },
  { path: 'secret-id-num-uses', field: 'secret_id_num_uses', wire: ['secret_id_num_uses'], reset: 0 },
  { path: 'secret-id-ttl', field: 'secret_id_ttl', wire: ['secret_id_ttl'], reset: 0 },
  { path: 'token-ttl', field: 'token_ttl', wire: ['token_ttl'], reset: 0 },
  { path: 'token-max-ttl', field: 'token_max_ttl', wire: ['token_max_ttl'], reset: 0 },
  { path: 'token-num-uses', field: 'token_num_uses', wire: ['token_num_uses'], reset: 0 },
  { path: 'token-bound-cidrs', field: 'token_bound_cidrs', wire: ['token_bound_cidrs'], reset: [] },
  { path: 'secret-id-bound-cidrs', field: 'secret_id_bound_cidrs', wire: ['secret_id_bound_cidrs'], reset: [] },
  { path: 'bind-secret-id', field: 'bind_secret_id', wire: ['bind_secret_id'], reset: true },
  { path: 'period', field: 'token_period', wire: ['period', 'token_period'], reset: 0 },
  { path: 'local-secret-ids', field: 'local_secret_ids', wire: ['local_secret_ids'] },
];

/**
 * A setting's resource: a read answers its keys from the role, an update or delete goes through
 * the role's own write (same checks, same messages) with just that field sent.
 */
function settingPath(store: AppRoleStore, setting: RoleSetting, write: (ctx: RoleContext) => Promise<HandlerResult | undefined>) {
  const fields = { role_name: roleFields.role_name, [setting.field]: roleFields[setting.field] };
  type SettingContext = PathContext<typeof fields>;
  const existing = (ctx: SettingContext): Promise<RoleEntry> => store.existingRole(ctx.storage, roleNameOf(ctx.data.role_name as string | undefined));
  /** The role write, seeing only this setting as sent, with `value`. */
  const writeSetting = (ctx: SettingContext, value: unknown) =>
    write({ ...ctx, data: { role_name: ctx.data.role_name, [setting.field]: value }, has: (name: string) => name === setting.field } as unknown as RoleContext);
  return definePath({
    pattern: `role/:role_name/${setting.path}`,
    fields,
    operations: {
      read: {
        summary: `Read the role's ${setting.path}.`,
        handler: async (ctx) => {
          const wire = roleWire(await existing(ctx));
          return { data: Object.fromEntries(setting.wire.map((key) => [key, wire[key]])) };
        },
      },
      ...(setting.reset === undefined
        ? {}
        : {
            update: {
              summary: `Set the role's ${setting.path}.`,
              handler: async (ctx: SettingContext) => {
                await existing(ctx);
                if (!ctx.has(setting.field)) throw VaultError.invalid(`missing ${setting.field}`);
                return writeSetting(ctx, ctx.data[setting.field]);
              },
            },
            delete: {
              summary: `Reset the role's ${setting.path}.`,
              handler: async (ctx: SettingContext) => {
                await existing(ctx);
                return writeSetting(ctx, setting.reset);
              },
            },
          }),
    },
    help: { synopsis: `The ${setting.path} setting of a role.` },
  });
}
