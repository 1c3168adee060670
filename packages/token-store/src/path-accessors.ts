// LIST auth/token/accessors (sudo) and auth/token/tidy (vault-api.md T14, T16).
import { definePath } from '@coffer/sdk';
import type { TokenBackendDeps } from './token-backend-deps.js';

export function maintenancePaths(deps: TokenBackendDeps) {
  return [
    definePath({
      pattern: 'accessors',
      operations: {
        list: {
          summary: 'List token accessors.',
          handler: async () => {
            const keys = await deps.store.accessors();
            return keys.length > 0 ? { data: { keys } } : undefined;
          },
        },
      },
      help: { synopsis: 'List the accessors of every token (sudo).' },
    }),
    definePath({
      pattern: 'tidy',
      operations: {
        update: {
          summary: 'Clean up dangling token records.',
          handler: async () => {
            await deps.store.tidy();
            return {
              status: 202,
              warnings: ["Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."],
            };
          },
        },
      },
      help: { synopsis: 'Remove accessor and parent records whose token is gone; revoke expired tokens.' },
    }),
  ];
}
