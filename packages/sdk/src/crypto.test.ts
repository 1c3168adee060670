import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, DecryptionError, fromUtf8, toBase64, toHex, utf8, type Crypto } from './crypto.js';
import { nobleCrypto } from './crypto-noble.js';
import { nodeCrypto } from './crypto-node.js';
import { createSystemRandom, randomBase62, randomHex, randomUuid } from './random.js';

const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

// AES-256 cases 13–16 of McGrew & Viega, "The Galois/Counter Mode of Operation", appendix B.
const KEY_15 = 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308';
const IV_15 = 'cafebabefacedbaddecaf888';
const PLAIN_15 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
  '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const CIPHER_15 =
  '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
  '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad';
const GCM_VECTORS = [
  { name: 'case 13', key: '00'.repeat(32), iv: '00'.repeat(12), plain: '', aad: '', cipher: '', tag: '530f8afbc74536b9a963b4f1c4cb738b' },
  {
    name: 'case 14',
    key: '00'.repeat(32),
    iv: '00'.repeat(12),
    plain: '00'.repeat(16),
    aad: '',
    cipher: 'cea7403d4d606b6e074ec5d3baf39d18',
    tag: 'd0d1c8a799996bf0265b98b5d48ab919',
  },
  { name: 'case 15', key: KEY_15, iv: IV_15, plain: PLAIN_15, aad: '', cipher: CIPHER_15, tag: 'b094dac5d93471bdec1a502270e3cc6c' },
  {
    name: 'case 16',
    key: KEY_15,
    iv: IV_15,
    plain: PLAIN_15.slice(0, 120),
    aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    cipher: CIPHER_15.slice(0, 120),
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

// RFC 4231 test cases 1, 2, 3 and 6 (a key longer than the block size is hashed first).
const HMAC_VECTORS = [
  { key: '0b'.repeat(20), data: utf8('Hi There'), mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7' },
  { key: toHex(utf8('Jefe')), data: utf8('what do ya want for nothing?'), mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' },
  { key: 'aa'.repeat(20), data: hex('dd'.repeat(50)), mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe' },
  {
    key: 'aa'.repeat(131),
    data: utf8('Test Using Larger Than Block-Size Key - Hash Key First'),
    mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  },
];

// FIPS 180-2 examples.
const SHA256_VECTORS = [
  { data: '', digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  { data: 'abc', digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  { data: 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', digest: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1' },
];

const implementations: Crypto[] = [nodeCrypto, nobleCrypto];

describe.each(implementations)('$name crypto: known answers', (crypto) => {
  it.each(GCM_VECTORS)('AES-256-GCM $name encrypts to the published ciphertext and tag', (v) => {
    const sealed = crypto.aesGcmEncrypt(hex(v.key), hex(v.iv), hex(v.plain), v.aad ? hex(v.aad) : undefined);
    expect(toHex(sealed)).toBe(v.cipher + v.tag);
  });

  it.each(GCM_VECTORS)('AES-256-GCM $name decrypts the published ciphertext', (v) => {
    const opened = crypto.aesGcmDecrypt(hex(v.key), hex(v.iv), hex(v.cipher + v.tag), v.aad ? hex(v.aad) : undefined);
    expect(toHex(opened)).toBe(v.plain);
  });

  it.each(HMAC_VECTORS)('HMAC-SHA256 matches RFC 4231 ($mac)', (v) => {
    expect(toHex(crypto.hmacSha256(hex(v.key), v.data))).toBe(v.mac);
  });

  it.each(SHA256_VECTORS)('SHA-256 of "$data" matches FIPS 180-2', (v) => {
    expect(toHex(crypto.sha256(utf8(v.data)))).toBe(v.digest);
  });

  it('rejects a flipped bit anywhere, wrong associated data, a wrong key and a short input', () => {
    const v = GCM_VECTORS[3]!;
    const key = hex(v.key);
    const iv = hex(v.iv);
    const aad = hex(v.aad);
    const sealed = hex(v.cipher + v.tag);
    for (let i = 0; i < sealed.length; i++) {
      const tampered = sealed.slice();
      tampered[i]! ^= 0x01;
      expect(() => crypto.aesGcmDecrypt(key, iv, tampered, aad)).toThrow(DecryptionError);
    }
    expect(() => crypto.aesGcmDecrypt(key, iv, sealed, utf8('other'))).toThrow('cipher: message authentication failed');
    expect(() => crypto.aesGcmDecrypt(key, iv, sealed)).toThrow(DecryptionError);
    expect(() => crypto.aesGcmDecrypt(hex('00'.repeat(32)), iv, sealed, aad)).toThrow(DecryptionError);
    expect(() => crypto.aesGcmDecrypt(key, iv, sealed.subarray(0, 15), aad)).toThrow(DecryptionError);
  });
});

describe('node and noble crypto agree both ways', () => {
  const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

  it('what one seals the other opens, byte for byte, with and without associated data', () => {
    fc.assert(
      fc.property(bytes(32, 32), bytes(12, 12), bytes(0, 2048), fc.option(bytes(0, 64), { nil: undefined }), (key, nonce, plain, aad) => {
        const byNode = nodeCrypto.aesGcmEncrypt(key, nonce, plain, aad);
        const byNoble = nobleCrypto.aesGcmEncrypt(key, nonce, plain, aad);
        expect(toHex(byNode)).toBe(toHex(byNoble));
        expect(toHex(nobleCrypto.aesGcmDecrypt(key, nonce, byNode, aad))).toBe(toHex(plain));
        expect(toHex(nodeCrypto.aesGcmDecrypt(key, nonce, byNoble, aad))).toBe(toHex(plain));
      }),
      { numRuns: 200 },
    );
  });

  it('PBKDF2-HMAC-SHA256 gives the published vector and the same bytes both ways', async () => {
    const vector = '120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b';
    for (const crypto of [nodeCrypto, nobleCrypto]) expect(toHex(await crypto.pbkdf2Sha256(utf8('password'), utf8('salt'), 1, 32))).toBe(vector);
    const password = utf8('A1a-generated-password');
    const salt = new Uint8Array(16).fill(7);
    expect(toHex(await nodeCrypto.pbkdf2Sha256(password, salt, 4096, 32))).toBe(toHex(await nobleCrypto.pbkdf2Sha256(password, salt, 4096, 32)));
  });

  it('HMAC and SHA-256 agree on random input', () => {
    fc.assert(
      fc.property(bytes(0, 200), bytes(0, 1000), (key, message) => {
        expect(toHex(nodeCrypto.hmacSha256(key, message))).toBe(toHex(nobleCrypto.hmacSha256(key, message)));
        expect(toHex(nodeCrypto.sha256(message))).toBe(toHex(nobleCrypto.sha256(message)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('byte helpers', () => {
  it('compares in constant time and only equal-length equal bytes are equal', () => {
    expect(constantTimeEqual(hex('0102'), hex('0102'))).toBe(true);
    expect(constantTimeEqual(hex('0102'), hex('0103'))).toBe(false);
    expect(constantTimeEqual(hex('0102'), hex('010203'))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it('encodes a subarray view without the bytes around it', () => {
    const whole = hex('ffaabbff');
    expect(toHex(whole.subarray(1, 3))).toBe('aabb');
    expect(toBase64(whole.subarray(1, 3))).toBe('qrs=');
  });

  it('refuses invalid UTF-8 rather than substituting characters', () => {
    expect(fromUtf8(utf8('sécrét ✓'))).toBe('sécrét ✓');
    expect(() => fromUtf8(hex('c3'))).toThrow();
  });
});

describe('system random', () => {
  it('never serves the same pooled bytes twice and wipes what it served', () => {
    const random = createSystemRandom();
    const nonces = new Set<string>();
    // 4 pools' worth of 12-byte nonces crosses several refills.
    for (let i = 0; i < 1400; i++) nonces.add(toHex(random.bytes(12)));
    expect(nonces.size).toBe(1400);
    expect(random.bytes(1024)).toHaveLength(1024);
  });

  it('builds base62 ids, v4 uuids and hex of the asked length', () => {
    const random = createSystemRandom();
    expect(randomBase62(random, 24)).toMatch(/^[0-9A-Za-z]{24}$/);
    expect(randomUuid(random)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomHex(random, 8)).toMatch(/^[0-9a-f]{8}$/);
    expect(randomHex(random, 7)).toMatch(/^[0-9a-f]{7}$/);
  });

  it('lays the uuid out from the random bytes, forcing only the version and variant bits', () => {
    const counting = { bytes: (n: number) => Uint8Array.from({ length: n }, (_, i) => (i === 6 || i === 8 ? 0xff : i)) };
    expect(randomUuid(counting)).toBe('00010203-0405-4f07-bf09-0a0b0c0d0e0f');
  });

  it('draws base62 characters without modulo bias', () => {
    // A source that always yields 250 (above the 248 cut-off) then 61 must skip the 250s.
    let calls = 0;
    const skewed = { bytes: (n: number) => new Uint8Array(n).fill(calls++ % 2 === 0 ? 250 : 61) };
    expect(randomBase62(skewed, 5)).toBe('zzzzz');
  });
});
