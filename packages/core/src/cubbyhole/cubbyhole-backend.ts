// cubbyhole/ (vault/logical_cubbyhole.go): private storage per token, keyed by the token's salted hash and destroyed with it.
import { isBatchTokenId } from '@coffer/token-store';
import { defineBackend, field, definePath, fromUtf8, utf8, VaultError, type BackendFactory, type PathContext } from '@coffer/sdk';

export interface CubbyholeDeps {
  /** The salted hash naming the caller's token: its cubbyhole's folder. */
  tokenHash(clientToken: string): Promise<string>;
}

const fields = { path: field.string('Path of the secret within the token\'s cubbyhole.') };

export function createCubbyholeBackend(deps: CubbyholeDeps): BackendFactory {
  async function keyOf(ctx: PathContext<typeof fields>): Promise<string> {
    const token = ctx.caller.clientToken;
    if (!token) throw VaultError.invalid('client token empty');
    // A batch token has no cubbyhole: nothing would destroy it with the token.
    if (isBatchTokenId(token)) throw VaultError.permissionDenied();
    return `${await deps.tokenHash(token)}/${ctx.data.path ?? ''}`;
  }

  return defineBackend(() => ({
    type: 'cubbyhole',
    help: 'The cubbyhole backend reads and writes arbitrary secrets to a storage area private to the token: no other token, root included, can read it, and it is destroyed with the token.',
    paths: [
      definePath({
        pattern: '*path?',
        fields,
        arbitraryData: true,
        exists: async (ctx) => (await ctx.storage.get(await keyOf(ctx))) !== undefined,
        operations: {
          read: {
            summary: 'Read a secret.',
            handler: async (ctx) => {
              if (!ctx.data.path) throw VaultError.invalid('missing path');
              const bytes = await ctx.storage.get(await keyOf(ctx));
              return bytes && { data: JSON.parse(fromUtf8(bytes)) as Record<string, unknown> };
            },
          },
          create: { summary: 'Store a secret.', handler: write },
          update: { summary: 'Store a secret.', handler: write },
          delete: {
            summary: 'Delete a secret.',
            handler: async (ctx) => {
              if (!ctx.data.path) throw VaultError.invalid('missing path');
              await ctx.storage.delete(await keyOf(ctx));
              return undefined;
            },
          },
          list: {
            summary: 'List secrets.',
            handler: async (ctx) => {
              const folder = await keyOf(ctx);
              const keys = await ctx.storage.list(folder === '' || folder.endsWith('/') ? folder : `${folder}/`);
              return keys.length > 0 ? { data: { keys } } : undefined;
            },
          },
        },
        help: { synopsis: 'Pass-through secret storage to a token-specific cubbyhole in the storage backend.' },
      }),
    ],
  }));

  async function write(ctx: PathContext<typeof fields>): Promise<undefined> {
    const { path: _path, ...data } = ctx.raw;
    if (Object.keys(data).length === 0) throw VaultError.invalid('missing data fields');
    if (!ctx.data.path) throw VaultError.invalid('missing path');
    await ctx.storage.put(await keyOf(ctx), utf8(JSON.stringify(data)));
    return undefined;
  }
}
