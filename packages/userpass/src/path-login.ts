// auth/<mount>/login/:username (vault-api.md U7, §2.8): a password check that costs the same whether or not the user exists.
import { addressAllowed, definePath, equivalentPolicies, field, VaultError, type HandlerResult, type LoginGrant, type LoginRenewal, type LoginRenewRequest } from '@coffer/sdk';
import type { Storage } from '@coffer/storage';
import type { PasswordHasher } from './password-hash.js';
import { readUser, type UserEntry } from './user-entry.js';
import { isValidUsername, normalizeUsername } from './username.js';

const loginFields = {
  username: field.string('Username of the user.', { required: true }),
  password: field.string('Password for this user.'),
};

/** Unknown user and wrong password are one answer (CVE-2020-25594's lesson: nothing tells them apart). */
function invalidCredentials(): VaultError {
  return VaultError.invalidCredentials('invalid username or password');
}

function grantFor(username: string, user: UserEntry): LoginGrant {
  const t = user.token;
  return {
    policies: [...t.policies],
    noDefaultPolicy: t.noDefaultPolicy,
    metadata: { username },
    displayName: username,
    ttlSec: t.ttlSec,
    maxTtlSec: t.maxTtlSec,
    explicitMaxTtlSec: t.explicitMaxTtlSec,
    periodSec: t.periodSec,
    numUses: t.numUses,
    boundCidrs: [...t.boundCidrs],
    tokenType: t.tokenType,
    aliasName: username,
    internal: { username },
  };
}

export function loginPath(hasher: PasswordHasher) {
  return definePath({
    pattern: 'login/:username',
    fields: loginFields,
    operations: {
      update: {
        summary: 'Log in with a username and password.',
        handler: async (ctx): Promise<HandlerResult> => {
          const username = normalizeUsername(ctx.data.username ?? '');
          const password = ctx.data.password ?? '';
          const user = isValidUsername(username) ? await readUser(ctx.storage, username) : undefined;
          if (!user) {
            // One scrypt derivation on every path: an unknown user is not answered faster.
            await hasher.verifyNobody(password);
            throw invalidCredentials();
          }
          if (!(await hasher.verify(password, user.passwordHash))) throw invalidCredentials();
          if (!addressAllowed(ctx.caller.remoteAddr, user.token.boundCidrs)) throw VaultError.permissionDenied();
          return { login: grantFor(username, user) };
        },
      },
    },
    help: { synopsis: 'Log in with a username and password.' },
  });
}

/** Vault's pathLoginRenew: the user must still exist with the same policies; its current TTLs apply. */
export async function renewUserLogin(storage: Storage, request: LoginRenewRequest): Promise<LoginRenewal> {
  const username = String(request.internal.username ?? '');
  const user = await readUser(storage, username);
  if (!user) throw VaultError.invalid('user no longer exists, not renewing');
  if (!equivalentPolicies(user.token.policies, request.policies)) throw VaultError.invalid('policies have changed, not renewing');
  return { ttlSec: user.token.ttlSec, maxTtlSec: user.token.maxTtlSec, periodSec: user.token.periodSec };
}
