// Vault request outcome -> HTTP (vault-api.md §2.13, §0): the envelope or a raw body, 204 for an
// empty success, `{"errors":[...]}` with Vault's status for a failure.
import { VaultError, type Response } from '@coffer/sdk';
import { HttpMappingError, type HttpOutput } from './http-exchange.js';

/** Every answer, success or failure (http/handler.go). */
function jsonHeaders(): Record<string, string> {
  return { 'cache-control': 'no-store', 'content-type': 'application/json' };
}

/** The envelope as Vault's logical.HTTPResponse lays it out, field order included. */
function envelope(response: Response): Record<string, unknown> {
  const body: Record<string, unknown> = {
    request_id: response.requestId,
    lease_id: response.leaseId,
    renewable: response.renewable,
    lease_duration: response.leaseDurationSec,
    data: response.data,
    wrap_info: response.wrapInfo,
    warnings: response.warnings,
    auth: response.auth,
    mount_type: response.mountType,
  };
  // Legacy sys routes repeat every data key at the top level; the envelope's own keys win.
  if (response.injectData && response.data) return { ...response.data, ...body };
  return body;
}

export function renderResponse(response: Response, head: boolean): HttpOutput {
  const headers = jsonHeaders();
  if (response.status === 204 || head) return { status: response.status, headers, body: undefined };
  const payload = response.raw !== undefined ? response.raw : envelope(response);
  return { status: response.status, headers, body: `${JSON.stringify(payload)}\n` };
}

/** `?help=1` (http/help.go handleHelp): Vault writes the help data itself, with no envelope. */
export function renderHelp(response: Response, head: boolean): HttpOutput {
  const headers = jsonHeaders();
  if (head) return { status: 200, headers, body: undefined };
  return { status: 200, headers, body: `${JSON.stringify(response.data ?? null)}\n` };
}

export function renderError(error: VaultError | HttpMappingError, head: boolean): HttpOutput {
  const headers = jsonHeaders();
  if (head) return { status: error.status, headers, body: undefined };
  const body: Record<string, unknown> = { errors: [...error.errors] };
  if (error instanceof VaultError && error.data !== undefined) body.data = error.data;
  return { status: error.status, headers, body: `${JSON.stringify(body)}\n` };
}

/** Anything else thrown is a 500 that names nothing internal beyond its message. */
export function renderFailure(error: unknown, head: boolean): HttpOutput {
  if (error instanceof HttpMappingError || error instanceof VaultError) return renderError(error, head);
  return renderError(VaultError.from(error), head);
}
