// Lets a node:http or node:https server accept Vault's `LIST` method, which Node's parser
// (llhttp) answers with 400 before any handler runs; hvac, node-vault and Vault's Go client
// all send it (DESIGN.md §2). Vault treats `LIST /v1/x` exactly like `GET /v1/x?list=true`.
import * as http from 'node:http';
import type * as https from 'node:https';
import type * as net from 'node:net';
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { RequestFramer } from './request-framer.js';

/** Marks the connection listener installed here, so a second call is a no-op. */
const kListAware = Symbol('coffer.listAware');

/**
 * Makes `server` accept `LIST` requests: each reaches the `'request'` handler as a `GET` whose
 * URL carries `list=true` (`/v1/a` -> `/v1/a?list=true`, `/v1/a?x=1` -> `/v1/a?x=1&list=true`).
 *
 * Each connection is fronted by a stream that rewrites LIST request lines and keeps HTTP/1.1
 * framing (keep-alive, pipelining, Content-Length and chunked bodies) intact; `req.socket` is
 * that stream, which forwards the address, timeout and TLS properties of the real socket.
 * Call it once, before `listen()`; calling it again does nothing. Throws a TypeError when the
 * server has no node:http connection listener to front.
 */
export function acceptListMethod(server: http.Server | https.Server): void {
  // https.Server is a tls.Server: node:http's listener runs on the decrypted socket.
  const event = server instanceof tls.Server ? 'secureConnection' : 'connection';
  const listeners = server.rawListeners(event);
  if (listeners.some((listener) => kListAware in listener)) return;
  // The function node:http registers on every server it constructs: one made here is found by identity.
  const httpListener = new http.Server().listeners('connection')[0];
  if (!httpListener || !listeners.includes(httpListener)) {
    throw new TypeError('acceptListMethod: the server has no node:http connection listener (is it a node:http or node:https server?)');
  }
  const listAware = Object.assign(
    function listAwareConnection(this: http.Server | https.Server, socket: net.Socket): void {
      Reflect.apply(httpListener, this, [new ListRewriteSocket(socket)]);
    },
    { [kListAware]: true },
  );
  server.removeListener(event, httpListener as (...args: unknown[]) => void);
  // node:http registers its listener in the constructor, before any of the user's: keep it first.
  server.prependListener(event, listAware);
}

type WriteCallback = (error?: Error | null) => void;

/**
 * What node:http reads from and writes to instead of the real socket: reads are the
 * connection's bytes through a RequestFramer, writes go straight to the real socket.
 *
 * node:http needs from its socket (Node 20 `_http_server.js`): a Duplex with cork/uncork,
 * writable/readable state, `destroy`, `end` (and `destroySoon`, which it prefers), 'timeout'
 * events with `setTimeout`, and `remoteAddress` for the request. Without a `_handle` it reads
 * through 'data' events instead of consuming the handle natively, which is the price of the
 * rewrite. Backpressure runs both ways: a full readable buffer pauses the real socket until
 * node:http reads again, and a write the real socket cannot take holds the write callback until
 * its 'drain', so `res.write()` returns false as it would on the real socket.
 */
class ListRewriteSocket extends Duplex {
  readonly #socket: net.Socket;
  readonly #framer = new RequestFramer();
  #sourcePaused = false;

  constructor(socket: net.Socket) {
    super({
      allowHalfOpen: socket.allowHalfOpen,
      decodeStrings: false,
      readableHighWaterMark: socket.readableHighWaterMark,
      writableHighWaterMark: socket.writableHighWaterMark,
    });
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => {
      for (const piece of this.#framer.end()) this.push(piece);
      this.push(null);
    });
    socket.on('timeout', () => this.emit('timeout'));
    socket.on('error', (error: Error) => this.destroy(error));
    socket.on('close', () => this.destroy());
  }

  #onData(chunk: Buffer): void {
    let more = true;
    for (const piece of this.#framer.write(chunk)) more = this.push(piece);
    if (!more && !this.#sourcePaused) {
      this.#sourcePaused = true;
      this.#socket.pause();
    }
  }

  override _read(): void {
    if (this.#sourcePaused) {
      this.#sourcePaused = false;
      this.#socket.resume();
    }
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: WriteCallback): void {
    if (this.#socket.write(chunk, encoding)) callback();
    else this.#socket.once('drain', () => callback());
  }

  override _writev(chunks: { chunk: Buffer | string; encoding: BufferEncoding }[], callback: WriteCallback): void {
    // node:http corks around a response's head and body: keep them one write on the wire.
    const socket = this.#socket;
    let more = true;
    socket.cork();
    for (const { chunk, encoding } of chunks) more = socket.write(chunk, encoding);
    socket.uncork();
    if (more) callback();
    else socket.once('drain', () => callback());
  }

  override _final(callback: WriteCallback): void {
    // 'finish' must wait until the real socket has flushed: destroySoon() destroys right after it.
    if (this.#socket.writableFinished) callback();
    else this.#socket.end(() => callback());
  }

  override _destroy(error: Error | null, callback: WriteCallback): void {
    // The error belongs to the HTTP layer (a parse error, a timeout): the real socket just closes.
    if (!this.#socket.destroyed) this.#socket.destroy();
    callback(error);
  }

  /** net.Socket's: end, then destroy once everything is flushed. node:http uses it after `Connection: close`. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** The real socket's idle timer (reset by its own reads and writes); 'timeout' is re-emitted here. */
  setTimeout(timeoutMs: number, callback?: () => void): this {
    this.#socket.setTimeout(timeoutMs);
    if (callback) {
      if (timeoutMs === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    this.#socket.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelayMs?: number): this {
    this.#socket.setKeepAlive(enable, initialDelayMs);
    return this;
  }

  ref(): this {
    this.#socket.ref();
    return this;
  }

  unref(): this {
    this.#socket.unref();
    return this;
  }

  address(): ReturnType<net.Socket['address']> {
    return this.#socket.address();
  }

  get remoteAddress(): string | undefined {
    return this.#socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#socket.remotePort;
  }

  get remoteFamily(): string | undefined {
    return this.#socket.remoteFamily;
  }

  get localAddress(): string | undefined {
    return this.#socket.localAddress;
  }

  get localPort(): number | undefined {
    return this.#socket.localPort;
  }

  get localFamily(): string | undefined {
    return this.#socket.localFamily;
  }

  get bytesRead(): number {
    return this.#socket.bytesRead;
  }

  get bytesWritten(): number {
    return this.#socket.bytesWritten;
  }

  get connecting(): boolean {
    return this.#socket.connecting;
  }

  // TLS: what frameworks read to tell https apart and to authenticate client certificates.

  get encrypted(): true | undefined {
    return this.#tls?.encrypted;
  }

  get authorized(): boolean | undefined {
    return this.#tls?.authorized;
  }

  get authorizationError(): Error | undefined {
    return this.#tls?.authorizationError;
  }

  get alpnProtocol(): string | false | null | undefined {
    return this.#tls?.alpnProtocol;
  }

  getPeerCertificate(detailed?: boolean): tls.PeerCertificate | tls.DetailedPeerCertificate | undefined {
    return this.#tls?.getPeerCertificate(detailed);
  }

  getCipher(): tls.CipherNameAndProtocol | undefined {
    return this.#tls?.getCipher();
  }

  getProtocol(): string | null | undefined {
    return this.#tls?.getProtocol();
  }

  get #tls(): tls.TLSSocket | undefined {
    return this.#socket instanceof tls.TLSSocket ? this.#socket : undefined;
  }
}
