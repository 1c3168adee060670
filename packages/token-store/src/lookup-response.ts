// The body of auth/token/lookup* (vault-api.md T4): what a token looks like from outside. The parent is never shown.
import { formatRfc3339Nano } from '@coffer/sdk';
import { remainingTtlSec, type TokenEntry } from './token-entry.js';

export function lookupResponse(entry: TokenEntry, id: string, nowMs: number): Record<string, unknown> {
  const expiring = entry.expireTimeMs !== 0;
  const data: Record<string, unknown> = {
    accessor: entry.accessor,
    creation_time: Math.floor(entry.creationTimeMs / 1000),
    creation_ttl: entry.creationTtlSec,
    display_name: entry.displayName,
    entity_id: entry.entityId,
    expire_time: expiring ? formatRfc3339Nano(entry.expireTimeMs) : null,
    explicit_max_ttl: entry.explicitMaxTtlSec,
    id,
    issue_time: formatRfc3339Nano(entry.creationTimeMs),
    meta: entry.meta,
    num_uses: Math.max(0, entry.numUses),
    orphan: entry.parentHash === undefined,
    path: entry.path,
    policies: entry.policies,
    renewable: entry.renewable && expiring && entry.expireTimeMs > nowMs,
    ttl: remainingTtlSec(entry, nowMs),
    type: entry.type,
  };
  if (entry.lastRenewalTimeMs !== null) {
    data.last_renewal_time = Math.floor(entry.lastRenewalTimeMs / 1000);
    data.last_renewal = formatRfc3339Nano(entry.lastRenewalTimeMs);
  }
  if (entry.periodSec > 0) data.period = entry.periodSec;
  if (entry.role) data.role = entry.role;
  return data;
}
