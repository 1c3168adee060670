// Takes a connection away from node:http's parser when it refuses a `LIST` request, and hands
// the rest of the connection to node:http again through a ListRewriteSocket. Until then the
// connection is node:http's own, read natively: a front on every connection costs a quarter of
// a request's CPU (docs/benchmarks.md, "Reading H1–H4"), and most requests are not LIST.
//
// node:http has no public way to release a connection from its parser, so this leans on what
// its own Upgrade path does (Node 20 `_http_server.js`): `socket.parser`, the listeners its
// connection listener added, and `_http_common.freeParser`, which stops the parser consuming
// the socket and takes it out of the server's header-timeout sweep. `takeoverSupported()`
// checks that those are there; where they are not, every connection is fronted from the start.
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import { ListRewriteSocket } from './list-rewrite-socket.js';

interface HttpParser {
  unconsume(): void;
  remove(): void;
}

type FreeParser = (parser: HttpParser, req: null, socket: net.Socket) => void;

/**
 * Events whose node:http listeners are recorded at connection, so a takeover removes exactly
 * those. The reading ones go at once: they drive the old parser. 'drain' and 'timeout' serve the
 * responses still going out to requests before the LIST, so they go when the front starts.
 * 'close' stays: it aborts the old parser's requests if the connection dies first.
 */
const READING_EVENTS = ['data', 'end', 'pause', 'resume'] as const;
const RESPONDING_EVENTS = ['drain', 'timeout'] as const;
const SOCKET_EVENTS = [...READING_EVENTS, ...RESPONDING_EVENTS];
/** Methods node:http overrides on the socket while its parser owns it. */
const OVERRIDDEN_METHODS = ['on', 'addListener', 'prependListener', 'setEncoding'] as const;

const kHttpListeners = Symbol('coffer.httpListeners');

type TrackedSocket = net.Socket & {
  parser?: HttpParser | null;
  /** node:http's own "paused for backpressure" flag; its drain handler resumes the socket when set. */
  _paused?: boolean;
  _httpMessage?: NodeJS.EventEmitter | null;
  [kHttpListeners]?: Map<string, ((...args: unknown[]) => void)[]>;
};

let freeParser: FreeParser | undefined | null = null;

/** node:http's internal parser release, or undefined on a Node that does not have it. */
function nodeFreeParser(): FreeParser | undefined {
  if (freeParser === null) {
    try {
      const common = createRequire(import.meta.url)('_http_common') as { freeParser?: unknown };
      freeParser = typeof common.freeParser === 'function' ? (common.freeParser as FreeParser) : undefined;
    } catch {
      freeParser = undefined;
    }
  }
  return freeParser;
}

let supported: boolean | undefined;

/**
 * Whether this Node offers what a takeover needs: node:http's parser release, and a parser on
 * the socket its connection listener sets up, tried once on a socket that never connects.
 */
export function takeoverSupported(): boolean {
  if (supported === undefined) {
    const httpListener = new http.Server().listeners('connection')[0] as ((socket: net.Socket) => void) | undefined;
    const probe = new net.Socket();
    try {
      supported = nodeFreeParser() !== undefined && httpListener !== undefined && attachHttp(httpListener.bind(new http.Server()), probe);
    } catch {
      supported = false;
    } finally {
      probe.destroy();
    }
  }
  return supported;
}

/**
 * Runs node:http's connection listener on `socket` and records what it attached, for a later
 * takeover. False when the socket did not come out as expected (no parser that can let go of
 * it): the caller should not count on a takeover for it.
 */
export function attachHttp(httpListener: (socket: net.Socket) => void, socket: net.Socket): boolean {
  const before = new Map(SOCKET_EVENTS.map((event) => [event, new Set(socket.listeners(event))]));
  httpListener(socket);
  const tracked = socket as TrackedSocket;
  const parser = tracked.parser;
  if (!parser || typeof parser.unconsume !== 'function' || typeof parser.remove !== 'function') return false;
  tracked[kHttpListeners] = new Map(SOCKET_EVENTS.map((event) => [event, socket.listeners(event).filter((fn) => !before.get(event)!.has(fn)) as ((...args: unknown[]) => void)[]]));
  return true;
}

interface ParseError extends Error {
  code?: string;
  bytesParsed?: number;
  rawPacket?: Buffer;
}

const LIST_SP = 'LIST ';
/** llhttp refuses LIST at its `S`: `LI` could still have become LINK. */
const ACCEPTED_PREFIX = 'LI';

/**
 * The refused request's bytes from its first one on, when llhttp refused a request line that
 * starts `LIST `; undefined for anything else, which node:http answers as it always does.
 *
 * The two bytes llhttp accepted may have arrived in the read before (`rawPacket` is only the
 * current one): then the missing ones are put back. Only `LI` can precede the refusal at this
 * position for a LIST, so a garbage method whose tail spells `ST ` in a separate read would be
 * taken for LIST too, and answered as one.
 */
function refusedListRequest(error: ParseError): Buffer | undefined {
  const raw = error.rawPacket;
  const at = error.bytesParsed;
  if (error.code !== 'HPE_INVALID_METHOD' || !Buffer.isBuffer(raw) || typeof at !== 'number' || at < 0 || at > raw.length) return undefined;
  const inThisRead = Math.min(at, ACCEPTED_PREFIX.length);
  const request = Buffer.concat([Buffer.from(ACCEPTED_PREFIX.slice(0, ACCEPTED_PREFIX.length - inThisRead), 'latin1'), raw.subarray(at - inThisRead)]);
  const known = Math.min(request.length, LIST_SP.length);
  // The read may end before `LIST ` is complete; the front then waits for the rest as usual.
  if (known <= ACCEPTED_PREFIX.length || request.toString('latin1', 0, known) !== LIST_SP.slice(0, known)) return undefined;
  return request;
}

/**
 * Handles a parse error on a connection node:http reads: when it refused a LIST request, the
 * connection is taken over and true returned, so nobody else answers the error. The requests
 * before the LIST keep their responses: the front starts once the last of them is finished.
 */
export function takeOverRefusedList(server: object, httpListener: (socket: net.Socket) => void, error: ParseError, socket: net.Socket): boolean {
  const tracked = socket as TrackedSocket;
  const listeners = tracked[kHttpListeners];
  const parser = tracked.parser;
  const release = nodeFreeParser();
  if (!listeners || !parser || !release) return false;
  const request = refusedListRequest(error);
  if (!request) return false;
  // From here on the socket is read through its stream. Paused (for backpressure), its handle is
  // stopped, and only node:http's own 'resume' listener, still attached, can start it again.
  tracked._paused = false;
  if (socket.isPaused()) socket.resume();
  release(parser, null, socket);
  const removeListeners = (events: readonly string[]): void => {
    for (const event of events) for (const fn of listeners.get(event) ?? []) socket.removeListener(event, fn);
  };
  removeListeners(READING_EVENTS);
  for (const method of OVERRIDDEN_METHODS) delete (socket as unknown as Record<string, unknown>)[method];
  delete tracked[kHttpListeners];
  // Until the front starts, what arrives is kept for it. The socket keeps being read (the old
  // requests' streams may resume it any time), but not much beyond one buffer's worth.
  const arrived: Buffer[] = [request];
  let held = 0;
  const hold = (chunk: Buffer): void => {
    arrived.push(chunk);
    held += chunk.length;
    if (held >= socket.readableHighWaterMark) socket.pause();
  };
  socket.on('data', hold);
  const start = (): void => {
    socket.removeListener('data', hold);
    removeListeners(RESPONDING_EVENTS);
    if (socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    // The keep-alive timer node:http set after the last response belongs to the old parser.
    socket.setTimeout(0);
    Reflect.apply(httpListener, server, [new ListRewriteSocket(socket, Buffer.concat(arrived))]);
    socket.resume();
  };
  afterResponses(tracked, start);
  return true;
}

/**
 * Calls `then` once no response of the old parser holds the socket (each finished hands it to
 * the next), and never before the old parser's read has returned: the released parser goes
 * back to node:http's pool, and the front's connection would be handed that same parser.
 */
function afterResponses(socket: TrackedSocket, then: () => void): void {
  const current = socket._httpMessage;
  if (!current) {
    setImmediate(then);
    return;
  }
  const next = (): void => {
    current.removeListener('finish', next);
    current.removeListener('close', next);
    afterResponses(socket, then);
  };
  current.once('finish', next);
  current.once('close', next);
}
