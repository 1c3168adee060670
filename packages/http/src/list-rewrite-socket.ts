// The stream node:http reads from and writes to in place of a connection's socket, so that
// Vault's `LIST` reaches it as `GET …?list=true` (see list-method-rewrite.ts).
import type * as net from 'node:net';
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { RequestFramer } from './request-framer.js';

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
export class ListRewriteSocket extends Duplex {
  readonly #socket: net.Socket;
  readonly #framer = new RequestFramer();
  #sourcePaused = false;

  /** `received`: bytes already read from `socket` that belong to this stream, first of all. */
  constructor(socket: net.Socket, received?: Uint8Array) {
    super({
      allowHalfOpen: socket.allowHalfOpen,
      decodeStrings: false,
      readableHighWaterMark: socket.readableHighWaterMark,
      writableHighWaterMark: socket.writableHighWaterMark,
    });
    this.#socket = socket;
    if (received) this.#onData(received);
    // The socket may have ended while someone else read it (a connection taken over late).
    if (socket.readableEnded) this.#onEnd();
    else socket.on('end', () => this.#onEnd());
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('timeout', () => this.emit('timeout'));
    socket.on('error', (error: Error) => this.destroy(error));
    socket.on('close', () => this.destroy());
  }

  #onData(chunk: Uint8Array): void {
    let more = true;
    for (const piece of this.#framer.write(chunk)) more = this.push(piece);
    if (!more && !this.#sourcePaused) {
      this.#sourcePaused = true;
      this.#socket.pause();
    }
  }

  #onEnd(): void {
    for (const piece of this.#framer.end()) this.push(piece);
    this.push(null);
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
