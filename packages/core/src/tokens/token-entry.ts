// A stored token (vault/token_store.go TokenEntry): only its keyed hash ever names it in storage.

export interface TokenEntry {
  /** HMAC of the token id under the store's salt; the id itself is never stored. */
  idHash: string;
  accessor: string;
  policies: string[];
  /** Hash of the parent's id; absent for orphans. */
  parentHash?: string;
  path: string;
  displayName: string;
  meta: Record<string, string> | null;
  creationTimeMs: number;
  ttlSec: number;
  explicitMaxTtlSec: number;
  periodSec: number;
  numUses: number;
  type: 'service' | 'batch';
  entityId: string;
}

/** The token the caller presented, resolved. */
export interface ResolvedToken {
  id: string;
  entry: TokenEntry;
  isRoot: boolean;
}
