// Key-to-file mapping and entry format: reversible, collision-free names; self-checking entries.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry, ENTRY_HEADER_BYTES } from './entry-format.js';
import { decodeSegment, encodeSegment, keyToPath, prefixToDir } from './key-to-path.js';

describe('segment encoding', () => {
  it('round-trips any well-formed segment and yields only safe ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (segment) => {
        const name = encodeSegment(segment);
        expect(name).toMatch(/^[a-z0-9\-~._%A-F]+$/);
        expect(name).not.toMatch(/^[._]/);
        expect(decodeSegment(name)).toBe(segment);
      }),
      { numRuns: 2000 },
    );
  });

  it('is injective even after case folding (case-insensitive file systems)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ minLength: 1, maxLength: 6 }), (a, b) => {
        fc.pre(a !== b);
        expect(encodeSegment(a).toLowerCase()).not.toBe(encodeSegment(b).toLowerCase());
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects names it would never produce', () => {
    for (const name of ['Upper', '%2e', '%zz', '%C3', '.x', '_x', 'é', '%41%']) expect(decodeSegment(name), name).toBeUndefined();
  });
});

describe('keyToPath', () => {
  it('maps a/b/c under the root, entry files prefixed with _', () => {
    expect(keyToPath('/r', 'a/b/c')).toEqual({ key: 'a/b/c', dirs: ['/r/a', '/r/a/b'], dir: '/r/a/b', file: '/r/a/b/_c' });
    expect(prefixToDir('/r', '')).toBe('/r');
    expect(prefixToDir('/r', 'a/B/')).toBe('/r/a/%42');
  });

  it('refuses traversal', () => {
    for (const key of ['..', 'a/../..', '../x', '/abs']) expect(() => keyToPath('/r', key)).toThrow(/invalid storage key/);
  });
});

describe('entry format', () => {
  it('round-trips and detects every single-byte change', () => {
    const value = new TextEncoder().encode('payload');
    const entry = encodeEntry(value);
    expect(entry.length).toBe(ENTRY_HEADER_BYTES + value.length);
    expect(decodeEntry(entry)).toEqual({ value });
    for (let i = 0; i < entry.length; i++) {
      const damaged = entry.slice();
      damaged[i]! ^= 0x01;
      expect('problem' in decodeEntry(damaged), `byte ${i}`).toBe(true);
    }
  });

  it('returns a copy, not a view into the read buffer', () => {
    const entry = encodeEntry(Uint8Array.of(1, 2, 3));
    const decoded = decodeEntry(entry);
    if (!('value' in decoded)) throw new Error('expected a value');
    expect(decoded.value.byteOffset).toBe(0);
    expect(decoded.value.buffer).not.toBe(entry.buffer);
  });
});
