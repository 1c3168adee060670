// database/config/:name, LIST config, reset/:name (vault-api.md D1–D4): connections and their pools.
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import type { ConnectionRegistry } from './connection-registry.js';
import { hasLiteralPassword, redactConnectionUrl } from './connection-url.js';
import { connections, type ConnectionConfig } from './database-storage.js';
import { PASSWORD_AUTHENTICATIONS, PostgresDatabase, type ConnectionSettings, type DatabaseDeps, type PasswordAuthentication } from './postgres-database.js';

export const POSTGRES_PLUGIN = 'postgresql-database-plugin';

const name = field.string('Name of this database connection.', { required: true, default: '' });

const configFields = {
  name,
  plugin_name: field.string('The database plugin to use (postgresql-database-plugin).'),
  plugin_version: field.string('The version of the plugin; only the builtin one exists.'),
  verify_connection: field.bool('Connect to the database before saving the configuration.', { default: true }),
  allowed_roles: field.commaList('Roles allowed to use this connection; "*" for all, globs allowed. None by default.'),
  root_rotation_statements: field.stringList('Statements that rotate the root password; "{{username}}" and "{{password}}" are filled in.'),
  password_policy: field.string('Password policy for root rotation and generated credentials.'),
  connection_url: field.string('Connection string; "{{username}}" and "{{password}}" are filled in from username and password.'),
  username: field.string('Root username, filled in for "{{username}}".'),
  password: field.string('Root password, filled in for "{{password}}". Never returned.'),
  disable_escaping: field.bool('Put username and password into connection_url without URL escaping.'),
  max_open_connections: field.int('Most connections open at once (default 4).'),
  max_idle_connections: field.int('Most idle connections kept (default and at most max_open_connections).'),
  max_connection_lifetime: field.duration('Longest a connection is reused; 0 is no limit.'),
  username_template: field.string('Template for generated usernames.'),
  password_authentication: field.string('How passwords reach PostgreSQL: "password" (default) or "scram-sha-256" (hashed first).'),
};
type ConfigContext = PathContext<typeof configFields>;

/** The connection_details fields a write may set; the rest keep their stored value. */
type DetailField =
  | 'connection_url'
  | 'username'
  | 'password'
  | 'disable_escaping'
  | 'max_open_connections'
  | 'max_idle_connections'
  | 'max_connection_lifetime'
  | 'username_template'
  | 'password_authentication';

function settingsFrom(previous: ConnectionSettings | undefined, ctx: ConfigContext): ConnectionSettings {
  const d = ctx.data;
  const pick = <K extends keyof ConnectionSettings>(key: K, wire: DetailField, value: ConnectionSettings[K] | undefined, fallback: ConnectionSettings[K]): ConnectionSettings[K] =>
    ctx.has(wire) && value !== undefined ? value : (previous?.[key] ?? fallback);
  const settings: ConnectionSettings = {
    connectionUrl: pick('connectionUrl', 'connection_url', d.connection_url, ''),
    username: pick('username', 'username', d.username, ''),
    password: pick('password', 'password', d.password, ''),
    disableEscaping: pick('disableEscaping', 'disable_escaping', d.disable_escaping, false),
    maxOpenConnections: pick('maxOpenConnections', 'max_open_connections', d.max_open_connections, 0),
    maxIdleConnections: pick('maxIdleConnections', 'max_idle_connections', d.max_idle_connections, 0),
    maxConnectionLifetimeSec: pick('maxConnectionLifetimeSec', 'max_connection_lifetime', d.max_connection_lifetime, 0),
    usernameTemplate: pick('usernameTemplate', 'username_template', d.username_template, ''),
    passwordAuthentication: pick('passwordAuthentication', 'password_authentication', d.password_authentication as PasswordAuthentication | undefined, 'password'),
  };
  if (!settings.connectionUrl) throw new Error('connection_url cannot be empty');
  for (const value of [settings.username, settings.password]) {
    if (value.includes('{{username}}') || value.includes('{{password}}')) throw new Error('username and/or password cannot contain the template variables');
  }
  if (!(PASSWORD_AUTHENTICATIONS as readonly string[]).includes(settings.passwordAuthentication)) {
    throw new Error(`'${settings.passwordAuthentication}' is not a valid password authentication type`);
  }
  if (settings.maxOpenConnections < 0 || settings.maxIdleConnections < 0) throw new Error('connection limits cannot be negative');
  // connutil's defaults: 4 open, as many idle as open, never more idle than open.
  if (settings.maxOpenConnections === 0) settings.maxOpenConnections = 4;
  if (settings.maxIdleConnections === 0 || settings.maxIdleConnections > settings.maxOpenConnections) settings.maxIdleConnections = settings.maxOpenConnections;
  return settings;
}

/** The read of a connection: everything but the password, a literal URL password shown as `xxxxx` (D2). */
function configWire(config: ConnectionConfig): Record<string, unknown> {
  const s = config.settings;
  return {
    plugin_name: config.pluginName,
    plugin_version: config.pluginVersion,
    connection_details: {
      connection_url: redactConnectionUrl(s.connectionUrl),
      username: s.username,
      max_open_connections: s.maxOpenConnections,
      max_idle_connections: s.maxIdleConnections,
      max_connection_lifetime: `${s.maxConnectionLifetimeSec}s`,
      ...(s.usernameTemplate ? { username_template: s.usernameTemplate } : {}),
      password_authentication: s.passwordAuthentication,
      ...(s.disableEscaping ? { disable_escaping: true } : {}),
    },
    allowed_roles: config.allowedRoles,
    root_credentials_rotate_statements: config.rootRotationStatements,
    password_policy: config.passwordPolicy,
    verify_connection: config.verifyConnection,
  };
}

/** A builtin version string as Vault reports it (`v1.18.0+builtin`) names the one plugin there is. */
function checkPluginVersion(version: string): void {
  if (version === '' || version.endsWith('+builtin')) return;
  throw VaultError.invalid(`database plugin "${POSTGRES_PLUGIN}", version ${version} not found`);
}

export function configPaths(registry: ConnectionRegistry, deps: DatabaseDeps) {
  async function write(ctx: ConfigContext): Promise<HandlerResult | undefined> {
    return registry.exclusive(ctx.data.name, () => writeAlone(ctx));
  }

  async function writeAlone(ctx: ConfigContext): Promise<HandlerResult | undefined> {
    const connectionName = ctx.data.name;
    const existing = await connections.read(ctx.storage, connectionName);
    const pluginName = ctx.has('plugin_name') ? (ctx.data.plugin_name ?? '') : (existing?.pluginName ?? '');
    if (!pluginName) throw VaultError.invalid('empty plugin name');
    if (pluginName !== POSTGRES_PLUGIN) throw VaultError.invalid(`error creating database object: no database plugin named "${pluginName}" (this build has ${POSTGRES_PLUGIN})`);
    const pluginVersion = ctx.has('plugin_version') ? (ctx.data.plugin_version ?? '') : (existing?.pluginVersion ?? '');
    checkPluginVersion(pluginVersion);

    let settings: ConnectionSettings;
    try {
      settings = settingsFrom(existing?.settings, ctx);
    } catch (error) {
      throw VaultError.invalid(`error creating database object: ${(error as Error).message}`);
    }
    const config: ConnectionConfig = {
      pluginName,
      pluginVersion: '',
      settings,
      allowedRoles: ctx.has('allowed_roles') ? (ctx.data.allowed_roles ?? []) : (existing?.allowedRoles ?? []),
      rootRotationStatements: ctx.has('root_rotation_statements') ? (ctx.data.root_rotation_statements ?? []) : (existing?.rootRotationStatements ?? []),
      passwordPolicy: ctx.has('password_policy') ? (ctx.data.password_policy ?? '') : (existing?.passwordPolicy ?? ''),
      verifyConnection: ctx.data.verify_connection,
    };

    let database: PostgresDatabase;
    try {
      database = await PostgresDatabase.open(settings, deps, config.verifyConnection);
    } catch (error) {
      throw VaultError.invalid(`error creating database object: ${(error as Error).message}`);
    }
    try {
      await connections.write(ctx.storage, connectionName, config);
    } catch (error) {
      await database.close();
      throw error;
    }
    await registry.replace(connectionName, { config, database });
    if (hasLiteralPassword(settings.connectionUrl)) {
      return { warnings: ['Password found in connection_url, use a templated url to enable root rotation and prevent read access to password information.'] };
    }
    return undefined;
  }

  const config = definePath({
    pattern: 'config/:name',
    fields: configFields,
    exists: async (ctx) => (await connections.read(ctx.storage, ctx.data.name)) !== undefined,
    operations: {
      create: { summary: 'Configure a connection.', handler: write },
      update: { summary: 'Configure a connection.', handler: write },
      read: {
        summary: 'Read a connection, without its password.',
        handler: async (ctx) => {
          const found = await connections.read(ctx.storage, ctx.data.name);
          return found ? { data: configWire(found) } : undefined;
        },
      },
      delete: {
        summary: 'Remove a connection and close its pool.',
        handler: async (ctx) => {
          await registry.exclusive(ctx.data.name, async () => {
            await connections.delete(ctx.storage, ctx.data.name);
            await registry.close(ctx.data.name);
          });
          return undefined;
        },
      },
    },
    help: { synopsis: 'Configure connection details to a database plugin.' },
  });

  const list = definePath({
    pattern: 'config',
    fields: {},
    operations: {
      list: { summary: 'List connections.', handler: async (ctx) => ({ data: { keys: await connections.list(ctx.storage) } }) },
    },
    help: { synopsis: 'Configure connection details to a database plugin.' },
  });

  const reset = definePath({
    pattern: 'reset/:name',
    fields: { name },
    operations: {
      update: {
        summary: 'Close the connection pool and open it again from the stored configuration.',
        handler: async (ctx) => {
          await registry.exclusive(ctx.data.name, async () => {
            await registry.close(ctx.data.name);
            await registry.get(ctx.storage, ctx.data.name);
          });
          return undefined;
        },
      },
    },
    help: { synopsis: 'Resets a database plugin.' },
  });

  return [list, config, reset];
}
