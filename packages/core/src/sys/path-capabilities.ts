// sys/capabilities, capabilities-self, capabilities-accessor (vault-api.md P9–P11): what a token may do on paths.
import { definePath, field, VaultError, type HandlerResult } from '@coffer/sdk';
import type { TokenEntry, TokenStore } from '@coffer/token-store';
import type { PolicyStore } from '../policy/policy-store.js';

const pathsFields = {
  paths: field.commaList('Paths to report capabilities for.'),
  path: field.commaList('Deprecated alias of paths.'),
};

export function capabilitiesPaths(deps: { policies: PolicyStore; tokens: TokenStore }) {
  async function report(entry: TokenEntry, paths: readonly string[] | undefined, legacy: readonly string[] | undefined): Promise<HandlerResult> {
    const wanted = paths && paths.length > 0 ? paths : (legacy ?? []);
    if (wanted.length === 0) throw VaultError.invalid('paths must be supplied');
    const acl = await deps.policies.aclFor(entry.policies);
    const data: Record<string, unknown> = {};
    for (const path of wanted) data[path] = acl.capabilities(path);
    // Kept by Vault for clients that sent one `path`.
    if (wanted.length === 1) data.capabilities = data[wanted[0]!];
    return { data, injectData: true };
  }

  return [
    definePath({
      pattern: 'capabilities-self',
      fields: pathsFields,
      operations: {
        update: {
          summary: 'Capabilities of the calling token.',
          handler: async (ctx) => {
            const self = await deps.tokens.resolveCaller(ctx.caller.clientToken);
            if (!self) throw VaultError.invalid('no token found');
            return report(self.entry, ctx.data.paths, ctx.data.path);
          },
        },
      },
      help: { synopsis: 'Report the capabilities of the calling token on the given paths.' },
    }),
    definePath({
      pattern: 'capabilities-accessor',
      fields: { ...pathsFields, accessor: field.string('Accessor of the token.') },
      operations: {
        update: {
          summary: 'Capabilities of a token by accessor.',
          handler: async (ctx) => {
            if (!ctx.data.accessor) throw VaultError.invalid('missing accessor');
            const entry = await deps.tokens.byAccessor(ctx.data.accessor);
            if (!entry) throw VaultError.invalid('invalid accessor');
            return report(entry, ctx.data.paths, ctx.data.path);
          },
        },
      },
      help: { synopsis: 'Report the capabilities of the token with this accessor on the given paths.' },
    }),
    definePath({
      pattern: 'capabilities',
      fields: { ...pathsFields, token: field.string('The token to check.') },
      operations: {
        update: {
          summary: 'Capabilities of a token.',
          handler: async (ctx) => {
            if (!ctx.data.token) throw VaultError.invalid('no token found');
            const target = await deps.tokens.resolve(ctx.data.token);
            if (!target) throw VaultError.invalid('invalid token');
            return report(target.entry, ctx.data.paths, ctx.data.path);
          },
        },
      },
      help: { synopsis: 'Report the capabilities of a token on the given paths.' },
    }),
  ];
}
