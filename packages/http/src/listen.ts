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
  tls?: ListenTlsOptions;
}

export type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface ListenTlsOptions {
  cert: string | Uint8Array;
  key: string | Uint8Array;
  /** Defaults to TLSv1.2, as Vault's listener does. */
  minVersion?: TlsVersionName;
  maxVersion?: TlsVersionName;
  /** PEM CA bundle that client certificates are checked against. */
  clientCa?: string | Uint8Array;
  /** Refuse the handshake without a client certificate that `clientCa` verifies (`tls_require_and_verify_client_cert`). */
  requireClientCert?: boolean;
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
  let active = 0;
  /** Once closing, nothing but in-flight requests may hold a connection: not idle keep-alives, not half-sent requests. */
  const dropConnectionsIfDone = () => {
    if (closing && active === 0) server.closeAllConnections();
  };
  const handler: typeof serve = (req, res) => {
    active++;
    // During a graceful close, a keep-alive connection is closed as soon as its response is out.
    if (closing) res.setHeader('connection', 'close');
    res.once('close', () => {
      active--;
      if (closing) setImmediate(dropConnectionsIfDone);
    });
    serve(req, res);
  };
  const tls = options.tls;
  const server: Server = tls
    ? createHttpsServer(
        {
          cert: Buffer.from(tls.cert),
          key: Buffer.from(tls.key),
          minVersion: tls.minVersion ?? 'TLSv1.2',
          ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}),
          ...(tls.clientCa ? { ca: Buffer.from(tls.clientCa), requestCert: true, rejectUnauthorized: tls.requireClientCert ?? false } : {}),
          ...(tls.requireClientCert && !tls.clientCa ? { requestCert: true, rejectUnauthorized: true } : {}),
        },
        handler,
      )
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
  const scheme = tls ? 'https' : 'http';
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // Requests being answered finish; every other connection (idle keep-alive, a client that
      // connected and sent nothing or half a request) would hold close() open for ever.
      server.closeIdleConnections();
      setImmediate(dropConnectionsIfDone);
    }));
  return {
    address: { host: bound.address, port: bound.port, url: `${scheme}://${urlHost(host)}:${bound.port}` },
    close,
    [Symbol.asyncDispose]: close,
  };
}
