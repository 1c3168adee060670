// `listen(vault, { host, port, tls? })`: Vault's /v1 API on node:http or node:https, LIST included.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { HttpHandlerOptions } from './http-exchange.js';
import type { VaultLike } from './handle-http.js';
import { acceptListMethod } from './list-method-rewrite.js';
import { createNodeHandler } from './node-handler.js';

export interface ListenOptions extends HttpHandlerOptions {
  /** Defaults to 127.0.0.1, as `vault server -dev` does. */
  host?: string;
  /** Defaults to 8200; 0 picks a free port. */
  port?: number;
  /** PEM certificate (chain) and key: serve HTTPS. */
  tls?: { cert: string | Uint8Array; key: string | Uint8Array; minVersion?: 'TLSv1.2' | 'TLSv1.3' };
}

export interface HttpListener {
  /** Where the listener is bound, and the URL a client uses (VAULT_ADDR). */
  readonly address: { host: string; port: number; url: string };
  /** Stops accepting, lets in-flight requests finish, then closes every connection. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function listen(vault: VaultLike, options: ListenOptions = {}): Promise<HttpListener> {
  const host = options.host ?? '127.0.0.1';
  const serve = createNodeHandler(vault, options);
  let closing: Promise<void> | undefined;
  const handler: typeof serve = (req, res) => {
    // During a graceful close, a keep-alive connection is closed as soon as its response is out.
    if (closing) res.setHeader('connection', 'close');
    res.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    serve(req, res);
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: Buffer.from(options.tls.cert), key: Buffer.from(options.tls.key), minVersion: options.tls.minVersion ?? 'TLSv1.2' }, handler)
    : createHttpServer(handler);
  acceptListMethod(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8200, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // Idle keep-alive connections would hold close() open; busy ones end after their response.
      server.closeIdleConnections();
    }));
  return {
    address: { host: bound.address, port: bound.port, url: `${scheme}://${urlHost(host)}:${bound.port}` },
    close,
    [Symbol.asyncDispose]: close,
  };
}
