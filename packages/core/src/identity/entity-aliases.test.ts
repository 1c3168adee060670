// Entity aliases: one entity per (mount, alias), stable across a forgotten salt, keyed by a salted HMAC.
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '@coffer/storage';
import { nodeCrypto } from '@coffer/sdk';
import { seededRandom } from '@coffer/sdk/testing';
import { createEntityAliases } from './entity-aliases.js';

describe('entity aliases', () => {
  it('gives one entity per mount and alias, the same after the salt was forgotten (seal)', async () => {
    const storage = new MemoryStorage();
    const aliases = createEntityAliases({ storage, crypto: nodeCrypto, random: seededRandom(1) });
    const [a, b] = await Promise.all([aliases.entityIdFor('auth_userpass_1', 'alice'), aliases.entityIdFor('auth_userpass_1', 'alice')]);
    expect(a).toBe(b);
    expect(await aliases.entityIdFor('auth_userpass_1', 'bob')).not.toBe(a);
    expect(await aliases.entityIdFor('auth_other_2', 'alice')).not.toBe(a);
    aliases.forget();
    expect(await aliases.entityIdFor('auth_userpass_1', 'alice')).toBe(a);
    const keys = [...storage.entries()].map(([key]) => key).join('\n');
    expect(keys).not.toContain('alice');
  });
});
