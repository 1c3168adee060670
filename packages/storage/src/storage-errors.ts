// Typed failures an adapter reports instead of guessing (Vault's file backend once turned a
// truncated keyring into "not initialized": vault#15680).

/** A stored entry exists but cannot be read back intact. It is reported, never deleted. */
export class StorageCorruptionError extends Error {
  override readonly name = 'StorageCorruptionError';
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`storage entry ${JSON.stringify(key)} is corrupt: ${detail}`);
  }
}

/** A key that no adapter may store: empty segments, `.`/`..`, control characters. */
export class InvalidStorageKeyError extends Error {
  override readonly name = 'InvalidStorageKeyError';
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`invalid storage key ${JSON.stringify(key)}: ${detail}`);
  }
}
