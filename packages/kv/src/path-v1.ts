// KV v1 (passthrough): one JSON object per path, overwritten whole, deleted for good (vault-api.md K1–K4, passthrough.go).
import { definePath, parseDurationSec, VaultError, type HandlerResult, type PathContext } from '@coffer/sdk';
import { asFolder, checkKeyPath, decodeJson, encodeJson, isListablePrefix, isStorableKey } from './storage-layout.js';

/**
 * The URL capture is merged over the body by the framework, so it gets a name no client sends:
 * a secret with a field called `path` must keep it (Vault stores `req.Data` as sent).
 */
const CAPTURE = '__coffer_kv_v1_path';

function keyOf(ctx: PathContext): string {
  return ctx.path;
}

async function read(ctx: PathContext): Promise<HandlerResult> {
  const key = keyOf(ctx);
  const bytes = isStorableKey(key) ? await ctx.storage.get(key) : undefined;
  if (!bytes) throw VaultError.notFound();
  const data = decodeJson<Record<string, unknown>>(bytes);
  return { data, leaseDurationSec: ttlHint(data) ?? ctx.mount.defaultLeaseTtlSec };
}

/**
 * A secret's `ttl` (or legacy `lease`) field, reported as the read's lease duration: a hint to
 * readers of when to read again. Nothing is leased or revoked; an unparseable hint is ignored.
 */
function ttlHint(data: Record<string, unknown>): number | undefined {
  const raw = Object.hasOwn(data, 'ttl') ? data.ttl : Object.hasOwn(data, 'lease') ? data.lease : undefined;
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? Math.trunc(raw) : undefined;
  if (typeof raw !== 'string') return undefined;
  try {
    return parseDurationSec(raw);
  } catch {
    return undefined;
  }
}

async function write(ctx: PathContext): Promise<undefined> {
  const key = keyOf(ctx);
  if (key === '') throw VaultError.invalid('missing path');
  if (key.endsWith('/')) throw VaultError.invalid("cannot write to a path ending in '/'");
  const { [CAPTURE]: _capture, ...data } = ctx.raw;
  if (Object.keys(data).length === 0) throw VaultError.invalid('missing data fields');
  checkKeyPath(key);
  await ctx.storage.put(key, encodeJson(data));
  return undefined;
}

async function remove(ctx: PathContext): Promise<undefined> {
  const key = keyOf(ctx);
  if (isStorableKey(key)) await ctx.storage.delete(key);
  return undefined;
}

async function list(ctx: PathContext): Promise<HandlerResult> {
  const prefix = asFolder(keyOf(ctx));
  const keys = isListablePrefix(prefix) ? await ctx.storage.list(prefix) : [];
  if (keys.length === 0) throw VaultError.notFound();
  return { data: { keys } };
}

export function v1Path() {
  return definePath({
    pattern: `*${CAPTURE}?`,
    arbitraryData: true,
    exists: async (ctx) => isStorableKey(keyOf(ctx)) && (await ctx.storage.get(keyOf(ctx))) !== undefined,
    operations: {
      read: { summary: 'Read the secret.', handler: read },
      create: { summary: 'Store the secret, replacing any previous value.', handler: write },
      update: { summary: 'Store the secret, replacing any previous value.', handler: write },
      delete: { summary: 'Delete the secret.', handler: remove },
      list: { summary: 'List the secrets below a prefix.', handler: list },
    },
    help: {
      synopsis: 'Pass-through secret storage to the storage backend, allowing you to read/write arbitrary data into secret storage.',
      description: 'A "ttl" field is stored like any other; it is a hint to readers of how long to cache the secret.',
    },
  });
}
