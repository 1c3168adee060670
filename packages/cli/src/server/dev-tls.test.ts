// The -dev-tls certificate serials: always a positive, minimally encoded DER INTEGER.
import { describe, expect, it } from 'vitest';
import { serialHex } from './dev-tls.js';

describe('serialHex', () => {
  it('keeps every byte but makes the first one 0x01–0x7f, with an even number of hex digits', () => {
    for (const first of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
      const hex = serialHex(Uint8Array.from([first, 0xaa, 0x00, 0x10]));
      expect(hex).toHaveLength(8);
      const lead = parseInt(hex.slice(0, 2), 16);
      expect(lead).toBeGreaterThanOrEqual(0x01);
      expect(lead).toBeLessThanOrEqual(0x7f);
      expect(hex.slice(2)).toBe('aa0010');
    }
  });
});
