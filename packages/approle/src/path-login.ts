// auth/<mount>/login (vault-api.md R12, §2.7): role id and secret id for a token; a secret id's use is taken atomically.
import { addressAllowed, definePath, equivalentPolicies, field, VaultError, type HandlerResult, type LoginRenewal, type LoginRenewRequest } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';
import type { AppRoleStore, RoleEntry, SecretIdEntry } from './approle-storage.js';

const loginFields = {
  role_id: field.string('The role id of the role.'),
  secret_id: field.string('A secret id of the role.'),
};

function invalidCredentials(): VaultError {
  return VaultError.invalidCredentials('invalid role or secret ID');
}

/**
 * Takes one use of the secret id inside one atomic unit, so that with `num_uses` N exactly N
 * logins succeed however many race (reliability.md C2). An expired secret id is removed and
 * refused (Vault leaves that to its tidy; refusing at once is strictly safer, §2.7).
 */
async function consumeSecretId(store: AppRoleStore, storage: Storage, role: RoleEntry, secretId: string, nowMs: number): Promise<SecretIdEntry> {
  const hmac = store.secretIdHmac(role, secretId);
  return store.secretIdUnit(storage, hmac, async (unit) => {
    const entry = await store.readSecretId(unit, role, hmac);
    if (!entry) throw invalidCredentials();
    if (entry.expirationTimeMs !== 0 && entry.expirationTimeMs <= nowMs) {
      await store.deleteSecretId(unit, role, hmac);
      throw invalidCredentials();
    }
    if (entry.numUses === 1) await store.deleteSecretId(unit, role, hmac);
    else if (entry.numUses > 1) await store.writeSecretId(unit, role, hmac, { ...entry, numUses: entry.numUses - 1, lastUpdatedTimeMs: nowMs });
    return entry;
  });
}

export function loginPath(store: AppRoleStore) {
  return definePath({
    pattern: 'login',
    fields: loginFields,
    operations: {
      update: {
        summary: 'Log in with a role id and a secret id.',
        handler: async (ctx): Promise<HandlerResult> => {
          const roleId = (ctx.data.role_id ?? '').trim();
          if (!roleId) throw VaultError.invalid('missing role_id');
          const name = await store.roleNameById(ctx.storage, roleId);
          const role = name === undefined ? undefined : await store.readRole(ctx.storage, name);
          // The role names its own current id: an index entry a change left behind opens nothing.
          if (!role || role.roleId !== roleId) throw invalidCredentials();
          const remoteAddr = ctx.caller.remoteAddr;
          let secret: SecretIdEntry | undefined;
          if (role.bindSecretId) {
            const secretId = (ctx.data.secret_id ?? '').trim();
            if (!secretId) throw VaultError.invalid('missing secret_id');
            // The use is taken before the address checks, as Vault does (§5 #4).
            secret = await consumeSecretId(store, ctx.storage, role, secretId, ctx.clock.now());
            if (!addressAllowed(remoteAddr, secret.cidrList)) {
              throw VaultError.invalid(`source address ${JSON.stringify(remoteAddr ?? '')} unauthorized through CIDR restrictions on the secret ID`);
            }
          }
          if (!addressAllowed(remoteAddr, role.secretIdBoundCidrs)) {
            throw VaultError.invalid(`source address ${JSON.stringify(remoteAddr ?? '')} unauthorized through CIDR restrictions on the role`);
          }
          const t = role.token;
          return {
            login: {
              policies: [...t.policies],
              noDefaultPolicy: t.noDefaultPolicy,
              metadata: { ...(secret?.metadata ?? {}), role_name: role.name },
              displayName: '',
              ttlSec: t.ttlSec,
              maxTtlSec: t.maxTtlSec,
              explicitMaxTtlSec: t.explicitMaxTtlSec,
              periodSec: t.periodSec,
              numUses: t.numUses,
              // A secret id's own token_bound_cidrs replace the role's.
              boundCidrs: secret && secret.tokenBoundCidrs.length > 0 ? [...secret.tokenBoundCidrs] : [...t.boundCidrs],
              tokenType: t.tokenType,
              aliasName: role.roleId,
              internal: { role_name: role.name },
            },
          };
        },
      },
    },
    help: { synopsis: 'Issue a token for a role id and secret id.' },
  });
}

/** Vault's pathLoginRenew: the role must still exist with the same policies; its current TTLs apply. */
export async function renewRoleLogin(store: AppRoleStore, storage: Storage, request: LoginRenewRequest): Promise<LoginRenewal> {
  const name = String(request.internal.role_name ?? '');
  const role = await store.readRole(storage, name);
  if (!role) throw VaultError.invalid(`role ${JSON.stringify(name)} does not exist during renewal`);
  if (!equivalentPolicies(role.token.policies, request.policies)) throw VaultError.invalid('policies have changed, not renewing');
  return { ttlSec: role.token.ttlSec, maxTtlSec: role.token.maxTtlSec, periodSec: role.token.periodSec };
}
