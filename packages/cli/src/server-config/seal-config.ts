// Auto-unseal from a key in the configuration: OpenBao's `seal "static"` (current/previous key with
// ids, `env://` and `file://` references, hex/base64/raw encodings) and the `seal "aesgcm" { keys }`
// form. Cloud and HSM seals need services Coffer does not talk to, so they are refused by name.
import type { Position } from '@coffer/hcl';
import type { LabeledBlock } from './config-blocks.js';
import type { ConfigContext } from './config-context.js';
import { readBool, readString, readStringList, singleEntries } from './config-values.js';
import type { ConfigEntry } from './config-values.js';
import type { SealConfig } from './server-config.js';

const KEY_BYTES = 32;

const KEYS_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  static: ['current_key', 'current_key_id', 'previous_key', 'previous_key_id', 'disabled'],
  aesgcm: ['keys', 'disabled'],
  shamir: ['disabled'],
};

/** One seal block: the auto-unseal it configures, or undefined for an explicit `seal "shamir" {}`. */
export function parseSeal(ctx: ConfigContext, block: LabeledBlock): SealConfig | undefined {
  const where = `seal ${JSON.stringify(block.label.name)}`;
  const keys = KEYS_BY_TYPE[block.type];
  if (keys === undefined) {
    throw ctx.fail(block.label.pos, `${where} is not available in Coffer: use seal "static" (a 32-byte key in the configuration), or no seal block for Shamir unseal keys`);
  }
  const entries = singleEntries(ctx, block.body, where, new Set(keys));
  const disabled = entries.get('disabled');
  if (disabled && readBool(ctx, disabled, where)) {
    throw ctx.fail(disabled.value.pos, `${where}: disabled = true (migrating away from this seal) is not available in Coffer`);
  }
  if (block.type === 'shamir') return undefined;
  return block.type === 'static' ? staticSeal(ctx, block, entries, where) : aesgcmSeal(ctx, block, entries, where);
}

/** OpenBao's go-kms-wrapping static wrapper: its checks, in its order, with its words. */
function staticSeal(ctx: ConfigContext, block: LabeledBlock, entries: ReadonlyMap<string, ConfigEntry>, where: string): SealConfig {
  const currentEntry = entries.get('current_key');
  if (!currentEntry) throw ctx.fail(block.label.pos, `${where}: missing required current key`);
  const key = decodeKey(ctx, where, 'current key', keyMaterial(ctx, currentEntry, where, 'current key'), currentEntry.value.pos);
  const keyIdEntry = entries.get('current_key_id');
  const keyId = keyIdEntry ? readString(ctx, keyIdEntry, where) : '';
  if (keyId === '') throw ctx.fail((keyIdEntry ?? currentEntry).key.pos, `${where}: got empty current_key_id; please specify a permanent identifier for this key`);

  const previousEntry = entries.get('previous_key');
  const previousIdEntry = entries.get('previous_key_id');
  const previousMaterial = previousEntry && keyMaterial(ctx, previousEntry, where, 'previous key');
  // As in OpenBao, an empty previous key is no previous key.
  const previousKey = previousMaterial?.length ? decodeKey(ctx, where, 'previous key', previousMaterial, previousEntry!.value.pos) : undefined;
  const previousKeyId = previousIdEntry ? readString(ctx, previousIdEntry, where) : '';
  if (previousKey && previousKeyId === '') {
    throw ctx.fail(previousEntry!.key.pos, `${where}: got empty previous_key_id with non-empty previous_key; please specify the matching key identifier`);
  }
  if (!previousKey && previousKeyId !== '') {
    throw ctx.fail(previousIdEntry!.key.pos, `${where}: got non-empty previous_key_id with empty previous_key; please specify the previous key or remove previous_key_id`);
  }
  if (previousKey) {
    const same = equalBytes(key, previousKey);
    if (same && previousKeyId !== keyId) throw ctx.fail(previousEntry!.key.pos, `${where}: current and previous key material match with different key identifiers`);
    if (!same && previousKeyId === keyId) throw ctx.fail(previousIdEntry!.key.pos, `${where}: current and previous key material differs with same key identifiers`);
  }
  return {
    type: 'static',
    declaredAs: 'static',
    key,
    keyId,
    ...(previousKey && { previousKey, previousKeyId }),
  };
}

function aesgcmSeal(ctx: ConfigContext, block: LabeledBlock, entries: ReadonlyMap<string, ConfigEntry>, where: string): SealConfig {
  const keysEntry = entries.get('keys');
  if (!keysEntry) throw ctx.fail(block.label.pos, `${where}: 'keys' must be set to a list holding one base64-encoded 32-byte key`);
  const list = readStringList(ctx, keysEntry, where);
  if (list.length !== 1) throw ctx.fail(keysEntry.value.pos, `${where}: 'keys' must hold exactly one key, got ${list.length}`);
  const only = list[0]!;
  return { type: 'static', declaredAs: 'aesgcm', key: decodeKey(ctx, where, 'key', new TextEncoder().encode(only.value), only.pos) };
}

/** The bytes a key setting names, as OpenBao reads it: a literal, or `env://NAME` / `file://PATH`. */
function keyMaterial(ctx: ConfigContext, entry: ConfigEntry, where: string, what: string): Uint8Array {
  const pos = entry.value.pos;
  const text = readString(ctx, entry, where).trim();
  if (text.startsWith('env://')) {
    const name = text.slice('env://'.length);
    const value = ctx.env[name];
    // OpenBao reads an unset variable as an empty key; naming the variable is more helpful.
    if (value === undefined) throw ctx.fail(pos, `${where}: ${what}: environment variable ${name} is not set`);
    return new TextEncoder().encode(value.trim());
  }
  if (text.startsWith('file://')) {
    const path = text.slice('file://'.length);
    let contents: Uint8Array;
    try {
      contents = ctx.readFile(path);
    } catch (error) {
      throw ctx.fail(pos, `${where}: ${what}: cannot read ${path}: ${(error as Error).message}`);
    }
    // A raw key file (`openssl rand -out key 32`) is used as is: trimming could eat key bytes that
    // happen to be whitespace. Text files (hex, base64) lose surrounding whitespace, as in OpenBao.
    return contents.length === KEY_BYTES ? contents : new TextEncoder().encode(new TextDecoder().decode(contents).trim());
  }
  return new TextEncoder().encode(text);
}

/** go-kms-wrapping's static wrapper picks the encoding from the length: 64 hex, 44 base64, 43 unpadded URL base64, 32 raw. */
function decodeKey(ctx: ConfigContext, where: string, what: string, material: Uint8Array, pos: Position): Uint8Array {
  const text = new TextDecoder().decode(material);
  let key: Uint8Array;
  switch (material.length) {
    case 64:
      if (!/^[0-9a-fA-F]{64}$/.test(text)) throw ctx.fail(pos, `${where}: failed to hex decode ${what}`);
      key = Uint8Array.from(Buffer.from(text, 'hex'));
      break;
    case 44:
      if (!/^[A-Za-z0-9+/]{42}(?:[A-Za-z0-9+/]{2}|[A-Za-z0-9+/]=|==)$/.test(text)) throw ctx.fail(pos, `${where}: failed to base64 decode ${what}`);
      key = Uint8Array.from(Buffer.from(text, 'base64'));
      break;
    case 43:
      if (!/^[A-Za-z0-9_-]{43}$/.test(text)) throw ctx.fail(pos, `${where}: failed to base64 decode ${what}`);
      key = Uint8Array.from(Buffer.from(text, 'base64url'));
      break;
    case 32:
      key = material;
      break;
    case 0:
      throw ctx.fail(pos, `${where}: missing required ${what}`);
    default:
      throw ctx.fail(pos, `${where}: unknown encoding for AES-256 key: must be either a raw, hex, or base64-encoded (${what} is ${material.length} bytes long)`);
  }
  // 44 base64 characters can hold 31 to 33 bytes; AES-256 takes exactly 32.
  if (key.length !== KEY_BYTES) throw ctx.fail(pos, `${where}: ${what} must decode to ${KEY_BYTES} bytes for AES-256-GCM, got ${key.length}`);
  return key;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
