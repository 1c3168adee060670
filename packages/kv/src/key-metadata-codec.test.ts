// The stored form of key metadata: a lossless round trip, and entries of the earlier layout still read.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKeyMetadata, encodeKeyMetadata } from './key-metadata-codec.js';
import { emptyKeyMetadata, type KeyMetadata } from './key-metadata.js';
import { encodeJson } from './storage-layout.js';

const versionMetadata = fc.record({ createdMs: fc.nat(), deletionMs: fc.option(fc.nat(), { nil: null }), destroyed: fc.boolean() });
const keyMetadata: fc.Arbitrary<KeyMetadata> = fc.record({
  key: fc.string({ minLength: 1 }),
  currentVersion: fc.nat(),
  oldestVersion: fc.nat(),
  createdMs: fc.option(fc.nat(), { nil: null }),
  updatedMs: fc.option(fc.nat(), { nil: null }),
  maxVersions: fc.nat(),
  casRequired: fc.boolean(),
  deleteVersionAfterSec: fc.integer({ min: -1 }),
  customMetadata: fc.option(fc.dictionary(fc.string(), fc.string()), { nil: null }),
  versions: fc.dictionary(fc.integer({ min: 1, max: 10_000 }).map(String), versionMetadata),
});

describe('key metadata codec', () => {
  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(keyMetadata, (meta) => {
        expect(decodeKeyMetadata(encodeKeyMetadata(meta), meta.key, () => emptyKeyMetadata(meta.key))).toEqual(meta);
      }),
    );
  });

  it('writes the binary layout, not JSON', () => {
    const bytes = encodeKeyMetadata({ ...emptyKeyMetadata('app'), currentVersion: 1, versions: { '1': { createdMs: 1_700_000_000_123, deletionMs: null, destroyed: false } } });
    expect(bytes[0]).toBe(3);
  });

  it('refuses an entry in a layout it does not know', () => {
    expect(() => decodeKeyMetadata(Uint8Array.of(9, 0, 0), 'app', () => emptyKeyMetadata('app'))).toThrow('unknown key metadata layout 9');
  });

  it('reads an entry written in layout 2 (JSON, versions as tuples)', () => {
    const stored = {
      f: 2,
      key: 'app',
      current: 2,
      oldest: 1,
      created: 5,
      updated: 9,
      maxVersions: 3,
      casRequired: true,
      deleteVersionAfterSec: 60,
      custom: { owner: 'ops' },
      versions: [
        [1, 5, null, 0],
        [2, 9, 12, 1],
      ],
    };
    expect(decodeKeyMetadata(encodeJson(stored), 'app', () => emptyKeyMetadata('app'))).toEqual({
      key: 'app',
      currentVersion: 2,
      oldestVersion: 1,
      createdMs: 5,
      updatedMs: 9,
      maxVersions: 3,
      casRequired: true,
      deleteVersionAfterSec: 60,
      customMetadata: { owner: 'ops' },
      versions: { '1': { createdMs: 5, deletionMs: null, destroyed: false }, '2': { createdMs: 9, deletionMs: 12, destroyed: true } },
    });
  });

  it('reads an entry written in layout 1 (versions as an object), filling absent settings', () => {
    const old = { key: 'app', currentVersion: 2, oldestVersion: 0, createdMs: 5, updatedMs: 9, versions: { '1': { createdMs: 5, deletionMs: null, destroyed: false }, '2': { createdMs: 9, deletionMs: 12, destroyed: true } } };
    expect(decodeKeyMetadata(encodeJson(old), 'app', () => emptyKeyMetadata('app'))).toEqual({ ...emptyKeyMetadata('app'), ...old });
  });
});
