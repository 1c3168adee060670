// auth/token/lookup, lookup-self, lookup-accessor (vault-api.md T4–T6).
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import { lookupResponse } from './lookup-response.js';
import type { TokenBackendDeps } from './token-backend-deps.js';

const tokenFields = { token: field.string('Token to look up.') };
const accessorFields = { accessor: field.string('Accessor of the token to look up.') };

export function lookupPaths(deps: TokenBackendDeps) {
  async function lookupToken(ctx: PathContext, id: string | undefined, self = false): Promise<HandlerResult> {
    if (!id) throw VaultError.invalid('missing token ID');
    const resolved = self ? await deps.store.resolveCaller(id) : await deps.store.resolve(id);
    if (!resolved) throw new VaultError('permission_denied', 'bad token');
    return { data: lookupResponse(resolved.entry, id, ctx.clock.now()) };
  }

  async function lookupAccessor(ctx: PathContext<typeof accessorFields>): Promise<HandlerResult> {
    const accessor = ctx.data.accessor;
    if (!accessor) throw VaultError.invalid('missing accessor');
    const entry = await deps.store.byAccessor(accessor);
    if (!entry) throw VaultError.invalid('invalid accessor');
    return { data: lookupResponse(entry, '', ctx.clock.now()) };
  }

  const selfHandler = (ctx: PathContext) => lookupToken(ctx, ctx.caller.clientToken, true);
  const help = { synopsis: 'Look up a token: its policies, TTL and metadata.' };
  return [
    definePath({
      pattern: 'lookup-self',
      operations: { read: { summary: 'Look up the calling token.', handler: selfHandler }, update: { summary: 'Look up the calling token.', handler: selfHandler } },
      help,
    }),
    definePath({
      pattern: 'lookup-accessor/:accessor?',
      fields: accessorFields,
      operations: { update: { summary: 'Look up a token by accessor.', handler: lookupAccessor } },
      help,
    }),
    definePath({
      pattern: 'lookup/:token?',
      fields: tokenFields,
      operations: {
        read: { summary: 'Look up a token.', handler: (ctx) => lookupToken(ctx, ctx.data.token) },
        update: { summary: 'Look up a token.', handler: (ctx) => lookupToken(ctx, ctx.data.token) },
      },
      help,
    }),
  ];
}
