// database/creds/:name (vault-api.md D8, §2.14) and the `creds` lease: a new database user per read, renewed and dropped through its lease.
import { calculateTtl, defineSecret, definePath, field, randomUuid, VaultError, type HandlerResult, type MountInfo } from '@coffer/sdk';
import type { ConnectionRegistry } from './connection-registry.js';
import { pendingWork, roles, type DynamicRole } from './database-storage.js';
import type { CredentialPasswords } from './credential-passwords.js';
import { DatabaseOperationError } from './postgres-database.js';
import { isAllowedRole } from './allowed-roles.js';

/** What a `creds` lease carries to its renewal and revocation (Vault's secret internal data). */
export interface CredsInternal extends Record<string, unknown> {
  username: string;
  role: string;
  db_name: string;
  revocation_statements: string[];
}

/** Vault gives the database a few seconds more than the lease, so a credential never dies before its lease. */
const EXPIRY_MARGIN_MS = 5_000;

function credentialTtlSec(role: DynamicRole, mount: MountInfo, nowMs: number, issueTimeMs: number, incrementSec: number): number {
  return calculateTtl({
    nowMs,
    issueTimeMs,
    incrementSec,
    requestedTtlSec: role.defaultTtlSec,
    periodSec: 0,
    explicitMaxTtlSec: 0,
    backendMaxTtlSec: role.maxTtlSec,
    mountDefaultTtlSec: mount.defaultLeaseTtlSec,
    mountMaxTtlSec: mount.maxLeaseTtlSec,
  }).ttlSec;
}

/** A database failure as the client sees it: a 500 with the (already sanitised) reason. */
function databaseFailure(error: unknown): unknown {
  return error instanceof DatabaseOperationError ? VaultError.internal(error.message) : error;
}

export function credsPath(registry: ConnectionRegistry, passwords: CredentialPasswords) {
  return definePath({
    pattern: 'creds/:name',
    fields: { name: field.string('Name of the role.', { required: true, default: '' }) },
    operations: {
      read: {
        summary: 'Create a database user for the role and return its credentials under a lease.',
        handler: async (ctx): Promise<HandlerResult> => {
          const name = ctx.data.name;
          const role = await roles.read(ctx.storage, name);
          if (!role) throw VaultError.invalid(`unknown role: ${name}`);
          const { config, database } = await registry.get(ctx.storage, role.dbName);
          // Vault answers this with a 500.
          if (!isAllowedRole(config.allowedRoles, name)) throw VaultError.internal(`"${name}" is not an allowed role`);
          if (role.credentialType !== 'password') throw VaultError.invalid(`unsupported credential_type: "${role.credentialType}"`);
          const nowMs = ctx.clock.now();
          const ttlSec = credentialTtlSec(role, ctx.mount, nowMs, nowMs, 0);
          const password = await passwords.generate(role.credentialConfig['password_policy'] || config.passwordPolicy);
          let username: string;
          try {
            username = await database.newUser({
              metadata: { DisplayName: ctx.caller.displayName ?? '', RoleName: name },
              password,
              expiresAtMs: nowMs + ttlSec * 1000 + EXPIRY_MARGIN_MS,
              creationStatements: role.creationStatements,
              rollbackStatements: role.rollbackStatements,
              revocationStatements: role.revocationStatements,
            });
          } catch (error) {
            if (error instanceof DatabaseOperationError && error.orphanUsername) {
              // Recorded so the clean-up pass keeps trying to drop it.
              await pendingWork.write(ctx.storage, randomUuid(ctx.random), {
                kind: 'orphan-user',
                connection: role.dbName,
                username: error.orphanUsername,
                revocationStatements: role.revocationStatements,
                createdMs: nowMs,
              });
            }
            throw databaseFailure(error);
          }
          const internal: CredsInternal = { username, role: name, db_name: role.dbName, revocation_statements: role.revocationStatements };
          return {
            data: { username, password },
            secret: { type: CREDS_SECRET, internal, ttlSec: role.defaultTtlSec, maxTtlSec: role.maxTtlSec },
          };
        },
      },
    },
    help: { synopsis: 'Request database credentials for a certain role.' },
  });
}

export const CREDS_SECRET = 'creds';

export function credsSecret(registry: ConnectionRegistry) {
  return defineSecret<CredsInternal>({
    type: CREDS_SECRET,
    async renew(ctx) {
      const role = await roles.read(ctx.storage, ctx.internal.role);
      if (!role) throw VaultError.internal(`error during renew: could not find role with name "${ctx.internal.role}"`);
      const nowMs = ctx.clock.now();
      let ttlSec = 0;
      try {
        ttlSec = credentialTtlSec(role, ctx.mount, nowMs, ctx.issueTimeMs, ctx.incrementSec);
      } catch {
        // No time left: the expiration manager refuses the renewal.
      }
      if (ttlSec > 0) {
        const { database } = await registry.get(ctx.storage, role.dbName);
        try {
          await database.changeExpiration(ctx.internal.username, nowMs + ttlSec * 1000 + EXPIRY_MARGIN_MS, role.renewStatements);
        } catch (error) {
          throw databaseFailure(error);
        }
      }
      return { ttlSec: role.defaultTtlSec, maxTtlSec: role.maxTtlSec };
    },
    async revoke(ctx) {
      // The role's current statements if it still exists, else the ones it had at issue.
      const role = await roles.read(ctx.storage, ctx.internal.role);
      const statements = role && role.revocationStatements.length > 0 ? role.revocationStatements : role ? [] : (ctx.internal.revocation_statements ?? []);
      const { database } = await registry.get(ctx.storage, ctx.internal.db_name);
      try {
        await database.deleteUser(ctx.internal.username, statements);
      } catch (error) {
        throw databaseFailure(error);
      }
    },
  });
}
