// Vault's response envelope before anything is put in it: what every answer starts from.
import type { Response } from '@coffer/sdk';

export function emptyEnvelope(requestId: string, mountType: string): Response {
  return {
    requestId,
    status: 200,
    data: null,
    leaseId: '',
    renewable: false,
    leaseDurationSec: 0,
    auth: null,
    wrapInfo: null,
    warnings: null,
    mountType,
  };
}
