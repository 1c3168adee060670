// Any other path on a KV v2 mount (e.g. `secret/foo`): 404 with Vault's "use vault kv ..." warning (vault-api.md V15).
import { definePath, type HandlerResult, type PathContext } from '@coffer/sdk';
import { invalidPathResult } from './kv-v2-engine.js';

export function invalidPath() {
  const answer = (ctx: PathContext): HandlerResult => invalidPathResult(ctx.path, ctx.operation);
  return definePath({
    pattern: '*rest?',
    arbitraryData: true,
    operations: {
      read: { summary: 'Not a KV v2 route.', handler: answer },
      update: { summary: 'Not a KV v2 route.', handler: answer },
      patch: { summary: 'Not a KV v2 route.', handler: answer },
      delete: { summary: 'Not a KV v2 route.', handler: answer },
      list: { summary: 'Not a KV v2 route.', handler: answer },
    },
    help: { synopsis: 'Paths of a versioned K/V secrets engine: data/, metadata/, delete/, undelete/, destroy/, subkeys/, config.' },
  });
}
