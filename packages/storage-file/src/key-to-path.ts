// Maps storage keys to files like Vault's file backend (key `a/b/c` -> `<root>/a/b/_c`).
// Each segment is encoded so that every valid key has exactly one safe, reversible name.
import { isAbsolute, join, relative } from 'node:path';
import { InvalidStorageKeyError, validateKey, validateListPrefix } from '@coffer/storage';

/** Linux, macOS and Windows all cap one name at 255 bytes (ASCII here, so characters). */
const NAME_MAX = 255;
/** Stay clear of PATH_MAX (4096 on Linux, 1024 on macOS) for the temp name beside the entry. */
const PATH_BUDGET = 1000;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Percent-encodes one key segment. Kept as-is: `a-z 0-9 - _ . ~`. Everything else is `%XX` of
 * its UTF-8 bytes, with upper-case hex, including:
 * - upper-case letters, so `Key` and `key` never collide on case-insensitive file systems
 *   (macOS, Windows) and the mapping stays injective after case folding;
 * - non-ASCII, so Unicode normalisation by the file system (HFS+ NFD) cannot change a name;
 * - `%` itself, so decoding is unambiguous;
 * - a leading `.` or `_`: names starting with `.` are reserved for the lock and temp files, and
 *   entry files start with `_`, so a folder named `_x` would collide with the entry `x`
 *   (a real collision in Vault's file backend).
 */
export function encodeSegment(segment: string): string {
  let out = '';
  const utf8 = encoder.encode(segment);
  for (let i = 0; i < utf8.length; i++) {
    const byte = utf8[i]!;
    const safe =
      (byte >= 0x61 && byte <= 0x7a) || // a-z
      (byte >= 0x30 && byte <= 0x39) || // 0-9
      byte === 0x2d || // -
      byte === 0x7e || // ~
      ((byte === 0x2e || byte === 0x5f) && i > 0); // . _ (not leading)
    out += safe ? String.fromCharCode(byte) : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The segment `name` encodes, or `undefined` if `name` is not exactly what `encodeSegment` makes (a foreign file). */
export function decodeSegment(name: string): string | undefined {
  const utf8: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code === 0x25) {
      const hex = name.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      utf8.push(parseInt(hex, 16));
      i += 2;
    } else if (code < 0x80) utf8.push(code);
    else return undefined;
  }
  let segment: string;
  try {
    segment = decoder.decode(Uint8Array.from(utf8));
  } catch {
    return undefined;
  }
  return encodeSegment(segment) === name ? segment : undefined;
}

/** Where one key lives: its folder chain (outermost first), the folder itself and the entry file. */
export interface EntryLocation {
  key: string;
  /** Absolute folder paths from the first level below the root down to `dir`. */
  dirs: string[];
  dir: string;
  file: string;
}

/** Validates `key` and maps it to its location under `root` (an absolute, resolved path). */
export function keyToPath(root: string, key: string): EntryLocation {
  validateKey(key);
  const segments = key.split('/');
  const last = segments.pop()!;
  const dirs: string[] = [];
  let dir = root;
  for (const segment of segments) {
    dir = join(dir, checkedName(key, encodeSegment(segment)));
    dirs.push(dir);
  }
  const file = join(dir, checkedName(key, '_' + encodeSegment(last)));
  assertInside(root, file, key);
  if (file.length > PATH_BUDGET) throw new InvalidStorageKeyError(key, `too long for file storage (path of ${file.length} characters)`);
  return { key, dirs, dir, file };
}

/** Validates a list prefix and maps it to the folder whose entries are its children. */
export function prefixToDir(root: string, prefix: string): string {
  validateListPrefix(prefix);
  if (prefix === '') return root;
  const key = prefix.slice(0, -1);
  const dir = join(root, ...key.split('/').map((segment) => checkedName(prefix, encodeSegment(segment))));
  assertInside(root, dir, prefix);
  return dir;
}

function checkedName(key: string, name: string): string {
  if (name.length > NAME_MAX) throw new InvalidStorageKeyError(key, `a segment is too long for file storage (${name.length} bytes encoded, limit ${NAME_MAX})`);
  return name;
}

/** Belt and braces: validation already forbids `..`, but no key may ever resolve outside the root. */
function assertInside(root: string, path: string, key: string): void {
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new InvalidStorageKeyError(key, 'resolves outside the storage directory');
}
