// reliability.md §5 for tokens, leases and wrapping: S1 no plaintext in storage, C4 limited-use tokens, C5 revoke-tree vs create-child.
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '@coffer/storage';
import { createLeaseEngine } from './testing/lease-engine.js';
import { expectVaultError, unsealedVault } from './testing/helpers.js';

/** Every form a leaked value could take in raw bytes (reliability.md §5, canary scanner). */
function encodings(canary: string): string[] {
  const bytes = Buffer.from(canary, 'utf8');
  return [canary, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), Buffer.from(canary, 'utf16le').toString('latin1'), JSON.stringify(canary).slice(1, -1)];
}

function scan(storage: MemoryStorage, canaries: string[]): string[] {
  const hits: string[] = [];
  for (const [key, value] of storage.entries()) {
    const text = `${key}\n${Buffer.from(value).toString('latin1')}`;
    for (const canary of canaries) {
      for (const form of encodings(canary)) if (text.includes(form)) hits.push(`${canary} in ${key}`);
    }
  }
  return hits;
}

describe('S1: no token, accessor or secret in storage bytes', () => {
  it('keeps tokens, accessors, cubbyhole data, wrapped responses and lease data out of raw storage', async () => {
    const storage = new MemoryStorage();
    const engine = createLeaseEngine();
    const h = await unsealedVault({ storage, engines: { leasing: { factory: engine.factory, kind: 'secret' } } });
    await h.req('update', 'sys/mounts/db', { type: 'leasing' });
    const created = await h.req('update', 'auth/token/create', { policies: ['default'], meta: { owner: 'canary-meta-7d1f' } });
    const child = created.auth!.client_token;
    const cubbySecret = 'canary-cubby-6c0e5a';
    await h.req('update', 'cubbyhole/k', { v: cubbySecret }, child);
    const wrapped = await h.vault.handle({ operation: 'update', path: 'sys/wrapping/wrap', token: h.token, data: { w: 'canary-wrapped-93ab' }, wrapTtl: 300 });
    const creds = await h.req('read', 'db/creds/app');
    const canaries = [h.token, child, created.auth!.accessor, cubbySecret, 'canary-wrapped-93ab', wrapped.wrapInfo!.token, wrapped.wrapInfo!.accessor, String(creds.data!.password), 'canary-meta-7d1f'];
    expect(scan(storage, canaries)).toEqual([]);
    // The scanner itself finds what is there: the mount path is a plain storage key component.
    expect(scan(storage, ['core/mounts'])).not.toEqual([]);
  });
});

describe('C4: limited-use tokens under concurrency', () => {
  it('lets exactly num_uses requests through, then revokes the token and its leases', async () => {
    const engine = createLeaseEngine();
    const h = await unsealedVault({ engines: { leasing: { factory: engine.factory, kind: 'secret' } } });
    await h.req('update', 'sys/mounts/db', { type: 'leasing' });
    const token = (await h.req('update', 'auth/token/create', { policies: ['root'], num_uses: 10 })).auth!.client_token;
    await h.req('read', 'db/creds/limited', undefined, token);
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => h.req('read', 'auth/token/lookup-self', undefined, token)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(9);
    await expectVaultError(h.req('update', 'auth/token/lookup', { token }), 403, 'bad token');
    await h.clock.advance(0);
    expect(engine.revoked).toEqual(['v-limited-1']);
  });
});

describe('C5: revoking a tree while children are being created', () => {
  it('leaves no live descendant of the revoked token; orphans survive', async () => {
    const h = await unsealedVault();
    for (let round = 0; round < 20; round++) {
      const parent = (await h.req('update', 'auth/token/create', { policies: ['root'] })).auth!.client_token;
      const first = (await h.req('update', 'auth/token/create', { policies: ['root'] }, parent)).auth!.client_token;
      const creations = Array.from({ length: 5 }, (_, i) =>
        h.req('update', i % 2 === 0 ? 'auth/token/create' : 'auth/token/create-orphan', { policies: ['root'] }, i < 3 ? parent : first),
      );
      const revocation = h.req('update', 'auth/token/revoke', { token: parent });
      const settled = await Promise.allSettled([...creations, revocation]);
      expect(settled.at(-1)!.status).toBe('fulfilled');
      await expectVaultError(h.req('read', 'auth/token/lookup-self', undefined, first), 403);
      for (const [i, outcome] of settled.slice(0, 5).entries()) {
        if (outcome.status !== 'fulfilled') continue;
        const created = outcome.value.auth!;
        const alive = await h.req('update', 'auth/token/lookup', { token: created.client_token }).then(
          () => true,
          () => false,
        );
        // Only orphans may outlive the tree they were created from.
        if (alive) expect(created.orphan, `creation ${i} in round ${round} outlived its revoked parent`).toBe(true);
      }
    }
  });
});
