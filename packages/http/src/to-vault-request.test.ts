// The verb/query/body/header mapping of vault-api.md §2.13 and §2.1 steps 1–2.
import { describe, expect, it } from 'vitest';
import { HttpMappingError, type HttpInput } from './http-exchange.js';
import { toVaultRequest } from './to-vault-request.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

function input(method: string, url: string, extra: Partial<HttpInput> = {}): HttpInput {
  return { method, url, headers: {}, body: new Uint8Array(0), ...extra };
}

function refusal(fn: () => unknown): { status: number; errors: readonly string[] } {
  try {
    fn();
  } catch (error) {
    if (error instanceof HttpMappingError) return { status: error.status, errors: error.errors };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('verbs', () => {
  it.each([
    ['GET', '/v1/secret/data/a', 'read', 'secret/data/a'],
    ['POST', '/v1/secret/data/a', 'update', 'secret/data/a'],
    ['PUT', '/v1/secret/data/a', 'update', 'secret/data/a'],
    ['DELETE', '/v1/secret/data/a', 'delete', 'secret/data/a'],
    ['LIST', '/v1/secret/metadata', 'list', 'secret/metadata/'],
    ['LIST', '/v1/secret/metadata/', 'list', 'secret/metadata/'],
    ['GET', '/v1/secret/metadata?list=true', 'list', 'secret/metadata/'],
    ['GET', '/v1/secret/metadata?list=1', 'list', 'secret/metadata/'],
    ['GET', '/v1/secret/metadata?list=false', 'read', 'secret/metadata'],
    ['HEAD', '/v1/sys/health', 'read', 'sys/health'],
    // A LIST rewritten by list-method-rewrite.ts keeps the client's own `list=false` before its `list=true`.
    ['GET', '/v1/secret/metadata?list=false&list=true', 'list', 'secret/metadata/'],
  ])('%s %s -> %s %s', (method, url, operation, path) => {
    const { request } = toVaultRequest(input(method, url));
    expect(request.operation).toBe(operation);
    expect(request.path).toBe(path);
  });

  it('marks HEAD so the answer carries no body', () => {
    expect(toVaultRequest(input('HEAD', '/v1/sys/health')).head).toBe(true);
    expect(toVaultRequest(input('GET', '/v1/sys/health')).head).toBe(false);
  });

  it('answers HEAD only on sys/health; elsewhere 405, never a read', () => {
    expect(refusal(() => toVaultRequest(input('HEAD', '/v1/secret/data/a'))).status).toBe(405);
  });

  it('refuses other verbs with 405 and an unparseable ?list= with 400', () => {
    expect(refusal(() => toVaultRequest(input('OPTIONS', '/v1/sys/health'))).status).toBe(405);
    expect(refusal(() => toVaultRequest(input('TRACE', '/v1/sys/health'))).status).toBe(405);
    expect(refusal(() => toVaultRequest(input('GET', '/v1/secret/?list=yes'))).status).toBe(400);
  });

  it('?help=1 is the help operation, whatever the verb', () => {
    expect(toVaultRequest(input('GET', '/v1/secret/data/a?help=1')).request.operation).toBe('help');
    expect(toVaultRequest(input('GET', '/v1/secret/data/a?help=1')).request.data).toBeUndefined();
  });

  it('answers a path outside /v1/ with 404 and decodes percent escapes', () => {
    expect(refusal(() => toVaultRequest(input('GET', '/v2/sys/health'))).status).toBe(404);
    expect(toVaultRequest(input('GET', '/v1/secret/data/a%20b')).request.path).toBe('secret/data/a b');
    expect(refusal(() => toVaultRequest(input('GET', '/v1/secret/%E0%A4%A'))).status).toBe(400);
  });
});

describe('request data', () => {
  it('takes the query for GET, DELETE and LIST: one value a string, repeats an array', () => {
    expect(toVaultRequest(input('GET', '/v1/secret/data/a?version=2')).request.data).toEqual({ version: '2' });
    expect(toVaultRequest(input('DELETE', '/v1/secret/x?versions=1&versions=2')).request.data).toEqual({ versions: ['1', '2'] });
    expect(toVaultRequest(input('GET', '/v1/secret/metadata?list=true&after=b')).request.data).toEqual({ after: 'b' });
    expect(toVaultRequest(input('GET', '/v1/secret/data/a')).request.data).toBeUndefined();
  });

  it('takes a JSON object body for POST and PUT; an empty body is no data', () => {
    expect(toVaultRequest(input('POST', '/v1/a', { body: utf8('{"data":{"x":1}}') })).request.data).toEqual({ data: { x: 1 } });
    expect(toVaultRequest(input('PUT', '/v1/a', { body: utf8('  ') })).request.data).toBeUndefined();
    expect(toVaultRequest(input('PUT', '/v1/a')).request.data).toBeUndefined();
  });

  it('refuses malformed JSON and non-object JSON with 400', () => {
    const bad = refusal(() => toVaultRequest(input('POST', '/v1/a', { body: utf8('{"a":') })));
    expect(bad.status).toBe(400);
    // Vault's wording, which never quotes the body (it may hold secrets).
    expect(bad.errors).toEqual(['error parsing JSON']);
    expect(refusal(() => toVaultRequest(input('POST', '/v1/a', { body: utf8('{"password": hunter2}') }))).errors).toEqual(['error parsing JSON']);
    expect(refusal(() => toVaultRequest(input('POST', '/v1/a', { body: utf8('[1]') }))).status).toBe(400);
    expect(refusal(() => toVaultRequest(input('POST', '/v1/a', { body: utf8('"s"') }))).status).toBe(400);
  });

  it('reads a form body only when it says so and does not look like JSON', () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    expect(toVaultRequest(input('POST', '/v1/a', { headers: form, body: utf8('a=1&b=x&b=y') })).request.data).toEqual({ a: '1', b: 'x,y' });
    expect(toVaultRequest(input('POST', '/v1/a', { headers: form, body: utf8(' {"a":1}') })).request.data).toEqual({ a: 1 });
  });

  it('PATCH needs application/merge-patch+json, else 415 with Vault\'s message', () => {
    const ok = toVaultRequest(input('PATCH', '/v1/secret/data/a', { headers: { 'content-type': 'application/merge-patch+json' }, body: utf8('{"data":{"x":null}}') }));
    expect(ok.request).toMatchObject({ operation: 'patch', data: { data: { x: null } } });
    const refused = refusal(() => toVaultRequest(input('PATCH', '/v1/secret/data/a', { headers: { 'content-type': 'application/json' }, body: utf8('{}') })));
    expect(refused).toEqual({ status: 415, errors: ['PATCH requires Content-Type of application/merge-patch+json, provided application/json'] });
    expect(refusal(() => toVaultRequest(input('PATCH', '/v1/secret/data/a', { body: utf8('{}') })))).toEqual({ status: 400, errors: ['mime: no media type'] });
  });
});

describe('headers', () => {
  it('takes the token from X-Vault-Token, else from Authorization: Bearer', () => {
    expect(toVaultRequest(input('GET', '/v1/a', { headers: { 'x-vault-token': 't1', authorization: 'Bearer t2' } })).request.token).toBe('t1');
    expect(toVaultRequest(input('GET', '/v1/a', { headers: { authorization: 'Bearer  t2 ' } })).request.token).toBe('t2');
    expect(toVaultRequest(input('GET', '/v1/a', { headers: { authorization: 'Basic abc' } })).request.token).toBeUndefined();
  });

  it('passes X-Vault-Wrap-TTL, the headers and the peer on', () => {
    const { request } = toVaultRequest(input('GET', '/v1/a', { headers: { 'x-vault-wrap-ttl': '5m', 'x-vault-request': 'true' }, remoteAddr: '127.0.0.1', remotePort: 5000 }));
    expect(request).toMatchObject({ wrapTtl: '5m', remoteAddr: '127.0.0.1', remotePort: 5000, headers: { 'x-vault-request': 'true' } });
  });
});
