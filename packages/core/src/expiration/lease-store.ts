// The expiration manager's storage layout behind the barrier (vault/expiration.go: expire/id/, expire/token/).
import { validateKey, validateListPrefix, type Storage } from '@coffer/storage';
import { fromUtf8, toHex, utf8, type Crypto } from '@coffer/sdk';
import { decodeLease, encodeLease, type LeaseRecord } from './lease-record.js';

const ID_PREFIX = 'expire/id/';
const TOKEN_PREFIX = 'expire/token/';

export interface TokenIndexEntry {
  leaseId: string;
  /** The index key's last segment, to delete a dangling entry without knowing its lease. */
  indexKey: string;
}

export interface LeaseStore {
  /** The lease, or undefined when absent or when the id could never be a stored key. Throws on a corrupt entry. */
  read(leaseId: string): Promise<LeaseRecord | undefined>;
  /** Stores a new lease and its token index entry, together where the storage allows. */
  create(lease: LeaseRecord): Promise<void>;
  /** Rewrites an existing lease (renewal, expire-now, revocation failure). */
  update(lease: LeaseRecord): Promise<void>;
  /** Deletes the lease and its token index entry. */
  remove(lease: LeaseRecord): Promise<void>;
  /** Direct children of `prefix` (`""` or ending in `/`), folders with a trailing `/`. */
  children(prefix: string): Promise<string[]>;
  /** Every lease id at or below `prefix` (`""` or ending in `/`). */
  collectIds(prefix: string): Promise<string[]>;
  /** The leases indexed under one token. */
  byToken(tokenHash: string): Promise<TokenIndexEntry[]>;
  /** Every token hash that has index entries (tidy). */
  indexedTokens(): Promise<string[]>;
  hasIndex(tokenHash: string, leaseId: string): Promise<boolean>;
  addIndex(tokenHash: string, leaseId: string): Promise<void>;
  removeIndexKey(tokenHash: string, indexKey: string): Promise<void>;
}

/** A token hash becomes one storage segment, so it must be one. */
export function isIndexableTokenHash(tokenHash: string): boolean {
  if (tokenHash === '' || tokenHash.includes('/')) return false;
  try {
    validateKey(tokenHash);
    return true;
  } catch {
    return false;
  }
}

export function createLeaseStore(storage: Storage, crypto: Crypto): LeaseStore {
  // Lease ids contain `/` and can be long; a fixed-size hash keeps each index key one short,
  // file-system-safe segment (Vault salts the lease id the same way).
  const indexKeyOf = (leaseId: string): string => toHex(crypto.sha256(utf8(leaseId)));
  const indexPath = (tokenHash: string, indexKey: string): string => `${TOKEN_PREFIX}${tokenHash}/${indexKey}`;

  /** Runs the writes in one transaction where the storage has them, else in the given order. */
  async function atomically(fn: (tx: Storage) => Promise<void>): Promise<void> {
    if (storage.transaction) await storage.transaction(fn);
    else await fn(storage);
  }

  async function collect(prefix: string, out: string[]): Promise<void> {
    for (const child of await storage.list(ID_PREFIX + prefix)) {
      if (child.endsWith('/')) await collect(prefix + child, out);
      else out.push(prefix + child);
    }
  }

  return {
    async read(leaseId) {
      try {
        validateKey(leaseId);
      } catch {
        return undefined;
      }
      const bytes = await storage.get(ID_PREFIX + leaseId);
      return bytes === undefined ? undefined : decodeLease(bytes);
    },

    async create(lease) {
      await atomically(async (tx) => {
        // Index first: a crash between the writes leaves a dangling index entry (skipped, and
        // removed by tidy), never a lease that revoking its token would miss.
        if (lease.tokenHash !== '') await tx.put(indexPath(lease.tokenHash, indexKeyOf(lease.leaseId)), utf8(lease.leaseId));
        await tx.put(ID_PREFIX + lease.leaseId, encodeLease(lease));
      });
    },

    async update(lease) {
      await storage.put(ID_PREFIX + lease.leaseId, encodeLease(lease));
    },

    async remove(lease) {
      await atomically(async (tx) => {
        // Entry first, for the same reason as in create.
        await tx.delete(ID_PREFIX + lease.leaseId);
        if (lease.tokenHash !== '') await tx.delete(indexPath(lease.tokenHash, indexKeyOf(lease.leaseId)));
      });
    },

    async children(prefix) {
      try {
        validateListPrefix(prefix);
      } catch {
        return [];
      }
      return storage.list(ID_PREFIX + prefix);
    },

    async collectIds(prefix) {
      try {
        validateListPrefix(prefix);
      } catch {
        return [];
      }
      const out: string[] = [];
      await collect(prefix, out);
      return out;
    },

    async byToken(tokenHash) {
      if (!isIndexableTokenHash(tokenHash)) return [];
      const out: TokenIndexEntry[] = [];
      for (const indexKey of await storage.list(`${TOKEN_PREFIX}${tokenHash}/`)) {
        if (indexKey.endsWith('/')) continue;
        const bytes = await storage.get(indexPath(tokenHash, indexKey));
        if (bytes !== undefined) out.push({ leaseId: fromUtf8(bytes), indexKey });
      }
      return out;
    },

    async indexedTokens() {
      return (await storage.list(TOKEN_PREFIX)).filter((child) => child.endsWith('/')).map((child) => child.slice(0, -1));
    },

    async hasIndex(tokenHash, leaseId) {
      return (await storage.get(indexPath(tokenHash, indexKeyOf(leaseId)))) !== undefined;
    },

    async addIndex(tokenHash, leaseId) {
      await storage.put(indexPath(tokenHash, indexKeyOf(leaseId)), utf8(leaseId));
    },

    async removeIndexKey(tokenHash, indexKey) {
      await storage.delete(indexPath(tokenHash, indexKey));
    },
  };
}
