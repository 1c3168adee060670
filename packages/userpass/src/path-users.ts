// auth/<mount>/users, users/:username, and the password and policies sub-resources (vault-api.md U1–U6).
import { defaultTokenParams, definePath, field, parseTokenParams, tokenParamFields, tokenParamsWire, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import type { PasswordHasher } from './password-hash.js';
import { deleteUser, listUsers, readUser, writeUser, type UserEntry } from './user-entry.js';
import { isValidUsername, normalizeUsername } from './username.js';

const userFields = {
  username: field.string('Username for this user.', { required: true }),
  password: field.string('Password for this user.'),
  ...tokenParamFields,
  ttl: field.duration('Deprecated: use "token_ttl".'),
  max_ttl: field.duration('Deprecated: use "token_max_ttl".'),
  bound_cidrs: field.commaList('Deprecated: use "token_bound_cidrs".'),
};
type UserContext = PathContext<typeof userFields>;

function usernameOf(ctx: { data: { username?: string | undefined } }): string {
  const username = normalizeUsername(ctx.data.username ?? '');
  if (!isValidUsername(username)) throw VaultError.invalid(`invalid username ${JSON.stringify(ctx.data.username ?? '')}`);
  return username;
}

/** Token fields of the request over `user`'s, the deprecated names standing in for absent new ones. */
function withTokenFields(ctx: UserContext, user: UserEntry): UserEntry {
  const legacy: Record<string, string> = { ttl: 'token_ttl', max_ttl: 'token_max_ttl', bound_cidrs: 'token_bound_cidrs' };
  const data: Record<string, unknown> = { ...ctx.data };
  const sent = (name: string) => ctx.has(name as keyof typeof userFields);
  for (const [old, current] of Object.entries(legacy)) {
    if (!sent(current) && sent(old)) data[current] = data[old];
  }
  const has = (name: string) => sent(name) || Object.entries(legacy).some(([old, current]) => current === name && sent(old));
  return { ...user, token: parseTokenParams(data, has, user.token) };
}

export function userPaths(hasher: PasswordHasher) {
  async function write(ctx: UserContext): Promise<undefined> {
    const username = usernameOf(ctx);
    const existing = await readUser(ctx.storage, username);
    if (!existing && !ctx.data.password) throw VaultError.invalid('missing password');
    let user = withTokenFields(ctx, existing ?? { passwordHash: '', token: defaultTokenParams() });
    if (ctx.data.password) user = { ...user, passwordHash: await hasher.hash(ctx.data.password) };
    await writeUser(ctx.storage, username, user);
    return undefined;
  }

  async function read(ctx: UserContext): Promise<HandlerResult | undefined> {
    const user = await readUser(ctx.storage, usernameOf(ctx));
    if (!user) return undefined;
    const data = tokenParamsWire(user.token);
    // The deprecated names are answered too while they mean something, as Vault does.
    data.policies = [...user.token.policies];
    if (user.token.boundCidrs.length > 0) data.bound_cidrs = [...user.token.boundCidrs];
    if (user.token.ttlSec > 0) data.ttl = user.token.ttlSec;
    if (user.token.maxTtlSec > 0) data.max_ttl = user.token.maxTtlSec;
    return { data };
  }

  const passwordFields = { username: userFields.username, password: field.string('Password for this user.') };
  const policiesFields = { username: userFields.username, token_policies: tokenParamFields.token_policies, policies: tokenParamFields.policies };

  return [
    definePath({
      pattern: 'users',
      fields: {},
      operations: {
        list: { summary: 'List the users.', handler: async (ctx) => ({ data: { keys: await listUsers(ctx.storage) } }) },
      },
      help: { synopsis: 'Manage users allowed to authenticate.' },
    }),
    definePath({
      pattern: 'users/:username',
      fields: userFields,
      exists: async (ctx) => (await readUser(ctx.storage, usernameOf(ctx))) !== undefined,
      operations: {
        create: { summary: 'Create a user.', handler: write },
        update: { summary: 'Update a user.', handler: write },
        read: { summary: 'Read a user (never its password).', handler: read },
        delete: {
          summary: 'Delete a user.',
          handler: async (ctx) => {
            await deleteUser(ctx.storage, usernameOf(ctx));
            return undefined;
          },
        },
      },
      help: { synopsis: 'Manage users allowed to authenticate.', description: 'Usernames are stored lower-cased; passwords only as scrypt hashes.' },
    }),
    definePath({
      pattern: 'users/:username/password',
      fields: passwordFields,
      operations: {
        update: {
          summary: "Reset a user's password.",
          handler: async (ctx) => {
            const username = usernameOf(ctx);
            const user = await readUser(ctx.storage, username);
            if (!user) throw VaultError.invalid('username does not exist');
            if (!ctx.data.password) throw VaultError.invalid('missing password');
            await writeUser(ctx.storage, username, { ...user, passwordHash: await hasher.hash(ctx.data.password) });
            return undefined;
          },
        },
      },
      help: { synopsis: "Reset a user's password." },
    }),
    definePath({
      pattern: 'users/:username/policies',
      fields: policiesFields,
      operations: {
        update: {
          summary: "Update a user's policies.",
          handler: async (ctx) => {
            const username = usernameOf(ctx);
            const user = await readUser(ctx.storage, username);
            if (!user) throw VaultError.invalid('username does not exist');
            const policies = ctx.has('token_policies') ? ctx.data.token_policies : ctx.data.policies;
            await writeUser(ctx.storage, username, { ...user, token: { ...user.token, policies: [...(policies ?? [])] } });
            return undefined;
          },
        },
      },
      help: { synopsis: "Update a user's policies." },
    }),
  ];
}
