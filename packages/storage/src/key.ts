// Storage key rules shared by every adapter (Vault's physical path validation, made stricter).
// A key an adapter might read as a path traversal, or cannot represent, is refused everywhere.
import { InvalidStorageKeyError } from './storage-errors.js';

/**
 * Throws {@link InvalidStorageKeyError} unless `key` is a storable key: non-empty `/`-separated
 * segments, none of them empty, `.` or `..`, and no control characters or lone surrogates.
 * Spaces, `%`, `_`, `\` and any other well-formed Unicode are allowed.
 */
export function validateKey(key: string): void {
  const problem = keyProblem(key);
  if (problem !== undefined) throw new InvalidStorageKeyError(String(key), problem);
}

/**
 * Throws {@link InvalidStorageKeyError} unless `prefix` is a list prefix: `""` (the root) or a
 * valid key followed by `/`.
 */
export function validateListPrefix(prefix: string): void {
  if (prefix === '') return;
  if (typeof prefix !== 'string') throw new InvalidStorageKeyError(String(prefix), 'list prefix is not a string');
  if (!prefix.endsWith('/')) throw new InvalidStorageKeyError(prefix, "list prefix must be empty or end in '/'");
  const problem = keyProblem(prefix.slice(0, -1));
  if (problem !== undefined) throw new InvalidStorageKeyError(prefix, problem);
}

/** Returns why `key` is refused, or `undefined` when it is valid. One pass, no allocation. */
function keyProblem(key: string): string | undefined {
  if (typeof key !== 'string') return 'not a string';
  if (key.length === 0) return 'empty key';
  if (key.charCodeAt(0) === 0x2f) return "leading '/'";
  let segmentStart = 0;
  for (let i = 0; i <= key.length; i++) {
    const code = i < key.length ? key.charCodeAt(i) : 0x2f;
    if (code === 0x2f) {
      const length = i - segmentStart;
      if (length === 0) return i === key.length ? "trailing '/'" : "empty segment ('//')";
      // `.` and `..` are path traversal on every file system and in Vault's own canonicalisation.
      if (key.charCodeAt(segmentStart) === 0x2e && (length === 1 || (length === 2 && key.charCodeAt(segmentStart + 1) === 0x2e))) {
        return "'.' or '..' segment";
      }
      segmentStart = i + 1;
    } else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
      return `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      // A lone surrogate has no UTF-8 form, so byte-oriented adapters could not store it faithfully.
      const next = key.charCodeAt(i + 1);
      if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return 'lone surrogate';
      i++;
    }
  }
  return undefined;
}
