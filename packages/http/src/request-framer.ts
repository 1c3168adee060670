// Follows HTTP/1.1 request framing on one connection so that Vault's `LIST` method can reach
// node:http as `GET …?list=true`, which Vault treats identically (DESIGN.md §2).
//
// llhttp knows no `LIST` method and answers 400 before any handler runs. Rewriting the request
// line is only safe if we know where every request line starts, so this class tracks the same
// framing llhttp does (header block, Content-Length or chunked body, trailers, keep-alive and
// pipelining). Wherever its reading could differ from llhttp's (anything malformed or
// ambiguous, Upgrade, CONNECT, oversized heads) it stops interpreting and passes every later
// byte through unchanged, so llhttp sees the original bytes and answers as it always would.
// A rewrite can therefore never land inside a body.
import { concatBytes } from '@coffer/sdk';

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const QUESTION = 0x3f;
const AMPERSAND = 0x26;
const HASH = 0x23;

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** A request line starting with these five bytes is the one we rewrite. */
const LIST_SP = ascii('LIST ');
const GET_SP = ascii('GET ');
const LF_BYTES = ascii('\n');
const HTTP_1_0 = ascii('HTTP/1.0');
const HTTP_1_1 = ascii('HTTP/1.1');
const NEW_QUERY = ascii('?list=true');
const NEXT_PARAM = ascii('&list=true');
const BARE_PARAM = ascii('list=true');

/**
 * Past this many bytes in one header block (request line and headers), one chunk-size line or
 * one trailer block the connection is passed through; llhttp's own limit (16 KiB by default)
 * answers 431 long before.
 */
export const MAX_HEAD_BYTES = 64 * 1024;

/** RFC 9110 tchar: what a header name may be made of. */
const TOKEN = (() => {
  const table = new Uint8Array(256);
  for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") table[c.charCodeAt(0)] = 1;
  return table;
})();

type State =
  | 'start' // between requests: llhttp skips any CR and LF here
  | 'method' // the request line so far is a prefix of `LIST `: held back, not yet emitted
  | 'list-line' // rest of a LIST request line: held until its LF, then rewritten
  | 'request-line' // rest of any other request line: streamed through, checked at its LF
  | 'headers'
  | 'body' // Content-Length bytes left
  | 'chunk-size'
  | 'chunk-data'
  | 'chunk-data-cr' // the CRLF after chunk data
  | 'chunk-data-lf'
  | 'trailers'
  | 'pass'; // gave up interpreting: everything passes through

/**
 * Rewrites the inbound byte stream of one HTTP/1.x server connection: every request line
 * `LIST <target> HTTP/1.x` becomes `GET <target with list=true> HTTP/1.x`; all other bytes
 * pass through unchanged. Pure: bytes in, bytes out, no sockets, so it can be property-tested.
 *
 * Output pieces are subarrays of the input wherever possible (bodies are never copied or
 * scanned byte by byte). Only a request line that may still turn out to be `LIST` is held back:
 * a line that is not stops being held at its first byte that does not spell `LIST `.
 */
export class RequestFramer {
  #state: State = 'start';
  /** Bytes of the current line that arrived in earlier chunks (copies: the caller owns its chunks). */
  #carry: Uint8Array[] = [];
  #carryLength = 0;
  /** Bytes of the current header block, chunk-size line or trailer block seen so far. */
  #headBytes = 0;
  /** How many bytes of `LIST ` the current request line has matched. */
  #matched = 0;
  /** Body or chunk-data bytes still to pass. */
  #remaining = 0;
  #contentLength = -1;
  #chunked = false;

  /** True once the connection is passed through unchanged for the rest of its life. */
  get passingThrough(): boolean {
    return this.#state === 'pass';
  }

  /** Feeds the next bytes read from the connection; returns the bytes to hand to the HTTP parser, in order. */
  write(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.#state === 'pass') {
      if (chunk.length > 0) out.push(chunk);
      return out;
    }
    const n = chunk.length;
    let i = 0; // next byte to interpret
    let emitFrom = 0; // first byte of this chunk not yet emitted
    let lineStart = 0; // where the current line starts in this chunk (its earlier part is in #carry)
    while (i < n) {
      switch (this.#state) {
        case 'start': {
          const byte = chunk[i];
          if (byte === CR || byte === LF) {
            i++;
            break;
          }
          if (i > emitFrom) out.push(chunk.subarray(emitFrom, i));
          emitFrom = i;
          lineStart = i;
          this.#beginRequest();
          break;
        }
        case 'method': {
          if (chunk[i] === LIST_SP[this.#matched]) {
            i++;
            if (++this.#matched === LIST_SP.length) this.#state = 'list-line';
            break;
          }
          // Not LIST: release what was held (it came from earlier chunks, so emitFrom is 0
          // here) and stream the rest of the line. The carry stays: the line is checked at its end.
          out.push(...this.#carry);
          this.#state = 'request-line';
          break;
        }
        case 'list-line':
        case 'request-line':
        case 'headers':
        case 'trailers':
        case 'chunk-size': {
          const lf = chunk.indexOf(LF, i);
          if (lf === -1) {
            i = n;
            break;
          }
          const line = this.#takeLine(chunk, lineStart, lf);
          i = lf + 1;
          lineStart = i;
          this.#headBytes += line.length + 1;
          if (this.#headBytes > MAX_HEAD_BYTES) {
            if (this.#state === 'list-line') {
              out.push(line);
              emitFrom = lf;
            }
            this.#state = 'pass';
            break;
          }
          if (this.#state === 'list-line') {
            const rewritten = rewriteListLine(line);
            if (rewritten) {
              out.push(rewritten);
              emitFrom = i;
              this.#state = 'headers';
            } else {
              out.push(line);
              emitFrom = lf;
              this.#state = 'pass';
            }
          } else {
            this.#onLine(line);
          }
          break;
        }
        case 'body':
        case 'chunk-data': {
          const take = Math.min(this.#remaining, n - i);
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#state = this.#state === 'body' ? 'start' : 'chunk-data-cr';
          break;
        }
        case 'chunk-data-cr': {
          const byte = chunk[i++];
          if (byte === CR) this.#state = 'chunk-data-lf';
          else if (byte === LF) this.#beginChunkSize();
          else this.#state = 'pass';
          lineStart = i;
          break;
        }
        case 'chunk-data-lf': {
          if (chunk[i++] === LF) this.#beginChunkSize();
          else this.#state = 'pass';
          lineStart = i;
          break;
        }
        case 'pass':
          i = n;
          break;
      }
    }
    switch (this.#state) {
      case 'method':
      case 'list-line':
      case 'request-line':
      case 'headers':
      case 'trailers':
      case 'chunk-size': {
        const held = this.#state === 'method' || this.#state === 'list-line';
        if (this.#headBytes + this.#carryLength + (n - lineStart) > MAX_HEAD_BYTES) {
          if (held) out.push(...this.#carry);
          this.#clearCarry();
          this.#state = 'pass';
          break;
        }
        if (lineStart < n) this.#addCarry(chunk.subarray(lineStart, n));
        if (held) {
          if (lineStart > emitFrom) out.push(chunk.subarray(emitFrom, lineStart));
          return out;
        }
        break;
      }
      default:
        break;
    }
    if (n > emitFrom) out.push(chunk.subarray(emitFrom, n));
    return out;
  }

  /**
   * The connection's read side ended: returns whatever was still held back, unchanged, so the
   * HTTP parser sees the truncated request as it was sent.
   */
  end(): Uint8Array[] {
    const held = this.#state === 'method' || this.#state === 'list-line' ? this.#carry : [];
    this.#carry = [];
    this.#carryLength = 0;
    this.#state = 'pass';
    return held;
  }

  #beginRequest(): void {
    this.#state = 'method';
    this.#matched = 0;
    this.#headBytes = 0;
    this.#contentLength = -1;
    this.#chunked = false;
  }

  #beginChunkSize(): void {
    this.#state = 'chunk-size';
    this.#headBytes = 0;
  }

  /** A complete line of a header block, chunk-size line or trailer (LF stripped). */
  #onLine(line: Uint8Array): void {
    const end = contentEnd(line);
    if (end === -1) {
      this.#state = 'pass';
      return;
    }
    switch (this.#state) {
      case 'request-line':
        this.#state = isPlainRequestLine(line, end) ? 'headers' : 'pass';
        return;
      case 'headers':
        if (end === 0) this.#endOfHead();
        else this.#onHeader(line, end);
        return;
      case 'trailers':
        if (end === 0) this.#state = 'start';
        else if (headerNameEnd(line, end) === -1) this.#state = 'pass';
        return;
      case 'chunk-size': {
        const size = parseChunkSize(line, end);
        if (size === undefined) this.#state = 'pass';
        else if (size === 0) {
          this.#state = 'trailers';
          this.#headBytes = 0;
        } else {
          this.#state = 'chunk-data';
          this.#remaining = size;
        }
        return;
      }
      default:
        return;
    }
  }

  #onHeader(line: Uint8Array, end: number): void {
    const colon = headerNameEnd(line, end);
    if (colon === -1) {
      this.#state = 'pass';
      return;
    }
    // Only three names matter for framing; compare only when the length could match.
    if (colon !== 14 && colon !== 17 && colon !== 7) return;
    const name = latin1(line.subarray(0, colon)).toLowerCase();
    const value = latin1(trimOws(line.subarray(colon + 1, end)));
    if (name === 'content-length') {
      // Duplicates, or both framings at once, are where parsers disagree: leave them to llhttp.
      if (this.#contentLength !== -1 || this.#chunked || !/^[0-9]{1,15}$/.test(value)) this.#state = 'pass';
      else this.#contentLength = Number(value);
    } else if (name === 'transfer-encoding') {
      const codings = value.split(',').map((coding) => coding.replace(/^[ \t]+|[ \t]+$/g, '').toLowerCase());
      const chunkedLast = codings.at(-1) === 'chunked' && codings.indexOf('chunked') === codings.length - 1;
      if (this.#contentLength !== -1 || this.#chunked || !chunkedLast) this.#state = 'pass';
      else this.#chunked = true;
    } else if (name === 'upgrade') {
      // After an upgrade the connection speaks another protocol.
      this.#state = 'pass';
    }
  }

  #endOfHead(): void {
    if (this.#chunked) this.#beginChunkSize();
    else if (this.#contentLength > 0) {
      this.#state = 'body';
      this.#remaining = this.#contentLength;
    } else this.#state = 'start';
  }

  /** The current line: the carried part joined with chunk[from, lf). Clears the carry. */
  #takeLine(chunk: Uint8Array, from: number, lf: number): Uint8Array {
    const tail = chunk.subarray(from, lf);
    if (this.#carryLength === 0) return tail;
    const line = new Uint8Array(this.#carryLength + tail.length);
    let offset = 0;
    for (const part of this.#carry) {
      line.set(part, offset);
      offset += part.length;
    }
    line.set(tail, offset);
    this.#clearCarry();
    return line;
  }

  #addCarry(part: Uint8Array): void {
    this.#carry.push(part.slice());
    this.#carryLength += part.length;
  }

  #clearCarry(): void {
    this.#carry = [];
    this.#carryLength = 0;
  }
}

/**
 * Where a line's content ends: before a final CR (llhttp also accepts bare LF line ends).
 * -1 when a CR appears anywhere else, which llhttp rejects or reads differently.
 */
function contentEnd(line: Uint8Array): number {
  const cr = line.indexOf(CR);
  if (cr === -1) return line.length;
  return cr === line.length - 1 ? cr : -1;
}

/** The colon ending a valid header name, or -1 (empty name, non-token bytes, obs-fold, no colon). */
function headerNameEnd(line: Uint8Array, end: number): number {
  const colon = line.indexOf(COLON);
  if (colon <= 0 || colon >= end) return -1;
  for (let k = 0; k < colon; k++) if (TOKEN[line[k]!] !== 1) return -1;
  return colon;
}

/** `METHOD SP target SP HTTP/1.0|1.1`, and not a method after which the connection changes protocol. */
function isPlainRequestLine(line: Uint8Array, end: number): boolean {
  const parts = splitRequestLine(line, end);
  if (!parts) return false;
  const method = latin1(line.subarray(0, parts.methodEnd));
  return method !== 'CONNECT' && method !== 'PRI';
}

function splitRequestLine(line: Uint8Array, end: number): { methodEnd: number; targetEnd: number } | undefined {
  const methodEnd = line.indexOf(SP);
  if (methodEnd <= 0) return undefined;
  const targetEnd = line.indexOf(SP, methodEnd + 1);
  if (targetEnd === -1 || targetEnd === methodEnd + 1) return undefined;
  const version = line.subarray(targetEnd + 1, end);
  if (!equalBytes(version, HTTP_1_1) && !equalBytes(version, HTTP_1_0)) return undefined;
  return { methodEnd, targetEnd };
}

/**
 * `LIST <target> HTTP/1.x` as `GET <target'> HTTP/1.x` with `list=true` added to the query,
 * before any fragment, keeping the original line end; undefined when the line is malformed
 * (then llhttp answers 400 for the original line, as it would without us).
 */
function rewriteListLine(line: Uint8Array): Uint8Array | undefined {
  const end = contentEnd(line);
  if (end === -1) return undefined;
  const parts = splitRequestLine(line, end);
  if (!parts || parts.methodEnd !== LIST_SP.length - 1) return undefined;
  const target = line.subarray(parts.methodEnd + 1, parts.targetEnd);
  const hash = target.indexOf(HASH);
  const path = hash === -1 ? target : target.subarray(0, hash);
  const last = path[path.length - 1];
  const query = path.indexOf(QUESTION) === -1 ? NEW_QUERY : last === QUESTION || last === AMPERSAND ? BARE_PARAM : NEXT_PARAM;
  return concatBytes([GET_SP, path, query, target.subarray(path.length), line.subarray(parts.targetEnd), LF_BYTES]);
}

/** A chunk-size line: hex digits, then nothing or `;` extensions. Anything else is left to llhttp. */
function parseChunkSize(line: Uint8Array, end: number): number | undefined {
  let size = 0;
  let k = 0;
  for (; k < end; k++) {
    const digit = hexValue(line[k]!);
    if (digit === -1) break;
    size = size * 16 + digit;
  }
  if (k === 0 || k > 12) return undefined; // 12 hex digits stay exact in a double
  if (k < end && line[k] !== 0x3b) return undefined;
  return size;
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

function trimOws(bytes: Uint8Array): Uint8Array {
  let start = 0;
  let end = bytes.length;
  while (start < end && (bytes[start] === SP || bytes[start] === HT)) start++;
  while (end > start && (bytes[end - 1] === SP || bytes[end - 1] === HT)) end--;
  return bytes.subarray(start, end);
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

