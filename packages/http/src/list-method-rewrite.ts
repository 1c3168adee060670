// Lets a node:http or node:https server accept Vault's `LIST` method, which Node's parser
// (llhttp) answers with 400 before any handler runs; hvac, node-vault and Vault's Go client
// all send it (DESIGN.md §2). Vault treats `LIST /v1/x` exactly like `GET /v1/x?list=true`.
import type * as http from 'node:http';
import type * as https from 'node:https';
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { attachHttp, nodeHttpConnectionListener, takeOverRefusedList, takeoverSupported } from './list-connection-takeover.js';
import { ListRewriteSocket } from './list-rewrite-socket.js';

/** Marks the connection listener installed here, so a second call is a no-op. */
const kListAware = Symbol('coffer.listAware');

/**
 * How LIST reaches the handler: `takeover` leaves each connection to node:http until its parser
 * refuses a LIST, `front` puts a ListRewriteSocket before every connection from the start.
 */
export type ListAcceptance = 'takeover' | 'front';

/**
 * Makes `server` accept `LIST` requests: each reaches the `'request'` handler as a `GET` whose
 * URL carries `list=true` (`/v1/a` -> `/v1/a?list=true`, `/v1/a?x=1` -> `/v1/a?x=1&list=true`).
 *
 * A connection is node:http's own until its first LIST; from there on it is fronted by a stream
 * that rewrites LIST request lines and keeps HTTP/1.1 framing (keep-alive, pipelining,
 * Content-Length and chunked bodies) intact, and `req.socket` is that stream, which forwards the
 * address, timeout and TLS properties of the real socket. A refused LIST never reaches the
 * server's 'clientError' listeners. On a Node whose node:http cannot let go of a connection,
 * every connection is fronted from the start.
 *
 * Where a taken-over connection differs from one node:http reads itself: requests pipelined
 * after the LIST are read once those before it are answered (so they start later, and a parse
 * error among them is answered after those answers rather than instead of them); it counts
 * requests against `maxRequestsPerSocket` afresh from its LIST; a client that half-closes it
 * while requests are pipelined may get more or fewer of their answers (node:http's own outcome
 * there depends on whether backpressure had paused its reading); and a method that only ends in
 * LIST (`UNLIST`) is answered as LIST unless it opens the connection (see
 * list-connection-takeover.ts).
 *
 * Call it once, before `listen()`; calling it again does nothing. Throws a TypeError when the
 * server has no node:http connection listener.
 */
export function acceptListMethod(server: http.Server | https.Server): void {
  installListAcceptance(server, takeoverSupported() ? 'takeover' : 'front');
}

/** `acceptListMethod` with the way chosen: tests run both. */
export function installListAcceptance(server: http.Server | https.Server, acceptance: ListAcceptance): void {
  // https.Server is a tls.Server: node:http's listener runs on the decrypted socket.
  const event = server instanceof tls.Server ? 'secureConnection' : 'connection';
  const listeners = server.rawListeners(event);
  if (listeners.some((listener) => kListAware in listener)) return;
  const httpListener = nodeHttpConnectionListener();
  if (!httpListener || !listeners.includes(httpListener)) {
    throw new TypeError('acceptListMethod: the server has no node:http connection listener (is it a node:http or node:https server?)');
  }
  const connection =
    acceptance === 'takeover'
      ? function listAwareConnection(this: http.Server | https.Server, socket: net.Socket): void {
          attachHttp(httpListener.bind(this), socket);
        }
      : function listFrontedConnection(this: http.Server | https.Server, socket: net.Socket): void {
          Reflect.apply(httpListener, this, [new ListRewriteSocket(socket)]);
        };
  server.removeListener(event, httpListener);
  // node:http registers its listener in the constructor, before any of the user's: keep it first.
  server.prependListener(event, Object.assign(connection, { [kListAware]: true }));
  if (acceptance === 'takeover') {
    const waiting = new Set<net.Socket>();
    // node:http reports the refusal as 'clientError'; a taken-over LIST is not an error to anyone.
    const emit = server.emit;
    server.emit = function emitUnlessListTakenOver(this: http.Server, name: string | symbol, ...args: unknown[]): boolean {
      if (name === 'clientError' && takeOverRefusedList(this, httpListener, waiting, args[0] as Error, args[1] as net.Socket)) return true;
      return Reflect.apply(emit, this, [name, ...args]) as boolean;
    } as typeof server.emit;
    // A connection between its parsers is in no list of node:http's.
    const closeAllConnections = server.closeAllConnections;
    server.closeAllConnections = function closeAllConnectionsAndWaiting(this: http.Server): void {
      Reflect.apply(closeAllConnections, this, []);
      for (const socket of waiting) socket.destroy();
    };
  }
}
