// The data of PUT sys/leases/lookup (vault-api.md L1; Vault's handleLeaseLookup).
import { formatRfc3339Nano } from '@coffer/sdk';
import { renewBlocker, type LeaseRecord } from './lease-record.js';

export interface LeaseLookupData {
  id: string;
  issue_time: string;
  expire_time: string | null;
  last_renewal: string | null;
  renewable: boolean;
  ttl: number;
  /** Only when a revocation has failed (Vault ≥1.8 irrevocable leases). */
  revoke_error?: string;
}

export function leaseLookupData(lease: LeaseRecord, nowMs: number): LeaseLookupData {
  const expiring = lease.expireTimeMs !== 0;
  const data: LeaseLookupData = {
    id: lease.leaseId,
    issue_time: formatRfc3339Nano(lease.issueTimeMs),
    expire_time: expiring ? formatRfc3339Nano(lease.expireTimeMs) : null,
    last_renewal: lease.lastRenewalTimeMs === null ? null : formatRfc3339Nano(lease.lastRenewalTimeMs),
    renewable: renewBlocker(lease, nowMs) === undefined,
    // Vault: whole seconds from now rounded to the second, truncated; negative once past expiry
    // while the revocation is still pending or failing.
    ttl: expiring ? Math.trunc((lease.expireTimeMs - Math.round(nowMs / 1000) * 1000) / 1000) + 0 : 0, // + 0: no -0
  };
  if (lease.revokeError !== undefined) data.revoke_error = lease.revokeError;
  return data;
}
