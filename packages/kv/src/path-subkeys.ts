// KV v2 subkeys/<key>[?version=&depth=]: the secret's structure with every value replaced by null (vault-api.md V14).
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import type { KvV2Engine } from './kv-v2-engine.js';
import { readVersion } from './read-version.js';
import { isStorableKey } from './storage-layout.js';
import { subkeysOf } from './subkeys.js';

const fields = {
  path: field.string('Location of the secret.'),
  version: field.int('The version to read; the current one when absent or 0.'),
  depth: field.int('Deepest nesting level to return; 0 means no limit.', { default: 0 }),
};

export function subkeysPath(engine: KvV2Engine) {
  async function read(ctx: PathContext<typeof fields>): Promise<HandlerResult | undefined> {
    const key = ctx.data.path ?? '';
    if (!isStorableKey(key)) throw VaultError.notFound();
    const { metadata, data } = await readVersion(engine, ctx, key, ctx.data.version ?? 0);
    if (data === undefined) return { status: 404, data: { subkeys: null, metadata } };
    return { data: { subkeys: subkeysOf(data, ctx.data.depth), metadata } };
  }

  return definePath({
    pattern: 'subkeys/*path?',
    fields,
    operations: { read: { summary: 'Read the subkeys of a secret.', handler: read } },
    help: { synopsis: 'Read the structure of a secret entry from the Key-Value store with the values removed.' },
  });
}
