// auth/token/revoke, revoke-self, revoke-orphan, revoke-accessor (vault-api.md T10–T13): a token and its whole tree.
import { definePath, field, VaultError, type PathContext } from '@coffer/sdk';
import { isRootEntry } from './token-entry.js';
import type { TokenBackendDeps } from './token-backend-deps.js';

const tokenFields = { token: field.string('Token to revoke.') };
const accessorFields = { accessor: field.string('Accessor of the token to revoke.') };

/** A batch token lives until its TTL or its parent; nothing is stored that could be revoked. */
function batchNotRevocable(): VaultError {
  return VaultError.invalid('batch tokens cannot be revoked');
}

export function revokePaths(deps: TokenBackendDeps) {
  async function revokeToken(id: string | undefined, self = false): Promise<undefined> {
    if (!id) throw VaultError.invalid('missing token ID');
    // An unknown token is already revoked: 204, as Vault answers.
    const resolved = self ? await deps.store.resolveCaller(id) : await deps.store.resolve(id);
    if (resolved?.entry.type === 'batch') throw batchNotRevocable();
    if (resolved) await deps.store.revokeTree(resolved.entry.idHash);
    return undefined;
  }

  async function revokeOrphan(ctx: PathContext<typeof tokenFields>): Promise<undefined> {
    const id = ctx.data.token;
    if (!id) throw VaultError.invalid('missing token ID');
    const caller = await deps.store.resolveCaller(ctx.caller.clientToken);
    if (!(ctx.caller.sudo === true || (caller !== undefined && isRootEntry(caller.entry)))) {
      throw VaultError.invalid('root or sudo privileges required to revoke and orphan');
    }
    const target = await deps.store.resolve(id);
    if (!target) throw VaultError.invalid('token to revoke not found');
    if (target.entry.type === 'batch') throw batchNotRevocable();
    await deps.store.revokeOrphan(target.entry.idHash);
    return undefined;
  }

  const help = { synopsis: 'Revoke a token and every token and lease created under it.' };
  return [
    definePath({
      pattern: 'revoke-self',
      operations: { update: { summary: 'Revoke the calling token.', handler: (ctx) => revokeToken(ctx.caller.clientToken, true) } },
      help,
    }),
    definePath({
      pattern: 'revoke-orphan/:token?',
      fields: tokenFields,
      operations: { update: { summary: 'Revoke a token, leaving its children as orphans.', handler: revokeOrphan } },
      help,
    }),
    definePath({
      pattern: 'revoke-accessor/:accessor?',
      fields: accessorFields,
      operations: {
        update: {
          summary: 'Revoke a token by accessor.',
          handler: async (ctx) => {
            if (!ctx.data.accessor) throw VaultError.invalid('missing accessor');
            const entry = await deps.store.byAccessor(ctx.data.accessor);
            if (!entry) throw VaultError.invalid('invalid accessor');
            await deps.store.revokeTree(entry.idHash);
            return undefined;
          },
        },
      },
      help,
    }),
    definePath({
      pattern: 'revoke/:token?',
      fields: tokenFields,
      operations: { update: { summary: 'Revoke a token and its children.', handler: (ctx) => revokeToken(ctx.data.token) } },
      help,
    }),
  ];
}
