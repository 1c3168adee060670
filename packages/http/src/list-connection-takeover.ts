// Takes a connection away from node:http's parser when it refuses a `LIST` request, and hands
// the rest of the connection to node:http again through a ListRewriteSocket. Until then the
// connection is node:http's own, read natively: a front on every connection costs a quarter of
// a request's CPU (docs/benchmarks.md, "Reading H1–H4"), and most requests are not LIST.
//
// node:http has no public way to release a connection from its parser, so this leans on what
// its own Upgrade path does (Node 20 `_http_server.js`): `socket.parser` (whose `unconsume()`
// stops it reading the socket natively), the listeners its connection listener added, and
// `_http_common.freeParser`, which returns the parser to node:http's pool and takes it out of
// the server's list of connections. `takeoverSupported()` checks that those are there; where
// they are not, every connection is fronted from the start.
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
/** node:http's error listener takes itself off at the refusal; it reports errors again until the front starts. */
const ERROR_EVENTS = ['error'] as const;
const SOCKET_EVENTS = [...READING_EVENTS, ...RESPONDING_EVENTS, ...ERROR_EVENTS];
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

/** The function node:http registers on every server it constructs: found by identity on one made here. */
export function nodeHttpConnectionListener(server = new http.Server()): ((socket: net.Socket) => void) | undefined {
  return server.listeners('connection')[0] as ((socket: net.Socket) => void) | undefined;
}

let supported: boolean | undefined;

/**
 * Whether this Node offers what a takeover needs: node:http's parser release, and a parser on
 * the socket its connection listener sets up, tried once on a socket that never connects.
 */
export function takeoverSupported(): boolean {
  if (supported === undefined) {
    const server = new http.Server();
    const httpListener = nodeHttpConnectionListener(server);
    const probe = new net.Socket();
    try {
      supported = nodeFreeParser() !== undefined && httpListener !== undefined && attachHttp(httpListener.bind(server), probe);
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
/** The one other method llhttp refuses at that same byte: `UNLI` could still have become UNLINK. */
const UNLINK_PREFIX = 'UN';

/**
 * The refused request's bytes from its first one on, when llhttp refused a request line that
 * starts `LIST `; undefined for anything else, which node:http answers as it always does.
 *
 * llhttp refuses `LIST` and `UNLIST` at the same `S`, and the bytes before the `LI` may be the
 * end of a body (`Content-Length: 2` and `UN`, then `LIST`) as well as a method's start: the
 * two cannot be told apart without framing the connection, which is what the takeover avoids.
 * A legitimate LIST must never be refused, so only an `UN` that opens the connection's first
 * read, where no body can come before it, keeps the refusal. The bytes llhttp accepted may have
 * arrived in the read before (`rawPacket` is only the current one): then the missing ones are
 * put back. So garbage such as `UNLIST` later in a connection is answered as a LIST, which the
 * request's token and policy then judge like any other.
 */
function refusedListRequest(error: ParseError, firstRead: boolean): Buffer | undefined {
  const raw = error.rawPacket;
  const at = error.bytesParsed;
  if (error.code !== 'HPE_INVALID_METHOD' || !Buffer.isBuffer(raw) || typeof at !== 'number' || at < 0 || at > raw.length) return undefined;
  const inThisRead = Math.min(at, ACCEPTED_PREFIX.length);
  const start = at - inThisRead;
  if (firstRead && start === UNLINK_PREFIX.length && raw.toString('latin1', 0, start) === UNLINK_PREFIX) return undefined;
  const request = Buffer.concat([Buffer.from(ACCEPTED_PREFIX.slice(0, ACCEPTED_PREFIX.length - inThisRead), 'latin1'), raw.subarray(start)]);
  const known = Math.min(request.length, LIST_SP.length);
  // The read may end before `LIST ` is complete; the front then waits for the rest as usual.
  if (known <= ACCEPTED_PREFIX.length || request.toString('latin1', 0, known) !== LIST_SP.slice(0, known)) return undefined;
  return request;
}

/**
 * Handles a parse error on a connection node:http reads: when it refused a LIST request, the
 * connection is taken over and true returned, so nobody else answers the error. The requests
 * before the LIST keep their responses: the front starts once the last of them is finished.
 *
 * Meanwhile the connection is in `waiting`, not in the server's own list: that list would time
 * the LIST out as a request whose headers never came, however long the requests before it take
 * to answer, which node:http never does to a request it has read whole. The caller ends the
 * waiting connections on `closeAllConnections()`.
 */
export function takeOverRefusedList(
  server: object,
  httpListener: (socket: net.Socket) => void,
  waiting: Set<net.Socket>,
  error: ParseError,
  socket: net.Socket,
): boolean {
  const tracked = socket as TrackedSocket;
  const listeners = tracked[kHttpListeners];
  const parser = tracked.parser;
  const release = nodeFreeParser();
  if (!listeners || !parser || !release) return false;
  const request = refusedListRequest(error, socket.bytesRead === error.rawPacket?.length);
  if (!request) return false;
  const removeListeners = (events: readonly string[]): void => {
    for (const event of events) for (const fn of listeners.get(event) ?? []) socket.removeListener(event, fn);
  };
  // From here on the socket is read through its stream. node:http may have stopped its handle
  // (backpressure); its own 'resume' listener restarts it, which the stream's resume() cannot
  // do while the parser has been reading in its place.
  tracked._paused = false;
  for (const onResume of listeners.get('resume') ?? []) onResume.call(socket);
  const reading = parser as HttpParser & { _consumed?: boolean };
  if (reading._consumed) {
    reading._consumed = false;
    parser.unconsume();
  }
  // Out of the server's list; the parser itself goes back to the pool only once the front has
  // its own, as its read is still on the stack.
  parser.remove();
  waiting.add(socket);
  socket.once('close', () => waiting.delete(socket));
  removeListeners(READING_EVENTS);
  const reportErrors = listeners.get('error') ?? [];
  for (const fn of reportErrors) if (!socket.listeners('error').includes(fn)) socket.on('error', fn);
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
  // The client's end waits with the bytes: the front hears of it when it starts, after the
  // answers before the LIST are out. (node:http reads an end as soon as it can, and then
  // answers what it had read or not, depending on whether backpressure had paused its reading.)
  socket.on('data', hold);
  socket.resume();
  const start = (): void => {
    waiting.delete(socket);
    socket.removeListener('data', hold);
    removeListeners(RESPONDING_EVENTS);
    removeListeners(ERROR_EVENTS);
    if (!socket.destroyed && socket.writable) {
      // The keep-alive timer node:http set after the last response belongs to the old parser.
      socket.setTimeout(0);
      // Resumed first: the front pauses the socket again if what it was handed fills it.
      socket.resume();
      // The front's connection takes a parser from node:http's pool before the old one goes back.
      Reflect.apply(httpListener, server, [new ListRewriteSocket(socket, Buffer.concat(arrived))]);
    } else {
      socket.destroy();
    }
    // Closing the socket may have released the old parser already (node:http's 'close' listener).
    if (tracked.parser === parser) release(parser, null, socket);
  };
  afterResponses(tracked, start);
  return true;
}

/** Calls `then` once no response of the old parser holds the socket (each finished hands it to the next), or the socket is gone. */
function afterResponses(socket: TrackedSocket, then: () => void): void {
  const current = socket._httpMessage;
  if (!current || socket.destroyed) {
    then();
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
