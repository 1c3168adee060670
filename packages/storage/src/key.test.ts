// Key validation: the traversal and encoding rules every adapter shares.
import { describe, expect, it } from 'vitest';
import { validateKey, validateListPrefix } from './key.js';
import { InvalidStorageKeyError } from './storage-errors.js';

describe('validateKey', () => {
  it.each([
    ['', 'empty key'],
    ['/a', "leading '/'"],
    ['a//b', 'empty segment'],
    ['a/', "trailing '/'"],
    ['.', "'.' or '..'"],
    ['..', "'.' or '..'"],
    ['a/./b', "'.' or '..'"],
    ['a/../b', "'.' or '..'"],
    ['a/..', "'.' or '..'"],
    ['a\0', 'U+0000'],
    ['a\tb', 'U+0009'],
    ['a\x7f', 'U+007F'],
    ['a\x9b', 'U+009B'],
    ['\ud83d', 'lone surrogate'],
    ['x\ude00', 'lone surrogate'],
    ['\ude00\ud83d', 'lone surrogate'],
  ])('rejects %j (%s)', (key, detail) => {
    expect(() => validateKey(key)).toThrow(InvalidStorageKeyError);
    expect(() => validateKey(key)).toThrow(detail);
  });

  it.each(['a', 'a/b/c', 'with space', ' ', 'é/日本/😀', '%', '%2e%2e', '_', '_a/_b', '...', 'a/.../b', '.a', 'a.', 'a\\b', '~'])('accepts %j', (key) => {
    expect(() => validateKey(key)).not.toThrow();
  });

  it('names the key in the error', () => {
    try {
      validateKey('a/../b');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidStorageKeyError);
      expect((error as InvalidStorageKeyError).key).toBe('a/../b');
    }
  });

  it('rejects non-strings without crashing', () => {
    expect(() => validateKey(undefined as unknown as string)).toThrow(InvalidStorageKeyError);
  });
});

describe('validateListPrefix', () => {
  it.each(['', 'a/', 'a/b/', '%/', '_/'])('accepts %j', (prefix) => {
    expect(() => validateListPrefix(prefix)).not.toThrow();
  });
  it.each(['a', '/', '//', 'a//', '../', 'a/./', '\0/'])('rejects %j', (prefix) => {
    expect(() => validateListPrefix(prefix)).toThrow(InvalidStorageKeyError);
  });
});
