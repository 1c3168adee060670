import { describe, expect, it } from 'vitest';
import { parseGoBool } from './go-bool.js';

describe('parseGoBool (Go strconv.ParseBool)', () => {
  it('reads exactly Go\'s spellings and nothing else', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(t)).toBe(true);
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseGoBool(f)).toBe(false);
    for (const bad of ['', 'yes', 'tRUE', ' true', '2']) expect(parseGoBool(bad)).toBeUndefined();
  });
});
