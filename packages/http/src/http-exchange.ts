// The adapter's own view of one HTTP exchange, free of node:http and of fetch, so both front
// ends share one mapping (and the fast node path never builds fetch objects).

export interface HttpInput {
  /** Upper-case method as received (`GET`, `LIST`, ...). */
  method: string;
  /** The request target: path and query, e.g. `/v1/secret/data/app?version=2`. */
  url: string;
  /** Header names in lower case; repeated headers as arrays. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The whole body, already bounded by the body limit; empty when none was sent. */
  body: Uint8Array;
  remoteAddr?: string;
  remotePort?: number;
}

export interface HttpOutput {
  status: number;
  headers: Record<string, string>;
  /** Undefined for a bodiless answer (204, HEAD). */
  body: string | Uint8Array | undefined;
}

/** Vault's default maximum request body (`max_request_size`): 32 MiB. */
export const DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024;

export interface HttpHandlerOptions {
  /** Bodies above this many bytes are answered 413 (Vault's `max_request_size`, 32 MiB by default). */
  maxRequestBytes?: number;
}

/** A failure of the HTTP mapping itself, before the vault sees the request. */
export class HttpMappingError extends Error {
  constructor(
    readonly status: number,
    readonly errors: readonly string[],
  ) {
    super(errors.join('; ') || `HTTP ${status}`);
  }
}
