// Token storage behind the barrier (vault/token_store.go): salted ids, accessors, the parent/child tree, use counts.
import type { Storage } from '@coffer/storage';
import { BoundedMemo, fromUtf8, utf8, VaultError, type Clock, type Crypto, type Random } from '@coffer/sdk';
import { isExpired, isRootEntry, type ResolvedToken, type TokenEntry } from './token-entry.js';
import { isBatchTokenId, newAccessor, newTokenId, saltedHash } from './token-ids.js';
import { decodeBatchToken, encodeBatchToken, type BatchClaims } from './batch-token.js';

const SALT_KEY = 'salt';
const BATCH_KEY = 'batch-key';
const ID_PREFIX = 'id/';
const ACCESSOR_PREFIX = 'accessor/';
const PARENT_PREFIX = 'parent/';

/** What the token store needs from the rest of the vault. */
export interface TokenStoreHooks {
  /** A token was created or its expiry moved (renewal): arm its expiry (the core's expiration manager). */
  expiryChanged(entry: TokenEntry): Promise<void>;
  /** A token is being revoked: revoke its leases, destroy its cubbyhole, drop its expiry. Runs before it is deleted. */
  revoking(entry: TokenEntry): Promise<void>;
}

export interface TokenStoreOptions {
  /** The token store's view (`sys/token/` behind the barrier). */
  storage: Storage;
  crypto: Crypto;
  random: Random;
  clock: Clock;
  hooks: TokenStoreHooks;
}

/** A new token's settings, already checked against the parent and the role. */
export type NewToken = Omit<TokenEntry, 'idHash' | 'accessor' | 'creationTimeMs' | 'lastRenewalTimeMs' | 'expireTimeMs'> & {
  /** A caller-chosen id (sudo only, checked by the caller). */
  id?: string;
};

interface AccessorRecord {
  accessor: string;
  idHash: string;
}

/** A 32-byte random secret kept at `key` (behind the barrier), made on first use and cached until forgotten (seal). */
function storedSecret(storage: Storage, random: Random, key: string) {
  let value: Uint8Array | undefined;
  return {
    async get(): Promise<Uint8Array> {
      if (value) return value;
      const stored = await storage.get(key);
      if (stored) {
        value = stored;
      } else {
        value = random.bytes(32);
        await storage.put(key, value);
      }
      return value;
    },
    forget(): void {
      value?.fill(0);
      value = undefined;
    },
  };
}

/** How many id -> salted hash results a token store remembers. */
const HASH_MEMO_LIMIT = 10_000;

function parentRevoked(): VaultError {
  return VaultError.invalid('parent token lookup failed: no parent found');
}

export function createTokenStore(options: TokenStoreOptions) {
  const { storage, crypto, random, clock, hooks } = options;
  // Decrypted entries by id hash: the per-request token lookup must not cost a barrier read.
  const cache = new Map<string, TokenEntry>();
  // Salted hashes of recently seen ids and accessors: an HMAC costs more than the rest of a token
  // lookup, and the same few tokens arrive again and again. Bounded, oldest first out.
  const hashes = new BoundedMemo<string, string>(HASH_MEMO_LIMIT);
  // Tokens whose revocation has started are invalid at once, before their entries are gone.
  const revoking = new Set<string>();
  // Per-token serialisation of read-modify-write (use counts, renewals, orphaning).
  const locks = new Map<string, Promise<unknown>>();

  function withLock<T>(idHash: string, fn: () => Promise<T>): Promise<T> {
    const previous = locks.get(idHash) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => undefined);
    locks.set(idHash, settled);
    void settled.then(() => {
      if (locks.get(idHash) === settled) locks.delete(idHash);
    });
    return run;
  }

  const salt = storedSecret(storage, random, SALT_KEY);
  const batchKey = storedSecret(storage, random, BATCH_KEY);

  /**
   * A batch token's entry, rebuilt from the token itself. It is valid while unexpired and, if it
   * has a parent, while the parent lives: a batch token dies with its parent (CVE-2020-25816).
   */
  async function batchEntry(id: string): Promise<TokenEntry | undefined> {
    const claims = decodeBatchToken(crypto, await batchKey.get(), id);
    if (!claims) return undefined;
    const entry: TokenEntry = {
      ...claims,
      idHash: await hash(id),
      accessor: '',
      numUses: 0,
      creationTtlSec: claims.ttlSec,
      expireTimeMs: claims.creationTimeMs + claims.ttlSec * 1000,
      lastRenewalTimeMs: null,
      explicitMaxTtlSec: 0,
      periodSec: 0,
      renewable: false,
      type: 'batch',
    };
    if (isExpired(entry, clock.now())) return undefined;
    if (entry.parentHash !== undefined && !live(await load(entry.parentHash))) return undefined;
    return entry;
  }

  /** The caller's token, or undefined when unknown, expired, used up or being revoked. */
  async function resolve(id: string | undefined): Promise<ResolvedToken | undefined> {
    if (!id) return undefined;
    if (isBatchTokenId(id)) {
      const batch = await batchEntry(id);
      return batch && { id, entry: batch, isRoot: false };
    }
    const entry = live(await load(await hash(id)));
    return entry && { id, entry, isRoot: isRootEntry(entry) };
  }

  async function hash(value: string): Promise<string> {
    const known = hashes.get(value);
    if (known !== undefined) return known;
    const hashed = saltedHash(crypto, await salt.get(), value);
    hashes.set(value, hashed);
    return hashed;
  }

  async function load(idHash: string): Promise<TokenEntry | undefined> {
    const cached = cache.get(idHash);
    if (cached) return cached;
    const bytes = await storage.get(ID_PREFIX + idHash);
    if (!bytes) return undefined;
    const entry = JSON.parse(fromUtf8(bytes)) as TokenEntry;
    cache.set(idHash, entry);
    return entry;
  }

  async function save(entry: TokenEntry): Promise<void> {
    await storage.put(ID_PREFIX + entry.idHash, utf8(JSON.stringify(entry)));
    cache.set(entry.idHash, entry);
  }

  /** The live entry: known, not expired, not being revoked, and (unless `usedUp` is allowed) uses left. */
  function live(entry: TokenEntry | undefined, usedUp = false): TokenEntry | undefined {
    if (!entry || revoking.has(entry.idHash) || (entry.numUses < 0 && !usedUp)) return undefined;
    if (isExpired(entry, clock.now())) return undefined;
    return entry;
  }

  async function accessorRecord(accessor: string): Promise<AccessorRecord | undefined> {
    if (accessor === '') return undefined;
    const bytes = await storage.get(ACCESSOR_PREFIX + (await hash(accessor)));
    return bytes ? (JSON.parse(fromUtf8(bytes)) as AccessorRecord) : undefined;
  }

  /** Deletes one token's records after the hooks have revoked what hangs off it. */
  async function revokeOne(entry: TokenEntry): Promise<void> {
    revoking.add(entry.idHash);
    try {
      await hooks.revoking(entry);
      await storage.delete(ACCESSOR_PREFIX + (await hash(entry.accessor)));
      if (entry.parentHash) await storage.delete(`${PARENT_PREFIX}${entry.parentHash}/${entry.idHash}`);
      await storage.delete(ID_PREFIX + entry.idHash);
      cache.delete(entry.idHash);
    } finally {
      revoking.delete(entry.idHash);
    }
  }

  async function childrenOf(idHash: string): Promise<string[]> {
    return (await storage.list(`${PARENT_PREFIX}${idHash}/`)).filter((key) => !key.endsWith('/'));
  }

  /**
   * Revokes a token and every descendant, children before parents, so that a crash halfway
   * leaves a tree whose remaining root still reaches every remaining token.
   */
  async function revokeTree(idHash: string): Promise<void> {
    // Already on its way out (its own expiry, a parent's revocation): once is enough.
    if (revoking.has(idHash)) return;
    const entry = await load(idHash);
    if (!entry) return;
    revoking.add(idHash);
    try {
      for (const child of await childrenOf(idHash)) await revokeTree(child);
      await revokeOne(entry);
    } finally {
      revoking.delete(idHash);
    }
  }

  return {
    hash,

    /** Mints and stores a token; the caller has applied Vault's policy and TTL rules. */
    async create(settings: NewToken): Promise<{ id: string; entry: TokenEntry }> {
      const { id: chosenId, ...rest } = settings;
      const id = chosenId ?? newTokenId(random);
      const idHash = await hash(id);
      if (chosenId !== undefined && (await load(idHash))) throw VaultError.invalid('cannot create a token with a duplicate ID');
      if (rest.parentHash !== undefined && revoking.has(rest.parentHash)) throw parentRevoked();
      const nowMs = clock.now();
      const entry: TokenEntry = {
        ...rest,
        idHash,
        accessor: newAccessor(random),
        creationTimeMs: nowMs,
        lastRenewalTimeMs: null,
        expireTimeMs: rest.ttlSec > 0 ? nowMs + rest.ttlSec * 1000 : 0,
      };
      const accessorKey = ACCESSOR_PREFIX + (await hash(entry.accessor));
      await storage.put(accessorKey, utf8(JSON.stringify({ accessor: entry.accessor, idHash } satisfies AccessorRecord)));
      if (entry.parentHash) await storage.put(`${PARENT_PREFIX}${entry.parentHash}/${idHash}`, new Uint8Array(0));
      await save(entry);
      // The parent's revocation may have listed its children before this one was indexed: then
      // this child goes too. (Either that listing sees the index written above, or this check
      // sees the revocation: the two markers are written before they are read.)
      if (entry.parentHash !== undefined && (revoking.has(entry.parentHash) || !(await load(entry.parentHash)))) {
        await revokeTree(idHash);
        throw parentRevoked();
      }
      if (entry.expireTimeMs !== 0) await hooks.expiryChanged(entry);
      return { id, entry };
    },

    /**
     * A batch token: not stored, its claims sealed into the id. The caller has applied Vault's
     * rules (no uses limit, period or explicit max; never root; not renewable).
     */
    async createBatch(claims: BatchClaims): Promise<{ id: string; entry: TokenEntry }> {
      const id = encodeBatchToken(crypto, random, await batchKey.get(), claims);
      return { id, entry: (await batchEntry(id))! };
    },

    resolve,

    /**
     * The caller's own token inside a request the pipeline already admitted: the request that
     * took the last use still acts as that token (lookup-self shows `num_uses` 0).
     */
    async resolveCaller(id: string | undefined): Promise<ResolvedToken | undefined> {
      if (!id) return undefined;
      if (isBatchTokenId(id)) return resolve(id);
      const entry = live(await load(await hash(id)), true);
      return entry && { id, entry, isRoot: isRootEntry(entry) };
    },

    /** A live entry by its id hash (expiry, revocation by lease). */
    async byHash(idHash: string): Promise<TokenEntry | undefined> {
      return live(await load(idHash));
    },

    async byAccessor(accessor: string): Promise<TokenEntry | undefined> {
      const record = await accessorRecord(accessor);
      return record && live(await load(record.idHash));
    },

    /**
     * Counts one use of a limited token (vault-api.md §2.3: before the ACL check, denied
     * requests included). Serialised per token, so of two requests racing for the last use
     * exactly one is `allowed`. `last` means this request took the final use: the token is
     * revoked once the request is done.
     */
    async consumeUse(idHash: string): Promise<{ allowed: boolean; last: boolean }> {
      return withLock(idHash, async () => {
        const entry = live(await load(idHash));
        if (!entry) return { allowed: false, last: false };
        if (entry.numUses === 0) return { allowed: true, last: false };
        const remaining = entry.numUses - 1;
        await save({ ...entry, numUses: remaining === 0 ? -1 : remaining });
        return { allowed: true, last: remaining === 0 };
      });
    },

    /** Stores new lifetime figures after a renewal and re-arms the expiry. */
    async renewed(idHash: string, ttlSec: number): Promise<TokenEntry> {
      return withLock(idHash, async () => {
        const entry = await load(idHash);
        if (!entry) throw new Error('token not found');
        const nowMs = clock.now();
        const next = { ...entry, ttlSec, lastRenewalTimeMs: nowMs, expireTimeMs: nowMs + ttlSec * 1000 };
        await save(next);
        await hooks.expiryChanged(next);
        return next;
      });
    },

    revokeTree,

    /** Revokes only this token; its children become orphans (revoke-orphan). */
    async revokeOrphan(idHash: string): Promise<void> {
      const entry = await load(idHash);
      if (!entry) return;
      for (const child of await childrenOf(idHash)) {
        await withLock(child, async () => {
          const childEntry = await load(child);
          if (childEntry) {
            const { parentHash: _dropped, ...orphaned } = childEntry;
            await save(orphaned);
          }
          await storage.delete(`${PARENT_PREFIX}${idHash}/${child}`);
        });
      }
      await revokeOne(entry);
    },

    /** Every accessor (LIST auth/token/accessors). */
    async accessors(): Promise<string[]> {
      const out: string[] = [];
      for (const key of await storage.list(ACCESSOR_PREFIX)) {
        const bytes = await storage.get(ACCESSOR_PREFIX + key);
        if (bytes) out.push((JSON.parse(fromUtf8(bytes)) as AccessorRecord).accessor);
      }
      return out.sort();
    },

    /** Removes accessor and parent-index records whose token is gone, and revokes expired tokens. */
    async tidy(): Promise<void> {
      for (const key of await storage.list(ACCESSOR_PREFIX)) {
        const bytes = await storage.get(ACCESSOR_PREFIX + key);
        if (!bytes) continue;
        const record = JSON.parse(fromUtf8(bytes)) as AccessorRecord;
        const entry = await load(record.idHash);
        if (!entry) await storage.delete(ACCESSOR_PREFIX + key);
        else if (isExpired(entry, clock.now())) await revokeTree(entry.idHash);
      }
      for (const parentFolder of await storage.list(PARENT_PREFIX)) {
        const parentHash = parentFolder.slice(0, -1);
        const parentAlive = (await load(parentHash)) !== undefined;
        for (const child of await childrenOf(parentHash)) {
          if (!parentAlive) await revokeTree(child);
          else if (!(await load(child))) await storage.delete(`${PARENT_PREFIX}${parentHash}/${child}`);
        }
      }
    },

    /** Forgets the salt and cached entries (seal). */
    clear(): void {
      salt.forget();
      batchKey.forget();
      cache.clear();
      hashes.clear();
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
