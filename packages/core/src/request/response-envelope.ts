// Vault's response envelope: the empty one every answer starts from, and a handler's result put into it.
import { VaultError, type HandlerResult, type Operation, type Response } from '@coffer/sdk';

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

/** A handler's result as Vault answers it: 404 for an empty read or list, 204 for an empty write. */
export function toResponse(requestId: string, operation: Operation, mountType: string, result: HandlerResult | undefined): Response {
  if (result?.raw !== undefined) return { ...emptyEnvelope(requestId, mountType), status: result.status ?? 200, raw: result.raw };
  if (result?.response) return result.response;
  if (result?.lease) {
    const { leaseId, ttlSec, renewable } = result.lease;
    return { ...emptyEnvelope(requestId, mountType), leaseId, leaseDurationSec: ttlSec, renewable, warnings: result.warnings?.length ? result.warnings : null };
  }
  if (!result || (result.data === undefined && result.auth === undefined && !result.warnings?.length && result.status === undefined)) {
    // Vault answers an empty read or list with 404 and no errors, and an empty write with 204.
    if (operation === 'read' || operation === 'list') throw VaultError.notFound();
    return { ...emptyEnvelope(requestId, mountType), status: 204 };
  }
  if (operation === 'list') {
    const keys = result.data?.keys;
    if (Array.isArray(keys) && keys.length === 0) throw VaultError.notFound();
  }
  const response: Response = {
    requestId,
    status: result.status ?? 200,
    data: result.data ?? null,
    leaseId: '',
    renewable: false,
    leaseDurationSec: result.leaseDurationSec ?? 0,
    auth: result.auth ?? null,
    wrapInfo: null,
    warnings: result.warnings?.length ? result.warnings : null,
    mountType,
  };
  if (result.injectData) response.injectData = true;
  return response;
}
