// The adapter end to end over loopback: a real vault behind listen(), driven by fetch and by raw
// sockets (fetch never sends LIST), and the same mapping through createFetchHandler.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createVault, type Vault } from 'coffer';
import type { Request as VaultRequest, Response as VaultResponse } from '@coffer/sdk';
import { createFetchHandler } from './fetch-handler.js';
import { listen, type HttpListener } from './listen.js';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function served(options: { maxRequestBytes?: number } = {}): Promise<{ vault: Vault; http: HttpListener; url: string }> {
  const vault = await createVault({ dev: { rootTokenId: 'root' } });
  const http = await listen(vault, { port: 0, ...options });
  cleanup.push(() => vault.close(), () => http.close());
  return { vault, http, url: http.address.url };
}

const root = { 'x-vault-token': 'root' };

/** Sends raw bytes and collects everything until the server closes or `until` matches. */
function rawExchange(port: number, bytes: string, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (until.test(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
  });
}

describe('responses', () => {
  it('answers with Vault\'s envelope, no-store caching and a JSON content type', async () => {
    const { url } = await served();
    await fetch(`${url}/v1/secret/data/app`, { method: 'POST', headers: root, body: JSON.stringify({ data: { a: 1 } }) });
    const res = await fetch(`${url}/v1/secret/data/app`, { headers: root });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['request_id', 'lease_id', 'renewable', 'lease_duration', 'data', 'wrap_info', 'warnings', 'auth', 'mount_type']);
    expect(body).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0, data: { data: { a: 1 } }, wrap_info: null, warnings: null, auth: null, mount_type: 'kv' });
    expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an empty write with 204 and no body, a missing read with 404 {"errors":[]}', async () => {
    const { url } = await served();
    const write = await fetch(`${url}/v1/sys/policies/acl/p`, { method: 'PUT', headers: root, body: JSON.stringify({ policy: 'path "a" { capabilities = ["read"] }' }) });
    expect(write.status).toBe(204);
    expect(await write.text()).toBe('');
    const missing = await fetch(`${url}/v1/secret/data/none`, { headers: root });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ errors: [] });
  });

  it('repeats data keys at the top level on the legacy sys routes only', async () => {
    const { url } = await served();
    const mounts = (await (await fetch(`${url}/v1/sys/mounts`, { headers: root })).json()) as Record<string, unknown>;
    expect(mounts['secret/']).toMatchObject({ type: 'kv' });
    expect((mounts.data as Record<string, unknown>)['secret/']).toMatchObject({ type: 'kv' });
    const policy = (await (await fetch(`${url}/v1/sys/policies/acl/default`, { headers: root })).json()) as Record<string, unknown>;
    expect(policy.name).toBeUndefined();
    expect((policy.data as Record<string, unknown>).name).toBe('default');
  });

  it('serves raw sys bodies, and HEAD with the status alone', async () => {
    const { url, vault } = await served();
    const health = await fetch(`${url}/v1/sys/health`);
    expect(await health.json()).toMatchObject({ initialized: true, sealed: false, standby: false });
    await vault.seal();
    const head = await fetch(`${url}/v1/sys/health`, { method: 'HEAD' });
    expect(head.status).toBe(503);
    expect(await head.text()).toBe('');
    expect((await fetch(`${url}/v1/sys/health?sealedcode=299`)).status).toBe(299);
  });

  it('keeps KV v2\'s 404 that carries the deleted version\'s metadata', async () => {
    const { url } = await served();
    await fetch(`${url}/v1/secret/data/app`, { method: 'POST', headers: root, body: JSON.stringify({ data: { a: 1 } }) });
    expect((await fetch(`${url}/v1/secret/data/app`, { method: 'DELETE', headers: root })).status).toBe(204);
    const res = await fetch(`${url}/v1/secret/data/app`, { headers: root });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ data: { data: null, metadata: { version: 1, destroyed: false } } });
  });

  it('gives errors Vault\'s statuses and strings', async () => {
    const { url } = await served();
    const denied = await fetch(`${url}/v1/secret/data/app`);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { errors: string[] }).errors[0]).toContain('permission denied');
    const bad = await fetch(`${url}/v1/secret/data/app`, { headers: { 'x-vault-token': 'hvs.nothing' } });
    expect(((await bad.json()) as { errors: string[] }).errors[0]).toContain('invalid token');
    const route = await fetch(`${url}/v1/nomount/x`, { headers: root });
    expect(route.status).toBe(404);
    expect(await route.json()).toEqual({ errors: ['no handler for route "nomount/x". route entry not found.'] });
    const json = await fetch(`${url}/v1/secret/data/app`, { method: 'POST', headers: root, body: '{"data":' });
    expect(json.status).toBe(400);
    const patch = await fetch(`${url}/v1/secret/data/app`, { method: 'PATCH', headers: { ...root, 'content-type': 'application/json' }, body: '{}' });
    expect(patch.status).toBe(415);
  });

  it('wraps on X-Vault-Wrap-TTL, and unwrap returns the original response', async () => {
    const { url } = await served();
    await fetch(`${url}/v1/secret/data/app`, { method: 'POST', headers: root, body: JSON.stringify({ data: { a: 1 } }) });
    const wrapped = (await (await fetch(`${url}/v1/secret/data/app`, { headers: { ...root, 'x-vault-wrap-ttl': '5m' } })).json()) as { data: unknown; wrap_info: { token: string; ttl: number } };
    expect(wrapped.data).toBeNull();
    expect(wrapped.wrap_info.ttl).toBe(300);
    const unwrapped = await fetch(`${url}/v1/sys/wrapping/unwrap`, { method: 'POST', headers: { 'x-vault-token': wrapped.wrap_info.token } });
    expect(await unwrapped.json()).toMatchObject({ data: { data: { a: 1 } } });
  });

  it('answers ?help=1 with the help data alone, no envelope (http/help.go; node-vault\'s help())', async () => {
    const { url } = await served();
    const res = await fetch(`${url}/v1/secret/data/app?help=1`, { headers: root });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('request_id');
    expect(body).not.toHaveProperty('data');
    expect(typeof body.help).toBe('string');
  });

  it('accepts the token as Authorization: Bearer', async () => {
    const { url } = await served();
    const res = await fetch(`${url}/v1/auth/token/lookup-self`, { headers: { authorization: 'Bearer root' } });
    expect(((await res.json()) as { data: { policies: string[] } }).data.policies).toEqual(['root']);
  });
});

describe('the LIST verb', () => {
  it('lists over a raw socket, and a pipelined write on the same connection still lands', async () => {
    const { url, http } = await served();
    await fetch(`${url}/v1/secret/data/a`, { method: 'POST', headers: root, body: JSON.stringify({ data: { x: 1 } }) });
    const body = JSON.stringify({ data: { y: 2 } });
    const text = await rawExchange(
      http.address.port,
      `LIST /v1/secret/metadata HTTP/1.1\r\nHost: x\r\nX-Vault-Token: root\r\n\r\n` +
        `POST /v1/secret/data/b HTTP/1.1\r\nHost: x\r\nX-Vault-Token: root\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      /"version":1[\s\S]*$/,
    );
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(text).toContain('"keys":["a"]');
    expect(text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
  });
});

describe('the body limit', () => {
  it('answers 413 for a declared length over the limit and for a chunked body that grows past it', async () => {
    const { url, http } = await served({ maxRequestBytes: 1024 });
    const big = JSON.stringify({ data: { blob: 'x'.repeat(2000) } });
    const declared = await fetch(`${url}/v1/secret/data/big`, { method: 'POST', headers: root, body: big });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ errors: ['http: request body too large'] });
    const chunked = await rawExchange(
      http.address.port,
      `POST /v1/secret/data/big HTTP/1.1\r\nHost: x\r\nX-Vault-Token: root\r\nTransfer-Encoding: chunked\r\n\r\n${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`,
      /too large/,
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 413/);
    expect((await fetch(`${url}/v1/secret/data/big`, { headers: root })).status).toBe(404);
  });
});

describe('close()', () => {
  it('lets an in-flight request finish, then stops listening', async () => {
    let release!: () => void;
    let entered!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handling = new Promise<void>((resolve) => (entered = resolve));
    const slow = {
      async handle(request: VaultRequest): Promise<VaultResponse> {
        entered();
        await gate;
        return { requestId: 'r', status: 200, data: { path: request.path }, leaseId: '', renewable: false, leaseDurationSec: 0, auth: null, wrapInfo: null, warnings: null, mountType: '' };
      },
    };
    const http = await listen(slow, { port: 0 });
    const inFlight = fetch(`${http.address.url}/v1/a`);
    await handling;
    const closed = http.close();
    release();
    const res = await inFlight;
    expect(((await res.json()) as { data: unknown }).data).toEqual({ path: 'a' });
    await closed;
    await expect(fetch(`${http.address.url}/v1/a`)).rejects.toThrow();
  });
});

describe('close() with clients that never finish a request', () => {
  it('drops a silent connection, a half-sent request line and half-sent headers instead of waiting for them', async () => {
    const { http } = await served();
    const sockets = await Promise.all(
      ['', 'LIS', 'GET /v1/sys/health HTTP/1.1\r\nHost: x\r\n'].map(
        (bytes) =>
          new Promise<Socket>((resolve) => {
            const socket = connect(http.address.port, '127.0.0.1', () => {
              if (bytes) socket.write(bytes);
              resolve(socket);
            });
            socket.on('error', () => undefined);
          }),
      ),
    );
    const closed = sockets.map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    await http.close();
    await Promise.all(closed);
  });
});

describe('createFetchHandler', () => {
  it('maps Web requests the same way', async () => {
    const vault = await createVault({ dev: { rootTokenId: 'root' } });
    cleanup.push(() => vault.close());
    const handler = createFetchHandler(vault, { maxRequestBytes: 64 });
    const write = await handler(new Request('http://vault/v1/secret/data/a', { method: 'POST', headers: root, body: JSON.stringify({ data: { x: 1 } }) }));
    expect(write.status).toBe(200);
    const read = await handler(new Request('http://vault/v1/secret/data/a?version=1', { headers: root }));
    expect(await read.json()).toMatchObject({ data: { data: { x: 1 }, metadata: { version: 1 } } });
    const tooBig = await handler(new Request('http://vault/v1/secret/data/a', { method: 'POST', headers: root, body: 'x'.repeat(65) }));
    expect(tooBig.status).toBe(413);
  });
});
