// The LIST rewrite keeps HTTP/1.1 request framing exactly, however the bytes are split (DESIGN.md §2).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_HEAD_BYTES, RequestFramer } from './request-framer.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const text = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1');
const join = (parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

/** Feeds `input` cut at `cuts` (any order, duplicates and out-of-range cuts allowed) and returns all output. */
function run(input: Uint8Array, cuts: number[] = []): Uint8Array {
  const framer = new RequestFramer();
  const points = [...new Set(cuts.map((cut) => cut % (input.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const point of [...points, input.length]) {
    out.push(...framer.write(input.subarray(from, point)));
    from = point;
  }
  out.push(...framer.end());
  return join(out);
}

/** The reference rewrite of a target, written independently of the framer. */
function listTarget(target: string): string {
  const hash = target.indexOf('#');
  const path = hash === -1 ? target : target.slice(0, hash);
  const fragment = hash === -1 ? '' : target.slice(hash);
  if (!path.includes('?')) return `${path}?list=true${fragment}`;
  if (path.endsWith('?') || path.endsWith('&')) return `${path}list=true${fragment}`;
  return `${path}&list=true${fragment}`;
}

interface Case {
  input: string;
  expected: string;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'LIST', 'PATCH'] as const;
const segment = fc.stringMatching(/^[a-z0-9_.-]{1,8}$/);
const target = fc
  .tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.option(fc.stringMatching(/^[a-z0-9=&%]{0,12}$/), { nil: undefined }), fc.option(segment, { nil: undefined }))
  .map(([segments, query, fragment]) => `/v1/${segments.join('/')}${query === undefined ? '' : `?${query}`}${fragment === undefined ? '' : `#${fragment}`}`);
/** Bodies full of what a careless framer would take for a request line or a line end. */
const bodyText = fc
  .array(fc.oneof(fc.constantFrom('LIST /v1/x HTTP/1.1\r\n', 'LIST /', '\r\n', '\n', '\r\n\r\n', '0\r\n\r\n', 'Content-Length: 9\r\n'), fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 24 })), { maxLength: 6 })
  .map((parts) => parts.join(''));
const extraHeader = fc.oneof(
  fc.constant('X-Note: LIST /v1/y HTTP/1.1'),
  fc.constant('Accept: */*'),
  fc.constant('X-Vault-Token: s.abc'),
  fc.constant('X-Empty:'),
  fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/), fc.stringMatching(/^[ -~]{0,20}$/)).map(([name, value]) => `${name}: ${value}`),
).filter((header) => !/^(content-length|transfer-encoding|upgrade):/i.test(header));
const body = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  bodyText.map((data) => ({ kind: 'length' as const, data })),
  fc.record({
    kind: fc.constant('chunked' as const),
    chunks: fc.array(bodyText.filter((data) => data.length > 0), { maxLength: 4 }),
    extension: fc.constantFrom('', ';name=value', ';a;b="q"'),
    trailers: fc.array(fc.constantFrom('X-Trailer: LIST /v1/z HTTP/1.1', 'Digest: sha=abc'), { maxLength: 2 }),
    upperHex: fc.boolean(),
  }),
);
const request = fc
  .record({
    leading: fc.constantFrom('', '', '\r\n', '\n', '\r\n\r\n'),
    method: fc.constantFrom(...METHODS),
    target,
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0'),
    eol: fc.constantFrom('\r\n', '\r\n', '\n'),
    headers: fc.array(extraHeader, { maxLength: 4 }),
    body,
  })
  .map((r): Case => {
    const line = (method: string, t: string) => `${method} ${t} ${r.version}${r.eol}`;
    let framing = '';
    let payload = '';
    if (r.body.kind === 'length') {
      framing = `Content-Length: ${r.body.data.length}${r.eol}`;
      payload = r.body.data;
    } else if (r.body.kind === 'chunked') {
      const { extension, upperHex } = r.body;
      framing = `Transfer-Encoding: chunked${r.eol}`;
      const size = (n: number) => (upperHex ? n.toString(16).toUpperCase() : n.toString(16));
      payload = r.body.chunks.map((data) => `${size(data.length)}${extension}\r\n${data}\r\n`).join('');
      payload += `0${extension}\r\n${r.body.trailers.map((t) => `${t}\r\n`).join('')}\r\n`;
    }
    const head = `Host: vault${r.eol}${r.headers.map((h) => `${h}${r.eol}`).join('')}${framing}${r.eol}`;
    const rewritten = r.method === 'LIST' ? line('GET', listTarget(r.target)) : line(r.method, r.target);
    return { input: r.leading + line(r.method, r.target) + head + payload, expected: r.leading + rewritten + head + payload };
  });
const cuts = fc.array(fc.nat(), { maxLength: 40 });

describe('RequestFramer', () => {
  it('rewrites exactly the LIST request lines of any pipelined sequence, however it is split', () => {
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 6 }), cuts, (requests, at) => {
        const input = bytes(requests.map((r) => r.input).join(''));
        expect(text(run(input, at))).toBe(requests.map((r) => r.expected).join(''));
      }),
      { numRuns: 1500 },
    );
  });

  it('hands every byte of a non-LIST stream on as soon as it arrives', () => {
    const nonList = request.filter((r) => !r.input.replace(/^[\r\n]+/, '').startsWith('LIST'));
    fc.assert(
      fc.property(fc.array(nonList, { minLength: 1, maxLength: 4 }), (requests) => {
        const input = bytes(requests.map((r) => r.input).join(''));
        const framer = new RequestFramer();
        let seen = 0;
        for (let k = 0; k < input.length; k++) {
          seen += framer.write(input.subarray(k, k + 1)).reduce((sum, piece) => sum + piece.length, 0);
          expect(seen).toBe(k + 1);
        }
        expect(framer.passingThrough).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same output for any split of arbitrary bytes, and never alters a stream without LIST', () => {
    const fragment = fc.oneof(
      fc.constantFrom('LIST ', 'LIS', 'GET ', 'POST ', '/v1/x', ' HTTP/1.1', ' HTTP/1.0', '\r\n', '\n', '\r', ':', ' ', 'Content-Length: 3', 'Transfer-Encoding: chunked', 'Upgrade: x', '0', '5', 'a;b', 'abc'),
      fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 40 }), cuts, (fragments, at) => {
        const input = bytes(fragments.join(''));
        const whole = text(run(input));
        expect(text(run(input, at))).toBe(whole);
        if (!fragments.join('').includes('LIST')) expect(whole).toBe(text(input));
      }),
      { numRuns: 2000 },
    );
  });

  it('adds list=true to the query, before any fragment', () => {
    const cases: [string, string][] = [
      ['/v1/a', '/v1/a?list=true'],
      ['/v1/a?x=1', '/v1/a?x=1&list=true'],
      ['/v1/a?', '/v1/a?list=true'],
      ['/v1/a?x=1&', '/v1/a?x=1&list=true'],
      ['/v1/a#frag', '/v1/a?list=true#frag'],
      ['/v1/a?x=%20#f?g', '/v1/a?x=%20&list=true#f?g'],
    ];
    for (const [from, to] of cases) {
      expect(text(run(bytes(`LIST ${from} HTTP/1.1\r\nHost: h\r\n\r\n`)))).toBe(`GET ${to} HTTP/1.1\r\nHost: h\r\n\r\n`);
    }
  });

  it('holds a request line only while it could still spell LIST', () => {
    const framer = new RequestFramer();
    expect(framer.write(bytes('\r\nLI'))).toEqual([bytes('\r\n')]);
    expect(text(join(framer.write(bytes('NK /a HTTP/1.1\r\n'))))).toBe('LINK /a HTTP/1.1\r\n');
    expect(framer.write(bytes('\r\nLIS'))).toEqual([bytes('\r\n')]);
    expect(framer.write(bytes('T /v1/'))).toEqual([]);
    expect(text(join(framer.write(bytes('b HTTP/1.1\r\n\r\nG'))))).toBe('GET /v1/b?list=true HTTP/1.1\r\n\r\nG');
  });

  it('returns held bytes unchanged when the connection ends', () => {
    const framer = new RequestFramer();
    expect(framer.write(bytes('LIST /v1/a HTT'))).toEqual([]);
    expect(text(join(framer.end()))).toBe('LIST /v1/a HTT');
  });

  it('passes body bytes through as views of the input, never copies', () => {
    const framer = new RequestFramer();
    framer.write(bytes('POST /v1/a HTTP/1.1\r\nContent-Length: 100000\r\n\r\n'));
    const chunk = new Uint8Array(100_000).fill(0x4c);
    const out = framer.write(chunk);
    expect(out).toHaveLength(1);
    expect(out[0]!.buffer).toBe(chunk.buffer);
    expect(text(join(framer.write(bytes('LIST /v1/b HTTP/1.1\r\n\r\n'))))).toBe('GET /v1/b?list=true HTTP/1.1\r\n\r\n');
  });

  describe('passes the rest of the connection through unchanged where framing is not certain', () => {
    const later = 'LIST /v1/later HTTP/1.1\r\n\r\n';
    const cases: [string, string][] = [
      ['an Upgrade request', 'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'],
      ['CONNECT', 'CONNECT vault:443 HTTP/1.1\r\nHost: vault:443\r\n\r\n'],
      ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
      ['HTTP/0.9', 'GET /\r\n'],
      ['a header line without a colon', 'GET / HTTP/1.1\r\nBad Header\r\n\r\n'],
      ['a space before the colon', 'POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\nLIST '],
      ['obs-fold', 'GET / HTTP/1.1\r\nX-A: b\r\n  c\r\n\r\n'],
      ['a lone CR', 'GET / HTTP/1.1\r\nX-A: b\rc\r\n\r\n'],
      ['two Content-Lengths', 'POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx'],
      ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
      ['a non-numeric Content-Length', 'POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello'],
      ['a Transfer-Encoding not ending in chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n'],
      ['a bad chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n'],
      ['chunk data without its CRLF', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n'],
      ['a malformed LIST line', 'LIST /v1/a\r\n\r\n'],
      ['a head bigger than 64 KiB', `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n\r\n`],
      ['a LIST line bigger than 64 KiB', `LIST /${'a'.repeat(MAX_HEAD_BYTES)} HTTP/1.1\r\n\r\n`],
    ];
    it.each(cases)('%s', (_name, first) => {
      const input = bytes(first + later);
      fc.assert(
        fc.property(cuts, (at) => {
          expect(text(run(input, at))).toBe(first + later);
        }),
        { numRuns: 50 },
      );
    });

    it('but accepts chunked after other codings, chunk extensions, trailers and bare LF line ends', () => {
      const first = 'POST / HTTP/1.1\nTransfer-Encoding: gzip,  Chunked \n\n3;x=y\r\nabc\n0\r\nX-T: 1\r\n\r\n';
      expect(text(run(bytes(first + later)))).toBe(`${first}GET /v1/later?list=true HTTP/1.1\r\n\r\n`);
    });
  });
});
