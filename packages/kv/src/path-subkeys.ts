// KV v2 subkeys/<key>[?version=&depth=]: the secret's structure with every value replaced by null (vault-api.md V14).
import { definePath, field, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import { isDeleted, readKeyMetadata, versionOf, versionWire } from './key-metadata.js';
import { layoutOf, type KvV2Engine } from './kv-v2-engine.js';
import { isStorableKey } from './storage-layout.js';
import { subkeysOf } from './subkeys.js';
import { readVersionData } from './version-data.js';

const fields = {
  path: field.string('Location of the secret.'),
  version: field.int('The version to read; the current one when absent or 0.'),
  depth: field.int('Deepest nesting level to return; 0 means no limit.', { default: 0 }),
};

export function subkeysPath(engine: KvV2Engine) {
  async function read(ctx: PathContext<typeof fields>): Promise<HandlerResult | undefined> {
    const key = ctx.data.path ?? '';
    if (!isStorableKey(key)) throw VaultError.notFound();
    const layout = layoutOf(ctx);
    return engine.atomically(ctx.storage, layout.metadata(key), async (storage) => {
      const meta = await readKeyMetadata(storage, layout, key);
      if (!meta) throw VaultError.notFound();
      const requested = ctx.data.version ?? 0;
      const number = requested > 0 ? requested : meta.currentVersion;
      const vm = versionOf(meta, number);
      if (!vm) throw VaultError.notFound();
      const metadata = versionWire(meta, number, vm);
      if (isDeleted(vm, ctx.clock.now()) || vm.destroyed) return { status: 404, data: { subkeys: null, metadata } };
      const data = await readVersionData(storage, layout, key, number);
      return { data: { subkeys: subkeysOf(data, ctx.data.depth), metadata } };
    });
  }

  return definePath({
    pattern: 'subkeys/*path?',
    fields,
    operations: { read: { summary: 'Read the subkeys of a secret.', handler: read } },
    help: { synopsis: 'Read the structure of a secret entry from the Key-Value store with the values removed.' },
  });
}
