// database/roles/:name and LIST roles (vault-api.md D6–D7): dynamic roles, the statements that make and drop a user.
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import { CREDENTIAL_TYPES, roles, staticRoles, type CredentialType, type DynamicRole } from './database-storage.js';

const roleFields = {
  name: field.string('Name of the role.', { required: true, default: '' }),
  db_name: field.string('Name of the database connection this role uses.'),
  creation_statements: field.stringList('Statements that create the user; "{{name}}", "{{password}}" and "{{expiration}}" are filled in.'),
  revocation_statements: field.stringList("Statements that drop the user; Vault's default sequence when empty."),
  rollback_statements: field.stringList('Statements run when creation fails.'),
  renew_statements: field.stringList("Statements that extend the user's expiry."),
  default_ttl: field.duration('Default TTL of the credentials.'),
  max_ttl: field.duration('Maximum TTL of the credentials.'),
  credential_type: field.string('Kind of credential: password (default), rsa_private_key or client_certificate.'),
  credential_config: field.map('Settings of the credential type, e.g. {"password_policy": "..."}.'),
};
type RoleContext = PathContext<typeof roleFields>;

/** Only the password type's one setting exists for PostgreSQL. */
export function checkCredentialConfig(type: CredentialType, config: Record<string, unknown> | undefined): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [key, value] of Object.entries(config ?? {})) {
    if (type !== 'password' || key !== 'password_policy') throw VaultError.invalid(`credential_config validation failed: unknown setting "${key}" for credential_type "${type}"`);
    if (typeof value !== 'string') throw VaultError.invalid('credential_config validation failed: password_policy must be a string');
    checked[key] = value;
  }
  return checked;
}

export function checkCredentialType(value: string): CredentialType {
  if (!(CREDENTIAL_TYPES as readonly string[]).includes(value)) throw VaultError.invalid(`invalid credential_type "${value}"`);
  return value as CredentialType;
}

function roleWire(role: DynamicRole): Record<string, unknown> {
  return {
    db_name: role.dbName,
    creation_statements: role.creationStatements,
    revocation_statements: role.revocationStatements,
    rollback_statements: role.rollbackStatements,
    renew_statements: role.renewStatements,
    default_ttl: role.defaultTtlSec,
    max_ttl: role.maxTtlSec,
    credential_type: role.credentialType,
    ...(Object.keys(role.credentialConfig).length > 0 ? { credential_config: role.credentialConfig } : {}),
  };
}

async function write(ctx: RoleContext): Promise<HandlerResult | undefined> {
  const name = ctx.data.name;
  if (!name) throw VaultError.invalid('empty role name attribute given');
  if (await staticRoles.read(ctx.storage, name)) throw VaultError.invalid('Role and Static Role names must be unique');
  const existing = await roles.read(ctx.storage, name);
  const given = <T>(key: keyof typeof roleFields, value: T | undefined, previous: T | undefined, fallback: T): T =>
    ctx.has(key) && value !== undefined ? value : (previous ?? fallback);
  const credentialType = ctx.has('credential_type') ? checkCredentialType(ctx.data.credential_type ?? '') : (existing?.credentialType ?? 'password');
  const role: DynamicRole = {
    dbName: given('db_name', ctx.data.db_name, existing?.dbName, ''),
    creationStatements: given('creation_statements', ctx.data.creation_statements, existing?.creationStatements, []),
    revocationStatements: given('revocation_statements', ctx.data.revocation_statements, existing?.revocationStatements, []).filter((s) => s.trim() !== ''),
    rollbackStatements: given('rollback_statements', ctx.data.rollback_statements, existing?.rollbackStatements, []),
    renewStatements: given('renew_statements', ctx.data.renew_statements, existing?.renewStatements, []),
    defaultTtlSec: given('default_ttl', ctx.data.default_ttl, existing?.defaultTtlSec, 0),
    maxTtlSec: given('max_ttl', ctx.data.max_ttl, existing?.maxTtlSec, 0),
    credentialType,
    credentialConfig: ctx.has('credential_config') ? checkCredentialConfig(credentialType, ctx.data.credential_config) : (existing?.credentialConfig ?? {}),
  };
  if (!role.dbName) throw VaultError.invalid('database name is required');
  await roles.write(ctx.storage, name, role);
  return undefined;
}

export function rolePaths() {
  return [
    definePath({
      pattern: 'roles',
      fields: {},
      operations: { list: { summary: 'List the dynamic roles.', handler: async (ctx) => ({ data: { keys: await roles.list(ctx.storage) } }) } },
      help: { synopsis: 'Manage the roles that can be created with this backend.' },
    }),
    definePath({
      pattern: 'roles/:name',
      fields: roleFields,
      exists: async (ctx) => (await roles.read(ctx.storage, ctx.data.name)) !== undefined,
      operations: {
        create: { summary: 'Create a role.', handler: write },
        update: { summary: 'Update a role.', handler: write },
        read: {
          summary: 'Read a role.',
          handler: async (ctx) => {
            const role = await roles.read(ctx.storage, ctx.data.name);
            return role ? { data: roleWire(role) } : undefined;
          },
        },
        delete: {
          summary: 'Delete a role; credentials already issued keep their leases.',
          handler: async (ctx) => {
            await roles.delete(ctx.storage, ctx.data.name);
            return undefined;
          },
        },
      },
      help: { synopsis: 'Manage the roles that can be created with this backend.' },
    }),
  ];
}
