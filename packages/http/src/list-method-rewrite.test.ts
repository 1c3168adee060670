// node:http and node:https servers accept Vault's LIST method over real sockets (DESIGN.md §2).
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptListMethod, installListAcceptance, type ListAcceptance } from './list-method-rewrite.js';

interface Echo {
  method: string;
  url: string;
  body: string;
  remoteAddress: string | undefined;
  encrypted: boolean;
}

interface Response {
  status: number;
  headers: string;
  body: string;
}

/** Answers every request with what it saw, with a Content-Length so pipelined responses can be split. */
async function echo(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const seen: Echo = {
    method: req.method ?? '',
    url: req.url ?? '',
    body: Buffer.concat(chunks).toString('latin1'),
    remoteAddress: req.socket.remoteAddress,
    encrypted: (req.socket as Partial<tls.TLSSocket>).encrypted === true,
  };
  const body = JSON.stringify(seen);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const servers: (http.Server | https.Server)[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
});

async function listen<S extends http.Server | https.Server>(server: S): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

async function listAwareServer(acceptance: ListAcceptance, handler: http.RequestListener = echo): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  installListAcceptance(server, acceptance);
  return { server, port: await listen(server) };
}

/** Everything the server sends until it closes the connection. */
async function readAll(socket: net.Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.resume();
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('latin1');
}

async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Sends raw bytes on a fresh connection and returns everything the server answers before closing it. */
async function exchange(port: number, raw: string | Buffer): Promise<string> {
  const socket = await connect(port);
  const all = readAll(socket);
  socket.write(raw);
  return all;
}

function parseResponses(raw: string): Response[] {
  const responses: Response[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd === -1) throw new Error(`incomplete response: ${JSON.stringify(rest)}`);
    const headers = rest.slice(0, headEnd);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(headers)?.[1] ?? 0);
    responses.push({ status: Number(headers.slice(9, 12)), headers, body: rest.slice(headEnd + 4, headEnd + 4 + length) });
    rest = rest.slice(headEnd + 4 + length);
  }
  return responses;
}

const echoed = (response: Response | undefined): Echo => JSON.parse(response?.body ?? 'null') as Echo;

describe.each(['takeover', 'front'] as const)('acceptListMethod on node:http (%s)', (acceptance) => {
  it('delivers LIST to the handler as GET with list=true, keeping the peer address', async () => {
    const { port } = await listAwareServer(acceptance);
    const [response] = parseResponses(await exchange(port, 'LIST /v1/secret/metadata HTTP/1.1\r\nHost: vault\r\nX-Vault-Token: t\r\nConnection: close\r\n\r\n'));
    expect(response?.status).toBe(200);
    expect(echoed(response)).toEqual({ method: 'GET', url: '/v1/secret/metadata?list=true', body: '', remoteAddress: '127.0.0.1', encrypted: false });
  });

  it('answers pipelined LIST, Content-Length and chunked requests on one keep-alive connection, in order', async () => {
    const { port } = await listAwareServer(acceptance);
    const raw =
      'LIST /v1/secret/metadata/app?x=1 HTTP/1.1\r\nHost: vault\r\n\r\n' +
      'POST /v1/secret/data/app HTTP/1.1\r\nHost: vault\r\nContent-Length: 27\r\n\r\nLIST /v1/in-body HTTP/1.1\r\n' +
      'PUT /v1/secret/data/b HTTP/1.1\r\nHost: vault\r\nTransfer-Encoding: chunked\r\n\r\n7;ext=1\r\nLIST /x\r\n2\r\n\r\n\r\n0\r\nX-Trailer: LIST /t\r\n\r\n' +
      '\r\nLIST /v1/sys/policies/acl HTTP/1.1\r\nHost: vault\r\n\r\n' +
      'DELETE /v1/secret/data/app HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n';
    const responses = parseResponses(await exchange(port, raw));
    expect(responses.map((r) => [r.status, echoed(r).method, echoed(r).url, echoed(r).body])).toEqual([
      [200, 'GET', '/v1/secret/metadata/app?x=1&list=true', ''],
      [200, 'POST', '/v1/secret/data/app', 'LIST /v1/in-body HTTP/1.1\r\n'],
      [200, 'PUT', '/v1/secret/data/b', 'LIST /x\r\n'],
      [200, 'GET', '/v1/sys/policies/acl?list=true', ''],
      [200, 'DELETE', '/v1/secret/data/app', ''],
    ]);
    expect(responses.slice(0, 4).every((r) => /\r\nConnection: keep-alive/i.test(r.headers))).toBe(true);
  });

  it('reassembles requests written a few bytes at a time', async () => {
    const { port } = await listAwareServer(acceptance);
    const raw = 'LIST /v1/a HTTP/1.1\r\nHost: vault\r\n\r\nPOST /v1/b HTTP/1.1\r\nHost: vault\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nLIST /v1/c HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n';
    const socket = await connect(port);
    socket.setNoDelay(true);
    const all = readAll(socket);
    for (let at = 0; at < raw.length; at += 3) await new Promise((resolve) => socket.write(raw.slice(at, at + 3), resolve));
    expect(parseResponses(await all).map((r) => `${echoed(r).method} ${echoed(r).url} ${echoed(r).body}`)).toEqual(['GET /v1/a?list=true ', 'POST /v1/b abc', 'GET /v1/c?list=true ']);
  });

  it('still lets llhttp answer 400 to what it cannot parse, including a malformed LIST', async () => {
    const { port } = await listAwareServer(acceptance);
    for (const raw of ['GET / HTTP/1.1\r\nHost: vault\r\nBad Header\r\n\r\n', 'LIST /v1/a\r\n\r\n', 'LIST  /v1/a HTTP/1.1\r\nHost: vault\r\n\r\n', 'FOO /v1/a HTTP/1.1\r\nHost: vault\r\n\r\n']) {
      expect(await exchange(port, raw)).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    }
    // After a LIST on the same connection too.
    const socket = await connect(port);
    const all = readAll(socket);
    socket.write('LIST /v1/a HTTP/1.1\r\nHost: vault\r\n\r\n');
    await once(socket, 'data'); // the first response, which `all` collects too
    socket.write('GET /v1/b HTTP/1.1\r\nHost: vault\r\nContent-Length: x\r\n\r\n');
    const [ok, bad] = parseResponses(await all);
    expect(echoed(ok).url).toBe('/v1/a?list=true');
    expect(bad?.status).toBe(400);
  });

  it('hands an upgraded connection its bytes untouched', async () => {
    const { server, port } = await listAwareServer(acceptance);
    server.on('upgrade', (_req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
      socket.write(head);
      socket.pipe(socket);
    });
    const socket = await connect(port);
    const all = readAll(socket);
    socket.end('GET /echo HTTP/1.1\r\nHost: vault\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nLIST /v1/raw HTTP/1.1\r\n\r\n');
    expect(await all).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n[^]*\r\n\r\nLIST \/v1\/raw HTTP\/1\.1\r\n\r\n$/);
  });

  it('lets server.close() end idle keep-alive connections, and closeAllConnections() busy ones', async () => {
    let arrived!: () => void;
    const busy = new Promise<void>((resolve) => (arrived = resolve));
    const { server, port } = await listAwareServer(acceptance, (req, res) => {
      if (req.url === '/hang') arrived();
      else void echo(req, res);
    });
    const idle = await connect(port);
    const idleClosed = once(idle, 'close');
    idle.write('LIST /v1/a HTTP/1.1\r\nHost: vault\r\n\r\n');
    const [chunk] = (await once(idle, 'data')) as [Buffer];
    expect(chunk.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*"url":"\/v1\/a\?list=true"/);

    const hanging = await connect(port);
    const hangingClosed = once(hanging, 'close');
    hanging.write('GET /hang HTTP/1.1\r\nHost: vault\r\n\r\n');
    await busy;

    const closed = new Promise((resolve) => server.close(resolve));
    await idleClosed;
    server.closeAllConnections();
    await hangingClosed;
    await closed;
  });

  it('applies the server timeout to the real socket', async () => {
    const { server, port } = await listAwareServer(acceptance);
    server.timeout = 20;
    const timedOut = once(server, 'timeout') as Promise<[net.Socket]>;
    const socket = await connect(port);
    const [serverSide] = await timedOut;
    serverSide.destroy();
    await once(socket, 'close');
  });

  it('pauses the real socket while the handler does not read the request body', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const { server, port } = await listAwareServer(acceptance, async (req, res) => {
      // The LIST before puts the front in place, in both ways of accepting it.
      if (req.method === 'GET') return echo(req, res);
      await released;
      let length = 0;
      for await (const chunk of req) length += (chunk as Buffer).length;
      res.end(String(length));
    });
    const connection = once(server, 'connection') as Promise<[net.Socket]>;
    const socket = await connect(port);
    const [rawSocket] = await connection;
    const all = readAll(socket);
    socket.write('LIST /v1/first HTTP/1.1\r\nHost: vault\r\n\r\n');
    await once(socket, 'data');
    const paused = once(rawSocket, 'pause');
    const size = 32 * 1024 * 1024;
    socket.write(`PUT /v1/big HTTP/1.1\r\nHost: vault\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`);
    socket.write(Buffer.alloc(size, 'L'));
    await paused;
    release();
    expect(await all).toMatch(new RegExp(`\r\n\r\n${size}$`));
  });

  it('holds response writes while the real socket cannot take more, so res.write() reports backpressure', async () => {
    const total = 64 * 1024 * 1024;
    const piece = Buffer.alloc(64 * 1024, 'x');
    const serverSide: { socket?: net.Socket } = {};
    let maxQueued = 0;
    const { server, port } = await listAwareServer(acceptance, async (_req, res) => {
      for (let written = 0; written < total; written += piece.length) {
        const more = res.write(piece);
        maxQueued = Math.max(maxQueued, serverSide.socket?.writableLength ?? 0);
        if (!more) await once(res, 'drain');
      }
      res.end();
    });
    const connection = once(server, 'connection') as Promise<[net.Socket]>;
    const socket = await connect(port);
    socket.pause();
    const [rawSocket] = await connection;
    serverSide.socket = rawSocket;
    // The rewrite waits for the real socket's 'drain' when it holds bytes the kernel would not take.
    const kernelFull = new Promise<void>((resolve) =>
      rawSocket.on('newListener', (event) => {
        maxQueued = Math.max(maxQueued, rawSocket.writableLength);
        if (event === 'drain' && rawSocket.writableLength > 0) resolve();
      }),
    );
    socket.write('LIST /v1/stream HTTP/1.0\r\nHost: vault\r\n\r\n');
    await kernelFull;
    const raw = await readAll(socket);
    expect(raw.length - raw.indexOf('\r\n\r\n') - 4).toBe(total);
    expect(maxQueued).toBeLessThan(4 * piece.length);
  });

  it('is a no-op the second time and refuses a server that is not node:http', () => {
    const server = http.createServer(echo);
    installListAcceptance(server, acceptance);
    const emit = server.emit;
    installListAcceptance(server, acceptance);
    expect(server.listeners('connection')).toHaveLength(1);
    expect(server.emit).toBe(emit);
    expect(() => installListAcceptance(net.createServer() as unknown as http.Server, acceptance)).toThrow(TypeError);
  });
});

describe.each(['takeover', 'front'] as const)('acceptListMethod on node:https (%s)', (acceptance) => {
  it('accepts LIST through TLS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-list-tls-'));
    try {
      await promisify(execFile)('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-days', '1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ]);
      const [key, cert] = await Promise.all([readFile(join(dir, 'key.pem')), readFile(join(dir, 'cert.pem'))]);
      const server = https.createServer({ key, cert }, echo);
      installListAcceptance(server, acceptance);
      const port = await listen(server);
      const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: cert });
      await once(socket, 'secureConnect');
      const all = readAll(socket);
      socket.write('GET /v1/sys/health HTTP/1.1\r\nHost: vault\r\n\r\nLIST /v1/secret/metadata HTTP/1.1\r\nHost: vault\r\n\r\nPOST /v1/secret/data/a HTTP/1.1\r\nHost: vault\r\nContent-Length: 2\r\n\r\n{}LIST /v1/auth/token/accessors HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n');
      const responses = parseResponses(await all).map(echoed);
      expect(responses.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual(['GET /v1/sys/health ', 'GET /v1/secret/metadata?list=true ', 'POST /v1/secret/data/a {}', 'GET /v1/auth/token/accessors?list=true ']);
      expect(responses.every((r) => r.encrypted && r.remoteAddress === '127.0.0.1')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a connection taken over at its first LIST', () => {
  /** Writes `first`, waits for the answer to it (so the server has read it), then writes `rest`. */
  async function inTwoReads(port: number, first: string, rest: string): Promise<Response[]> {
    const socket = await connect(port);
    socket.setNoDelay(true);
    const all = readAll(socket);
    socket.write(first);
    await once(socket, 'data');
    socket.write(rest);
    return parseResponses(await all);
  }

  it('is read by node:http itself until then', async () => {
    const sockets: unknown[] = [];
    const { server, port } = await listAwareServer('takeover', (req, res) => {
      sockets.push(req.socket);
      void echo(req, res);
    });
    const connection = once(server, 'connection') as Promise<[net.Socket]>;
    const responses = await inTwoReads(port, 'GET /v1/a HTTP/1.1\r\nHost: vault\r\n\r\n', 'LIST /v1/b HTTP/1.1\r\nHost: vault\r\n\r\nGET /v1/c HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n');
    const [rawSocket] = await connection;
    expect(responses.map((r) => `${r.status} ${echoed(r).method} ${echoed(r).url}`)).toEqual(['200 GET /v1/a', '200 GET /v1/b?list=true', '200 GET /v1/c']);
    expect(sockets[0]).toBe(rawSocket);
    expect(sockets[1]).not.toBe(rawSocket);
    expect(sockets[2]).toBe(sockets[1]);
  });

  it.each(['L', 'LI', 'LIS', 'LIST', 'LIST '])('accepts a LIST whose first bytes ended the read before (%j)', async (head) => {
    const { port } = await listAwareServer('takeover');
    const request = 'LIST /v1/split HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n';
    const responses = await inTwoReads(port, `GET /v1/a HTTP/1.1\r\nHost: vault\r\n\r\n${head}`, request.slice(head.length));
    expect(responses.map((r) => `${r.status} ${echoed(r).url}`)).toEqual(['200 /v1/a', '200 /v1/split?list=true']);
  });

  /** A server whose handler holds `/v1/slow` until released; `arrived` resolves when it is being held. */
  async function slowServer() {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
    const { server, port } = await listAwareServer('takeover', async (req, res) => {
      if (req.url === '/v1/slow') {
        arrived();
        await released;
      }
      await echo(req, res);
    });
    return { server, port, release, slowArrived };
  }

  it('answers the requests before the LIST first, in order, however long they take', async () => {
    const { port, release, slowArrived } = await slowServer();
    const socket = await connect(port);
    const all = readAll(socket);
    socket.write('GET /v1/slow HTTP/1.1\r\nHost: vault\r\n\r\nGET /v1/next HTTP/1.1\r\nHost: vault\r\n\r\nLIST /v1/list HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n');
    await slowArrived;
    release();
    expect(parseResponses(await all).map((r) => echoed(r).url)).toEqual(['/v1/slow', '/v1/next', '/v1/list?list=true']);
  });

  it('keeps what arrives while it waits for those answers, and the end of the connection', async () => {
    const { server, port, release, slowArrived } = await slowServer();
    // Answer what was asked before the client's end rather than abort it (node:http's default;
    // the switch is a property of node:http's server that @types/node does not declare),
    // and never close an idle connection: only the end, passed on to node:http, closes it.
    (server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
    server.keepAliveTimeout = 0;
    const connection = once(server, 'connection') as Promise<[net.Socket]>;
    const socket = await connect(port);
    const [serverSide] = await connection;
    const all = readAll(socket);
    socket.write('GET /v1/slow HTTP/1.1\r\nHost: vault\r\n\r\nLIST /v1/list HTTP/1.1\r\nHost: vault\r\n\r\n');
    await slowArrived;
    socket.end('POST /v1/later HTTP/1.1\r\nHost: vault\r\nContent-Length: 4\r\n\r\nbody');
    await once(serverSide, 'end');
    release();
    expect(parseResponses(await all).map((r) => `${echoed(r).url} ${echoed(r).body}`)).toEqual(['/v1/slow ', '/v1/list?list=true ', '/v1/later body']);
  });

  it('lets closeAllConnections() end a connection waiting for the answers before its LIST', async () => {
    // The slow request is never released: its connection is gone, and its handler with it.
    const { server, port, slowArrived } = await slowServer();
    const socket = await connect(port);
    const closed = once(socket, 'close');
    socket.write('GET /v1/slow HTTP/1.1\r\nHost: vault\r\n\r\nLIST /v1/list HTTP/1.1\r\nHost: vault\r\n\r\n');
    await slowArrived;
    server.closeAllConnections();
    await closed;
  });

  /** A server answering `/v1/big` with `size` bytes at once, and echoing anything else. */
  function bigAnswerServer(size: number) {
    const big = Buffer.alloc(size, 'x');
    return listAwareServer('takeover', (req, res) => {
      if (req.url === '/v1/big') res.writeHead(200, { 'Content-Length': big.length }).end(big);
      else void echo(req, res);
    });
  }

  it('reads on after a LIST that came while node:http held the connection back for a large answer', async () => {
    const { port } = await bigAnswerServer(4 * 1024 * 1024);
    const socket = await connect(port);
    let received = '';
    const arrival = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!received.includes(text)) return;
          socket.off('data', check);
          resolve();
        };
        socket.on('data', check);
        check();
      });
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    // The large answer fills the socket, so node:http stops reading before the LIST.
    socket.write('GET /v1/big HTTP/1.1\r\nHost: vault\r\n\r\nGET /v1/x HTTP/1.1\r\nHost: vault\r\n\r\nLIST /v1/list HTTP/1.1\r\nHost: vault\r\n\r\n');
    await arrival('"url":"/v1/list?list=true"');
    socket.write('GET /v1/after HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n');
    await arrival('"url":"/v1/after"');
    socket.destroy();
  });

  it('keeps a LIST waiting behind a slow answer out of the header timeout, which node:http applies to requests it has not read whole', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
    const server = http.createServer({ connectionsCheckingInterval: 10, headersTimeout: 50, requestTimeout: 50 }, async (req, res) => {
      if (req.url === '/v1/slow') {
        arrived();
        await released;
      }
      await echo(req, res);
    });
    installListAcceptance(server, 'takeover');
    const port = await listen(server);
    const socket = await connect(port);
    const all = readAll(socket);
    socket.write('GET /v1/slow HTTP/1.1\r\nHost: vault\r\n\r\nLIST /v1/list HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n');
    await slowArrived;
    // A witness connection whose head never ends: once it is timed out, the sweep has passed the LIST too.
    expect(await exchange(port, 'GET /v1/witness HTTP/1.1\r\nHost: vault\r\n')).toMatch(/^HTTP\/1\.1 408 /);
    release();
    expect(parseResponses(await all).map((r) => echoed(r).url)).toEqual(['/v1/slow', '/v1/list?list=true']);
  });

  it.each(['UN', 'a\nUN', 'be-UN', 'abc'])('answers a LIST that follows a request body ending in any byte (%j)', async (body) => {
    const { port } = await listAwareServer('takeover');
    const raw = `POST /v1/p HTTP/1.1\r\nHost: vault\r\nContent-Length: ${body.length}\r\n\r\n${body}LIST /v1/l HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n`;
    expect(parseResponses(await exchange(port, raw)).map((r) => `${echoed(r).url} ${echoed(r).body}`)).toEqual([`/v1/p ${body}`, '/v1/l?list=true ']);
  });

  it('closes a connection whose client ended it while its LIST waited, once the answers before it are out', async () => {
    const { port, release, slowArrived } = await slowServer();
    const socket = await connect(port);
    const all = readAll(socket);
    socket.write('GET /v1/slow HTTP/1.1\r\nHost: vault\r\n\r\nLIST /v1/list HTTP/1.1\r\nHost: vault\r\n\r\n');
    await slowArrived;
    socket.end();
    release();
    expect(parseResponses(await all).map((r) => echoed(r).url)[0]).toBe('/v1/slow');
  });

  it('still sends an answer already written when the client ends the connection while its LIST waits', async () => {
    const size = 8 * 1024 * 1024;
    const { port } = await bigAnswerServer(size);
    const socket = await connect(port);
    const all = readAll(socket);
    socket.end('GET /v1/big HTTP/1.1\r\nHost: vault\r\n\r\nLIST /v1/list HTTP/1.1\r\nHost: vault\r\n\r\n');
    const [answer] = parseResponses(await all);
    expect(answer?.status).toBe(200);
    expect(answer?.body.length).toBe(size);
  });

  it("reports an error on a connection waiting for its LIST to the server's 'clientError' listeners", async () => {
    const { server, port, slowArrived } = await slowServer();
    const reported = new Promise<[Error & { code?: string }, net.Socket]>((resolve) => server.on('clientError', (error: Error, socket: net.Socket) => resolve([error, socket])));
    const connection = once(server, 'connection') as Promise<[net.Socket]>;
    const socket = await connect(port);
    const [serverSide] = await connection;
    socket.write('GET /v1/slow HTTP/1.1\r\nHost: vault\r\n\r\nLIST /v1/list HTTP/1.1\r\nHost: vault\r\n\r\n');
    await slowArrived;
    socket.resetAndDestroy();
    const [error, reportedSocket] = await reported;
    expect(error.code).toBe('ECONNRESET');
    expect(reportedSocket).toBe(serverSide);
  });

  it('does not answer a LIST that follows a request asking to close the connection', async () => {
    const { port } = await listAwareServer('takeover');
    const raw = 'GET /v1/a HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\nLIST /v1/b HTTP/1.1\r\nHost: vault\r\n\r\n';
    expect(await exchange(port, raw)).not.toContain('list=true');
  });

  it("keeps other refused requests for node:http's answer and the server's 'clientError' listeners", async () => {
    const { server, port } = await listAwareServer('takeover');
    const refused: string[] = [];
    server.on('clientError', (error: Error & { code?: string }, socket: net.Socket) => {
      refused.push(error.code ?? '');
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
    expect(parseResponses(await exchange(port, 'LIST /v1/a HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n')).map((r) => r.status)).toEqual([200]);
    const methods = ['LISX', 'LINX', 'UNLIST', 'XLIST', 'FOO'];
    for (const method of methods) {
      expect(await exchange(port, `${method} /v1/a HTTP/1.1\r\nHost: vault\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    }
    expect(refused).toEqual(methods.map(() => 'HPE_INVALID_METHOD'));
  });

  it('leaves nothing of the old parser in the server: close() ends the connection once it is idle', async () => {
    const { server, port } = await listAwareServer('takeover');
    const socket = await connect(port);
    const closed = once(socket, 'close');
    socket.write('GET /v1/a HTTP/1.1\r\nHost: vault\r\n\r\nLIST /v1/b HTTP/1.1\r\nHost: vault\r\n\r\n');
    let answered = '';
    socket.on('data', (chunk: Buffer) => (answered += chunk.toString('latin1')));
    while (parseResponsesSafe(answered).length < 2) await once(socket, 'data');
    await new Promise((resolve) => server.close(resolve));
    await closed;
  });

  it('is what acceptListMethod does on this Node', async () => {
    const server = http.createServer(echo);
    acceptListMethod(server);
    const port = await listen(server);
    const sockets: unknown[] = [];
    server.on('request', (req: http.IncomingMessage) => sockets.push(req.socket));
    const connection = once(server, 'connection') as Promise<[net.Socket]>;
    await exchange(port, 'GET /v1/a HTTP/1.1\r\nHost: vault\r\nConnection: close\r\n\r\n');
    expect(sockets[0]).toBe((await connection)[0]);
  });
});

function parseResponsesSafe(raw: string): Response[] {
  try {
    return parseResponses(raw);
  } catch {
    return [];
  }
}
