// seal "static" (OpenBao's fields, encodings and key-id rules, env:// and file:// references) and
// seal "aesgcm": both give a 32-byte key; anything Coffer cannot unseal with is refused by line.
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from './parse-server-config.js';
import type { ParseServerConfigOptions } from './config-context.js';
import { ServerConfigError } from './server-config-error.js';

const BASE = 'listener "tcp" { tls_disable = true }\nstorage "inmem" {}\n';
const KEY = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const OTHER = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const hex = (k: Uint8Array) => Buffer.from(k).toString('hex');
const b64 = (k: Uint8Array) => Buffer.from(k).toString('base64');
const b64url = (k: Uint8Array) => Buffer.from(k).toString('base64url');

const seal = (block: string, options: ParseServerConfigOptions = { env: {} }) => parseServerConfig(`${BASE}${block}`, 'vault.hcl', options).seal;

function sealError(block: string, options: ParseServerConfigOptions = { env: {} }): ServerConfigError {
  try {
    parseServerConfig(`${BASE}${block}`, 'vault.hcl', options);
  } catch (error) {
    expect(error).toBeInstanceOf(ServerConfigError);
    return error as ServerConfigError;
  }
  throw new Error('expected a ServerConfigError');
}

describe('seal "static"', () => {
  it.each([
    ['hex', hex(KEY)],
    ['base64', b64(KEY)],
    ['unpadded URL-safe base64', b64url(KEY)],
  ])('decodes a %s key and keeps its id', (_encoding, text) => {
    expect(seal(`seal "static" {\n  current_key_id = "20250606-1"\n  current_key = "${text}"\n}`)).toEqual({ type: 'static', declaredAs: 'static', key: KEY, keyId: '20250606-1' });
  });

  it('takes a 32-character key as raw bytes, as OpenBao does', () => {
    expect(seal('seal "static" { current_key_id = "a" current_key = "0123456789abcdefghijklmnopqrstuv" }')?.key).toEqual(new TextEncoder().encode('0123456789abcdefghijklmnopqrstuv'));
  });

  it('reads the OpenBao test fixture', () => {
    const fixture = 'seal "static" {\n  current_key = "542a91c2aff86797e8dfa16adf86dcbea5706410791b319798936a1b08e4ef8b"\n  current_key_id = "20250630"\n}';
    expect(seal(fixture)?.key).toEqual(Uint8Array.from(Buffer.from('542a91c2aff86797e8dfa16adf86dcbea5706410791b319798936a1b08e4ef8b', 'hex')));
  });

  it('resolves env:// and file:// references, trimming text but not a raw 32-byte key file', () => {
    const files: Record<string, Uint8Array> = { '/keys/current.key': new TextEncoder().encode(`${hex(KEY)}\n`), '/keys/raw.key': OTHER };
    const options: ParseServerConfigOptions = {
      env: { UNSEAL_KEY: ` ${b64(KEY)} ` },
      readFile: (path) => {
        const file = files[path];
        if (!file) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
        return file;
      },
    };
    expect(seal('seal "static" { current_key_id = "a" current_key = "env://UNSEAL_KEY" }', options)?.key).toEqual(KEY);
    expect(seal('seal "static" { current_key_id = "a" current_key = "file:///keys/current.key" }', options)?.key).toEqual(KEY);
    expect(seal('seal "static" { current_key_id = "a" current_key = "file:///keys/raw.key" }', options)?.key).toEqual(OTHER);
    expect(sealError('seal "static" { current_key_id = "a" current_key = "env://NOPE" }', options).message).toBe('vault.hcl:3: seal "static": current key: environment variable NOPE is not set');
    expect(sealError('seal "static" { current_key_id = "a" current_key = "file:///keys/missing" }', options).message).toBe(
      `vault.hcl:3: seal "static": current key: cannot read /keys/missing: ENOENT: no such file or directory, open '/keys/missing'`,
    );
  });

  it('reads a previous key for rotation, with its id', () => {
    const config = seal(`seal "static" {\n  current_key_id = "2"\n  current_key = "${hex(KEY)}"\n  previous_key_id = "1"\n  previous_key = "${b64(OTHER)}"\n}`);
    expect(config).toEqual({ type: 'static', declaredAs: 'static', key: KEY, keyId: '2', previousKey: OTHER, previousKeyId: '1' });
    expect(seal(`seal "static" { current_key_id = "2" current_key = "${hex(KEY)}" previous_key = "" }`)).not.toHaveProperty('previousKey');
  });

  it.each([
    ['seal "static" {\n  current_key_id = "a"\n}', 3, 'seal "static": missing required current key'],
    ['seal "static" {\n  current_key_id = "a"\n  current_key = ""\n}', 5, 'seal "static": missing required current key'],
    [`seal "static" {\n  current_key = "${hex(KEY)}"\n}`, 4, 'seal "static": got empty current_key_id; please specify a permanent identifier for this key'],
    [`seal "static" {\n  current_key_id = ""\n  current_key = "${hex(KEY)}"\n}`, 4, 'seal "static": got empty current_key_id; please specify a permanent identifier for this key'],
    [`seal "static" {\n  current_key_id = "a"\n  current_key = "${hex(KEY).slice(0, 63)}z"\n}`, 5, 'seal "static": failed to hex decode current key'],
    [`seal "static" {\n  current_key_id = "a"\n  current_key = "${b64(KEY).slice(0, 43)}!"\n}`, 5, 'seal "static": failed to base64 decode current key'],
    [`seal "static" {\n  current_key_id = "a"\n  current_key = "${b64(KEY.subarray(0, 31)).slice(0, 42)}=="\n}`, 5, 'seal "static": current key must decode to 32 bytes for AES-256-GCM, got 31'],
    ['seal "static" {\n  current_key_id = "a"\n  current_key = "too-short"\n}', 5, 'seal "static": unknown encoding for AES-256 key: must be either a raw, hex, or base64-encoded (current key is 9 bytes long)'],
    [`seal "static" {\n  current_key_id = "a"\n  current_key = "${hex(KEY)}"\n  previous_key = "${hex(OTHER)}"\n}`, 6, 'seal "static": got empty previous_key_id with non-empty previous_key; please specify the matching key identifier'],
    [`seal "static" {\n  current_key_id = "a"\n  current_key = "${hex(KEY)}"\n  previous_key_id = "b"\n}`, 6, 'seal "static": got non-empty previous_key_id with empty previous_key; please specify the previous key or remove previous_key_id'],
    [`seal "static" {\n  current_key_id = "a"\n  current_key = "${hex(KEY)}"\n  previous_key_id = "b"\n  previous_key = "${b64(KEY)}"\n}`, 7, 'seal "static": current and previous key material match with different key identifiers'],
    [`seal "static" {\n  current_key_id = "a"\n  current_key = "${hex(KEY)}"\n  previous_key_id = "a"\n  previous_key = "${hex(OTHER)}"\n}`, 6, 'seal "static": current and previous key material differs with same key identifiers'],
    [`seal "static" {\n  current_key_id = "a"\n  current_key = "${hex(KEY)}"\n  curent_key = "x"\n}`, 6, 'unknown key "curent_key" in seal "static"'],
    [`seal "static" {\n  current_key_id = "a"\n  current_key = "${hex(KEY)}"\n  disabled = "true"\n}`, 6, 'seal "static": disabled = true (migrating away from this seal) is not available in Coffer'],
  ])('%j fails at line %i', (block, line, detail) => {
    expect(sealError(block).message).toBe(`vault.hcl:${line}: ${detail}`);
  });
});

describe('seal "aesgcm"', () => {
  it('takes the one base64 key of `keys`', () => {
    expect(seal(`seal "aesgcm" {\n  keys = ["${b64(KEY)}"]\n}`)).toEqual({ type: 'static', declaredAs: 'aesgcm', key: KEY });
  });

  it.each([
    ['seal "aesgcm" {}', 3, `seal "aesgcm": 'keys' must be set to a list holding one base64-encoded 32-byte key`],
    ['seal "aesgcm" {\n  keys = []\n}', 4, `seal "aesgcm": 'keys' must hold exactly one key, got 0`],
    [`seal "aesgcm" {\n  keys = ["${b64(KEY)}", "${b64(OTHER)}"]\n}`, 4, `seal "aesgcm": 'keys' must hold exactly one key, got 2`],
    [`seal "aesgcm" {\n  keys = "${b64(KEY)}"\n}`, 4, `invalid value for keys in seal "aesgcm": expected a list of strings, got the string "${b64(KEY)}"`],
    ['seal "aesgcm" {\n  keys = [\n    42,\n  ]\n}', 5, 'invalid value for keys in seal "aesgcm": expected a list of strings, got the number 42 in it'],
    ['seal "aesgcm" {\n  keys = ["c2hvcnQ="]\n}', 4, 'seal "aesgcm": unknown encoding for AES-256 key: must be either a raw, hex, or base64-encoded (key is 8 bytes long)'],
    [`seal "aesgcm" {\n  keys = ["${b64(KEY.subarray(0, 31)).slice(0, 42)}=="]\n}`, 4, 'seal "aesgcm": key must decode to 32 bytes for AES-256-GCM, got 31'],
  ])('%j fails at line %i', (block, line, detail) => {
    expect(sealError(block).message).toBe(`vault.hcl:${line}: ${detail}`);
  });
});

describe('other seals', () => {
  it('reads an explicit seal "shamir" as no auto-unseal', () => {
    expect(seal('seal "shamir" {}')).toBeUndefined();
  });

  it.each([
    ['seal "awskms" {\n  region = "us-east-1"\n  kms_key_id = "alias/vault"\n}', 3, 'seal "awskms" is not available in Coffer: use seal "static" (a 32-byte key in the configuration), or no seal block for Shamir unseal keys'],
    ['seal "transit" {\n  address = "https://vault:8200"\n}', 3, 'seal "transit" is not available in Coffer: use seal "static" (a 32-byte key in the configuration), or no seal block for Shamir unseal keys'],
    [`seal "static" { current_key_id = "a" current_key = "${hex(KEY)}" }\nseal "static" { current_key_id = "b" current_key = "${hex(OTHER)}" disabled = true }`, 4, 'only one "seal" block is permitted: seal migration is not available in Coffer'],
  ])('%j fails at line %i', (block, line, detail) => {
    expect(sealError(block).message).toBe(`vault.hcl:${line}: ${detail}`);
  });
});
