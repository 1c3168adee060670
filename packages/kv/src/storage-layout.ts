// Where KV keeps its data inside the mount's storage view, for both versions (vault-plugin-secrets-kv backend.go, passthrough.go).
//
// KV v1 (passthrough): each secret is one entry at its own path, the JSON object as written:
//   <key path>                                  -> JSON object
//
// KV v2 (versioned): everything lives under the mount's uuid, as Vault's storage prefix does, so the
// v1 entries left at the root by a mount tuned from version 1 can be told apart and upgraded:
//   <uuid>/config                               -> engine config (max_versions, cas_required, delete_version_after)
//   <uuid>/upgrading                            -> upgrade marker {startedMs, done}
//   <uuid>/metadata/<key path>                  -> key metadata: versions, current/oldest, key settings
//   <uuid>/versions/<h0..1>/<h2..63>/<version>  -> one version's data, h = hex SHA-256 of the key path
//
// Version data sits under a hash of the key path, never the path itself: a key `a` and a key
// `a/1` would otherwise collide, and every version of one key shares one folder, so removing a
// key (or finishing a removal a crash interrupted) is a single list. Secret values only ever
// appear in entry values; keys hold key paths and version numbers (the barrier encrypts values).
import { BoundedMemo, fromUtf8, toHex, utf8, type Crypto, VaultError } from '@coffer/sdk';
import { InvalidStorageKeyError, validateKey, validateListPrefix } from '@coffer/storage';

/** How many key paths a mount's layout remembers the versions folder of. */
const FOLDER_MEMO_LIMIT = 4096;

/** The entry names of one mount, made once per mount. */
export class KvV2Layout {
  /** The uuid folder itself, with its trailing slash (skipped by the upgrade). */
  readonly root: string;
  readonly config: string;
  readonly upgrade: string;

  constructor(
    mountUuid: string,
    private readonly crypto: Crypto,
  ) {
    this.root = `${mountUuid}/`;
    this.config = `${this.root}config`;
    this.upgrade = `${this.root}upgrading`;
  }

  metadata(key: string): string {
    return `${this.root}metadata/${key}`;
  }

  metadataFolder(prefix: string): string {
    return `${this.root}metadata/${prefix}`;
  }

  /** Folders of recently used keys: hashing a key path costs more than the rest of finding its entries. */
  readonly #folders = new BoundedMemo<string, string>(FOLDER_MEMO_LIMIT);

  versionsFolder(key: string): string {
    let folder = this.#folders.get(key);
    if (folder === undefined) {
      const hash = toHex(this.crypto.sha256(utf8(key)));
      folder = `${this.root}versions/${hash.slice(0, 2)}/${hash.slice(2)}/`;
      this.#folders.set(key, folder);
    }
    return folder;
  }

  version(key: string, version: number): string {
    return `${this.versionsFolder(key)}${version}`;
  }
}

export function kvV2Layout(mountUuid: string, crypto: Crypto): KvV2Layout {
  return new KvV2Layout(mountUuid, crypto);
}

/** A key path the storage cannot hold (`a//b`, `../x`) is a client error, not a 500. */
export function checkKeyPath(key: string): void {
  try {
    validateKey(key);
  } catch (error) {
    if (error instanceof InvalidStorageKeyError) throw VaultError.invalid(`invalid key path: ${error.message}`);
    throw error;
  }
}

/** Whether `key` names a storable entry; reads of anything else simply find nothing. */
export function isStorableKey(key: string): boolean {
  try {
    validateKey(key);
    return true;
  } catch {
    return false;
  }
}

export function isListablePrefix(prefix: string): boolean {
  try {
    validateListPrefix(prefix);
    return true;
  } catch {
    return false;
  }
}

/** Folder form of a list path: `""` stays the root, anything else gains a trailing `/`. */
export function asFolder(path: string): string {
  return path === '' || path.endsWith('/') ? path : `${path}/`;
}

export function encodeJson(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value));
}

export function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(fromUtf8(bytes)) as T;
}
