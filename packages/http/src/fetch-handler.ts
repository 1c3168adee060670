// `createFetchHandler(vault)`: Web `Request` -> `Response`, for Hono, Bun, Deno, Cloudflare-style
// servers and anything else built on the fetch API.
import { DEFAULT_MAX_REQUEST_BYTES, type HttpHandlerOptions, type HttpOutput } from './http-exchange.js';
import { handleHttp, type VaultLike } from './handle-http.js';
import { checkDeclaredLength, collectBody } from './read-body.js';
import { renderFailure } from './render-response.js';

function toFetchResponse(output: HttpOutput): Response {
  return new Response(output.body ?? null, { status: output.status, headers: output.headers });
}

async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

export function createFetchHandler(vault: VaultLike, options: HttpHandlerOptions = {}): (request: Request) => Promise<Response> {
  const limit = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  return async (request) => {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    let body: Uint8Array;
    try {
      checkDeclaredLength(request.headers.get('content-length'), limit);
      body = request.body ? await collectBody(chunksOf(request.body), limit) : new Uint8Array(0);
    } catch (error) {
      return toFetchResponse(renderFailure(error, method === 'HEAD'));
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return toFetchResponse(await handleHttp(vault, { method, url: url.pathname + url.search, headers, body }));
  };
}
