// database/static-roles/:name, static-creds/:name and rotate-role/:name (vault-api.md D9–D12): existing users whose passwords the vault rotates.
import { definePath, field, formatRfc3339Nano, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import { isAllowedRole } from './allowed-roles.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { CronError, parseCronSchedule } from './cron-schedule.js';
import { roles, staticRoles, type StaticRole } from './database-storage.js';
import { checkCredentialConfig, checkCredentialType } from './path-roles.js';
import { nextRotationMs, type RotateHeld, type StaticRotations } from './static-rotation.js';

/** Vault's rotation queue ticks every 5 s, so no period may be shorter. */
const MIN_ROTATION_PERIOD_SEC = 5;
const MIN_ROTATION_WINDOW_SEC = 3600;

const name = field.string('Name of the static role.', { required: true, default: '' });
const staticRoleFields = {
  name,
  db_name: field.string('Name of the database connection this role uses.'),
  username: field.string('Name of the existing database user; it cannot change.'),
  rotation_period: field.duration('How often the password is rotated (at least 5 s).'),
  rotation_schedule: field.string('Cron expression of when the password is rotated (instead of rotation_period).'),
  rotation_window: field.duration('How long after a scheduled time the rotation may still happen (at least 1 h).'),
  rotation_statements: field.stringList('Statements that set the password; "{{name}}" and "{{password}}" are filled in.'),
  credential_type: field.string('Kind of credential: password (default).'),
  credential_config: field.map('Settings of the credential type, e.g. {"password_policy": "..."}.'),
};
type StaticRoleContext = PathContext<typeof staticRoleFields>;

function rotationWire(role: StaticRole): Record<string, unknown> {
  return role.rotationSchedule
    ? { rotation_schedule: role.rotationSchedule, ...(role.rotationWindowSec > 0 ? { rotation_window: role.rotationWindowSec } : {}) }
    : { rotation_period: role.rotationPeriodSec };
}

function staticRoleWire(role: StaticRole): Record<string, unknown> {
  return {
    db_name: role.dbName,
    username: role.username,
    rotation_statements: role.rotationStatements,
    credential_type: role.credentialType,
    ...rotationWire(role),
    ...(role.lastVaultRotationMs > 0 ? { last_vault_rotation: formatRfc3339Nano(role.lastVaultRotationMs) } : {}),
    ...(Object.keys(role.credentialConfig).length > 0 ? { credential_config: role.credentialConfig } : {}),
  };
}

/** The role's rotation settings after this write, checked as Vault checks them. */
function rotationSettings(ctx: StaticRoleContext, existing: StaticRole | undefined): Pick<StaticRole, 'rotationPeriodSec' | 'rotationSchedule' | 'rotationWindowSec'> {
  const hasPeriod = ctx.has('rotation_period');
  const hasSchedule = ctx.has('rotation_schedule');
  if (hasPeriod && hasSchedule) throw VaultError.invalid('mutually exclusive fields rotation_period and rotation_schedule were both specified; only one of them can be provided');
  if (!existing && !hasPeriod && !hasSchedule) throw VaultError.invalid('one of rotation_schedule or rotation_period must be provided to create a static account');
  let settings = existing
    ? { rotationPeriodSec: existing.rotationPeriodSec, rotationSchedule: existing.rotationSchedule, rotationWindowSec: existing.rotationWindowSec }
    : { rotationPeriodSec: 0, rotationSchedule: '', rotationWindowSec: 0 };
  if (hasPeriod) {
    const periodSec = ctx.data.rotation_period ?? 0;
    if (periodSec < MIN_ROTATION_PERIOD_SEC) throw VaultError.invalid(`rotation_period must be ${MIN_ROTATION_PERIOD_SEC} seconds or more`);
    settings = { rotationPeriodSec: periodSec, rotationSchedule: '', rotationWindowSec: 0 };
  }
  if (hasSchedule) {
    const schedule = ctx.data.rotation_schedule ?? '';
    try {
      // A schedule that never comes round (`0 0 30 2 *`) is refused now, not at its first use.
      parseCronSchedule(schedule).next(ctx.clock.now());
    } catch (error) {
      if (error instanceof CronError) throw VaultError.invalid(`could not parse rotation_schedule: ${error.message}`);
      throw error;
    }
    settings = { rotationPeriodSec: 0, rotationSchedule: schedule, rotationWindowSec: settings.rotationWindowSec };
  }
  if (ctx.has('rotation_window')) {
    if (!settings.rotationSchedule) throw VaultError.invalid('rotation_window is invalid with use of rotation_period');
    const windowSec = ctx.data.rotation_window ?? 0;
    if (windowSec < MIN_ROTATION_WINDOW_SEC) throw VaultError.invalid(`rotation_window must be ${MIN_ROTATION_WINDOW_SEC} seconds or more`);
    settings.rotationWindowSec = windowSec;
  }
  return settings;
}

export function staticRolePaths(registry: ConnectionRegistry, rotations: StaticRotations) {
  async function write(ctx: StaticRoleContext): Promise<HandlerResult | undefined> {
    const roleName = ctx.data.name;
    if (!roleName) throw VaultError.invalid('empty role name attribute given');
    return rotations.withRole(roleName, (rotate) => writeHeld(ctx, roleName, rotate));
  }

  async function writeHeld(ctx: StaticRoleContext, roleName: string, rotate: RotateHeld): Promise<HandlerResult | undefined> {
    if (await roles.read(ctx.storage, roleName)) throw VaultError.invalid('Role and Static Role names must be unique');
    const existing = await staticRoles.read(ctx.storage, roleName);
    const dbName = ctx.has('db_name') ? (ctx.data.db_name ?? '') : (existing?.dbName ?? '');
    if (!dbName) throw VaultError.invalid('database name is a required field');
    const username = ctx.data.username ?? '';
    if (!existing && !username) throw VaultError.invalid('username is a required field to create a static account');
    if (existing && ctx.has('username') && username !== existing.username) throw VaultError.invalid('cannot update static account username');
    const credentialType = ctx.has('credential_type') ? checkCredentialType(ctx.data.credential_type ?? '') : (existing?.credentialType ?? 'password');
    const role: StaticRole = {
      dbName,
      username: existing?.username ?? username,
      ...rotationSettings(ctx, existing),
      rotationStatements: ctx.has('rotation_statements') ? (ctx.data.rotation_statements ?? []) : (existing?.rotationStatements ?? []),
      credentialType,
      credentialConfig: ctx.has('credential_config') ? checkCredentialConfig(credentialType, ctx.data.credential_config) : (existing?.credentialConfig ?? {}),
      password: existing?.password ?? '',
      lastVaultRotationMs: existing?.lastVaultRotationMs ?? 0,
    };
    const { config } = await registry.get(ctx.storage, dbName);
    if (!isAllowedRole(config.allowedRoles, roleName)) throw VaultError.invalid(`"${roleName}" is not an allowed role`);
    if (existing) {
      await staticRoles.write(ctx.storage, roleName, role);
      rotations.schedule(roleName, role);
      return undefined;
    }
    // A new static role takes over its user at once: the vault sets a password only it knows.
    await rotate(role);
    return undefined;
  }

  return [
    definePath({
      pattern: 'static-roles',
      fields: {},
      operations: { list: { summary: 'List the static roles.', handler: async (ctx) => ({ data: { keys: await staticRoles.list(ctx.storage) } }) } },
      help: { synopsis: 'Manage the static roles that can be created with this backend.' },
    }),
    definePath({
      pattern: 'static-roles/:name',
      fields: staticRoleFields,
      exists: async (ctx) => (await staticRoles.read(ctx.storage, ctx.data.name)) !== undefined,
      operations: {
        create: { summary: 'Create a static role; its password is rotated at once.', handler: write },
        update: { summary: 'Update a static role.', handler: write },
        read: {
          summary: 'Read a static role.',
          handler: async (ctx) => {
            const role = await staticRoles.read(ctx.storage, ctx.data.name);
            return role ? { data: staticRoleWire(role) } : undefined;
          },
        },
        delete: {
          summary: 'Delete a static role; the database user stays, with its last password.',
          handler: async (ctx) => {
            await rotations.withRole(ctx.data.name, async () => {
              await staticRoles.delete(ctx.storage, ctx.data.name);
              rotations.unschedule(ctx.data.name);
            });
            return undefined;
          },
        },
      },
      help: { synopsis: 'Manage the static roles that can be created with this backend.' },
    }),
    definePath({
      pattern: 'static-creds/:name',
      fields: { name },
      operations: {
        read: {
          summary: "Read the static role's current credentials.",
          handler: async (ctx): Promise<HandlerResult> => {
            const role = await staticRoles.read(ctx.storage, ctx.data.name);
            if (!role) throw VaultError.invalid(`unknown role: ${ctx.data.name}`);
            const { config } = await registry.get(ctx.storage, role.dbName);
            if (!isAllowedRole(config.allowedRoles, ctx.data.name)) throw VaultError.internal(`"${ctx.data.name}" is not an allowed role`);
            const nowMs = ctx.clock.now();
            return {
              data: {
                username: role.username,
                password: role.password,
                last_vault_rotation: formatRfc3339Nano(role.lastVaultRotationMs),
                ttl: Math.max(0, Math.floor((nextRotationMs(role, nowMs) - nowMs) / 1000)),
                ...rotationWire(role),
              },
            };
          },
        },
      },
      help: { synopsis: 'Request database credentials for a certain static role. These credentials are rotated periodically.' },
    }),
    definePath({
      pattern: 'rotate-role/:name',
      fields: { name },
      operations: {
        update: {
          summary: "Rotate the static role's password now.",
          handler: async (ctx) => {
            if (!(await staticRoles.read(ctx.storage, ctx.data.name))) throw VaultError.invalid(`no static role found for role name`);
            await rotations.rotate(ctx.data.name);
            return undefined;
          },
        },
      },
      help: { synopsis: 'Request to rotate the credentials for a static user account.' },
    }),
  ];
}
