// Token storage behind the barrier (vault/token_store.go): salted-hash ids, accessor index, root tokens.
import type { Storage } from '@coffer/storage';
import { fromUtf8, randomBase62, toHex, utf8, type Clock, type Crypto, type Random } from '@coffer/sdk';
import type { ResolvedToken, TokenEntry } from './token-entry.js';

const SALT_KEY = 'token/salt';
const ID_PREFIX = 'token/id/';
const ACCESSOR_PREFIX = 'token/accessor/';

/** Vault 1.10+ service tokens: `hvs.` and 24 base62 characters (142 bits). */
export const SERVICE_TOKEN_PREFIX = 'hvs.';
const TOKEN_RANDOM_CHARS = 24;

export interface TokenRegistryDeps {
  /** The system view (`sys/` inside the barrier). */
  storage: Storage;
  crypto: Crypto;
  random: Random;
  clock: Clock;
}

export function createTokenRegistry(deps: TokenRegistryDeps) {
  let salt: Uint8Array | undefined;
  // Decrypted entries by id hash: the per-request token lookup must not cost a barrier read.
  const cache = new Map<string, TokenEntry>();

  async function loadSalt(): Promise<Uint8Array> {
    if (salt) return salt;
    const stored = await deps.storage.get(SALT_KEY);
    if (stored) {
      salt = stored;
    } else {
      salt = deps.random.bytes(32);
      await deps.storage.put(SALT_KEY, salt);
    }
    return salt;
  }

  function hashWith(key: Uint8Array, value: string): string {
    return toHex(deps.crypto.hmacSha256(key, utf8(value)));
  }

  return {
    /** Keyed hash of a token id or accessor, as used in storage keys and audit. */
    async hash(value: string): Promise<string> {
      return hashWith(await loadSalt(), value);
    },

    /** Mints and stores a root token (sys/init, dev mode). A chosen id is honoured (dev `-dev-root-token-id`). */
    async createRoot(chosenId?: string): Promise<string> {
      const key = await loadSalt();
      const id = chosenId ?? SERVICE_TOKEN_PREFIX + randomBase62(deps.random, TOKEN_RANDOM_CHARS);
      const entry: TokenEntry = {
        idHash: hashWith(key, id),
        accessor: randomBase62(deps.random, TOKEN_RANDOM_CHARS),
        policies: ['root'],
        path: 'auth/token/root',
        displayName: 'root',
        meta: null,
        creationTimeMs: deps.clock.now(),
        ttlSec: 0,
        explicitMaxTtlSec: 0,
        periodSec: 0,
        numUses: 0,
        type: 'service',
        entityId: '',
      };
      await deps.storage.put(ACCESSOR_PREFIX + hashWith(key, entry.accessor), utf8(entry.idHash));
      await deps.storage.put(ID_PREFIX + entry.idHash, utf8(JSON.stringify(entry)));
      cache.set(entry.idHash, entry);
      return id;
    },

    /** The live entry for `id`, or undefined when unknown or expired. */
    async resolve(id: string): Promise<ResolvedToken | undefined> {
      if (id === '') return undefined;
      const idHash = hashWith(await loadSalt(), id);
      let entry = cache.get(idHash);
      if (!entry) {
        const bytes = await deps.storage.get(ID_PREFIX + idHash);
        if (!bytes) return undefined;
        entry = JSON.parse(fromUtf8(bytes)) as TokenEntry;
        cache.set(idHash, entry);
      }
      if (entry.ttlSec > 0 && entry.creationTimeMs + entry.ttlSec * 1000 <= deps.clock.now()) return undefined;
      return { id, entry, isRoot: entry.policies.includes('root') };
    },

    async revoke(id: string): Promise<void> {
      const key = await loadSalt();
      const idHash = hashWith(key, id);
      const bytes = await deps.storage.get(ID_PREFIX + idHash);
      cache.delete(idHash);
      if (!bytes) return;
      const entry = JSON.parse(fromUtf8(bytes)) as TokenEntry;
      await deps.storage.delete(ACCESSOR_PREFIX + hashWith(key, entry.accessor));
      await deps.storage.delete(ID_PREFIX + idHash);
    },

    /** Forgets the salt and cached entries (seal). */
    clear(): void {
      salt?.fill(0);
      salt = undefined;
      cache.clear();
    },
  };
}

export type TokenRegistry = ReturnType<typeof createTokenRegistry>;
