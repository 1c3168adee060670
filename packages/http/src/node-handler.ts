// `createNodeHandler(vault)`: a node:http `(req, res)` listener, mountable in Express, Fastify
// (as a raw handler) or a bare http.createServer. Kept free of fetch objects: it is the hot path.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_MAX_REQUEST_BYTES, type HttpHandlerOptions, type HttpOutput } from './http-exchange.js';
import { handleHttp, type VaultLike } from './handle-http.js';
import { checkDeclaredLength, collectBody } from './read-body.js';
import { renderFailure } from './render-response.js';

const EMPTY: Uint8Array = new Uint8Array(0);

/** A request that may carry a body: a declared length, chunked framing, or a verb that sends one. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return req.headers['transfer-encoding'] !== undefined;
}

function send(res: ServerResponse, output: HttpOutput): void {
  res.writeHead(output.status, output.headers);
  res.end(output.body);
}

export function createNodeHandler(vault: VaultLike, options: HttpHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const limit = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    let body = EMPTY;
    if (hasBody(req)) {
      try {
        checkDeclaredLength(req.headers['content-length'], limit);
        body = await collectBody(req, limit);
      } catch (error) {
        // The rest of an oversized body is not worth reading: answer, then drop the connection.
        res.setHeader('connection', 'close');
        send(res, renderFailure(error, method === 'HEAD'));
        return;
      }
    }
    const output = await handleHttp(vault, {
      method,
      url: req.url ?? '/',
      headers: req.headers,
      body,
      ...(req.socket.remoteAddress !== undefined ? { remoteAddr: req.socket.remoteAddress } : {}),
      ...(req.socket.remotePort !== undefined ? { remotePort: req.socket.remotePort } : {}),
    });
    send(res, output);
  }
  return (req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, renderFailure(error, false));
      else res.destroy(error as Error);
    });
  };
}
