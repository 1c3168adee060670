// Audit entry shape and hashing rules (vault-api.md §2.12; audit/entry_formatter.go, audit/types.go).
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '@coffer/sdk';
import { TestClock } from '@coffer/sdk/testing';
import { encodeAuditLine, formatRequestEntry, formatResponseEntry, type AuditRequestInput, type AuditResponseInput } from './audit-entry.js';

const SALT = '8a5f3c0e-1d2b-4c6a-9e7f-2b4d6f8a0c1e';
const h = (value: string): string => `hmac-sha256:${createHmac('sha256', SALT).update(value).digest('hex')}`;
const clock = new TestClock(Date.UTC(2026, 2, 4, 5, 6, 7, 890));
const opts = { crypto: nodeCrypto, salt: SALT, clock };

function requestInput(): AuditRequestInput {
  return {
    auth: {
      clientToken: 'hvs.client-token',
      accessor: 'accessor-1',
      displayName: 'userpass-alice',
      policies: ['default', 'dev'],
      tokenPolicies: ['default', 'dev'],
      identityPolicies: ['group-pol'],
      metadata: { username: 'alice', team: 'ops' },
      entityId: 'entity-1',
      tokenType: 'service',
      tokenTtlSec: 3600,
      tokenIssueTimeMs: Date.UTC(2026, 2, 4, 5, 0, 0, 123),
      policyResults: { allowed: true, grantingPolicies: [{ name: 'dev', namespaceId: 'root', type: 'acl' }] },
      remainingUses: 4,
    },
    request: {
      id: 'req-1',
      operation: 'update',
      mountPoint: 'secret/',
      mountType: 'kv',
      mountAccessor: 'kv_1234abcd',
      mountClass: 'secret',
      mountRunningVersion: 'v0.20.0+builtin',
      clientToken: 'hvs.client-token',
      clientTokenAccessor: 'accessor-1',
      path: 'secret/data/app',
      data: { data: { password: 'hunter2', port: 5432, tags: ['blue', 7] }, options: { cas: 0 } },
      remoteAddress: '127.0.0.1',
      remotePort: 50123,
      wrapTtlSec: 60,
    },
  };
}

function responseInput(): AuditResponseInput {
  return {
    ...requestInput(),
    response: {
      data: { token: 'nested-secret', ttl: 30, renewable: true },
      secret: { leaseId: 'database/creds/ro/abc' },
      auth: {
        clientToken: 'hvs.new-token',
        accessor: 'new-accessor',
        displayName: 'token',
        policies: ['default'],
        tokenPolicies: ['default'],
        metadata: null,
        entityId: '',
        tokenType: 'service',
        tokenTtlSec: 120,
        numUses: 0,
      },
      wrapInfo: {
        token: 'hvs.wrapping',
        accessor: 'wrap-accessor',
        ttl: 300,
        creationTime: '2026-03-04T05:06:07.89Z',
        creationPath: 'secret/data/app',
        wrappedAccessor: 'wrapped-accessor',
      },
      warnings: ['a warning'],
    },
  };
}

const expectedAuth = {
  accessor: h('accessor-1'),
  client_token: h('hvs.client-token'),
  display_name: 'userpass-alice',
  entity_id: 'entity-1',
  identity_policies: ['group-pol'],
  metadata: { team: 'ops', username: 'alice' },
  policies: ['default', 'dev'],
  policy_results: { allowed: true, granting_policies: [{ name: 'dev', namespace_id: 'root', type: 'acl' }] },
  remaining_uses: 4,
  token_policies: ['default', 'dev'],
  token_issue_time: '2026-03-04T05:00:00Z',
  token_ttl: 3600,
  token_type: 'service',
};

const expectedRequest = {
  client_token: h('hvs.client-token'),
  client_token_accessor: h('accessor-1'),
  data: { data: { password: h('hunter2'), port: 5432, tags: [h('blue'), 7] }, options: { cas: 0 } },
  id: 'req-1',
  mount_accessor: 'kv_1234abcd',
  mount_class: 'secret',
  mount_point: 'secret/',
  mount_running_version: 'v0.20.0+builtin',
  mount_type: 'kv',
  namespace: { id: 'root' },
  operation: 'update',
  path: 'secret/data/app',
  remote_address: '127.0.0.1',
  remote_port: 50123,
  wrap_ttl: 60,
};

describe('formatRequestEntry', () => {
  it('produces Vault’s request entry with tokens, accessors and data strings hashed', () => {
    const entry = formatRequestEntry(requestInput(), opts);
    expect(entry).toStrictEqual({ time: '2026-03-04T05:06:07.89Z', auth: expectedAuth, request: expectedRequest, type: 'request' });
    // Key order follows Vault's struct order, time first.
    expect(Object.keys(entry)).toEqual(['time', 'auth', 'request', 'type']);
  });

  it('writes `auth:{token_type:"default"}` and the error for an unauthenticated, denied request', () => {
    const input = requestInput();
    delete input.auth;
    input.request.clientToken = '';
    input.request.clientTokenAccessor = '';
    input.request.data = null;
    input.error = 'permission denied';
    const entry = formatRequestEntry(input, opts);
    expect(entry.auth).toStrictEqual({ token_type: 'default' });
    expect(entry.error).toBe('permission denied');
    const request = entry.request as Record<string, unknown>;
    expect(request).not.toHaveProperty('client_token');
    expect(request).not.toHaveProperty('data');
  });

  it('log_raw writes every value as sent', () => {
    const entry = formatRequestEntry(requestInput(), { ...opts, logRaw: true });
    expect(JSON.stringify(entry)).not.toContain('hmac-sha256');
    expect((entry.auth as Record<string, unknown>).client_token).toBe('hvs.client-token');
    expect((entry.request as Record<string, unknown>).data).toEqual(requestInput().request.data);
  });

  it('hmac_accessor=false leaves accessors plain but still hashes tokens', () => {
    const entry = formatRequestEntry(requestInput(), { ...opts, hmacAccessor: false });
    const auth = entry.auth as Record<string, unknown>;
    const request = entry.request as Record<string, unknown>;
    expect(auth.accessor).toBe('accessor-1');
    expect(request.client_token_accessor).toBe('accessor-1');
    expect(auth.client_token).toBe(h('hvs.client-token'));
    expect(request.client_token).toBe(h('hvs.client-token'));
  });

  it('exempts the mount’s audit_non_hmac_request_keys', () => {
    const input = { ...requestInput(), nonHmacRequestKeys: ['password'] };
    const data = (formatRequestEntry(input, opts).request as { data: { data: Record<string, unknown> } }).data.data;
    expect(data.password).toBe('hunter2');
    expect(data.tags).toEqual([h('blue'), 7]);
  });

  it('always hashes token-bearing headers and those configured with hmac, others plain', () => {
    const input = requestInput();
    input.request.headers = { 'x-vault-token': ['hvs.header-token'], 'x-team': ['ops'], 'x-secret': ['s3'] };
    input.request.hmacHeaders = ['X-Secret'];
    const headers = (formatRequestEntry(input, opts).request as { headers: Record<string, string[]> }).headers;
    expect(headers).toStrictEqual({ 'x-secret': [h('s3')], 'x-team': ['ops'], 'x-vault-token': [h('hvs.header-token')] });
  });

  it('never modifies the input', () => {
    const input = requestInput();
    const snapshot = structuredClone(input);
    formatRequestEntry(input, opts);
    formatRequestEntry(input, { ...opts, logRaw: true });
    expect(input).toStrictEqual(snapshot);
  });
});

describe('formatResponseEntry', () => {
  it('produces Vault’s response entry with response auth, wrap info and data hashed', () => {
    const entry = formatResponseEntry(responseInput(), opts);
    expect(entry).toStrictEqual({
      time: '2026-03-04T05:06:07.89Z',
      auth: expectedAuth,
      request: expectedRequest,
      response: {
        auth: {
          accessor: h('new-accessor'),
          client_token: h('hvs.new-token'),
          display_name: 'token',
          policies: ['default'],
          token_policies: ['default'],
          token_ttl: 120,
          token_type: 'service',
        },
        data: { renewable: true, token: h('nested-secret'), ttl: 30 },
        mount_accessor: 'kv_1234abcd',
        mount_class: 'secret',
        mount_point: 'secret/',
        mount_running_plugin_version: 'v0.20.0+builtin',
        mount_type: 'kv',
        secret: { lease_id: 'database/creds/ro/abc' },
        wrap_info: {
          accessor: h('wrap-accessor'),
          creation_path: 'secret/data/app',
          creation_time: '2026-03-04T05:06:07.89Z',
          token: h('hvs.wrapping'),
          ttl: 300,
          wrapped_accessor: h('wrapped-accessor'),
        },
        warnings: ['a warning'],
      },
      type: 'response',
    });
  });

  it('hmac_accessor=false leaves wrap and auth accessors plain but hashes the tokens', () => {
    const response = formatResponseEntry(responseInput(), { ...opts, hmacAccessor: false }).response as Record<string, Record<string, unknown>>;
    expect(response.wrap_info!.accessor).toBe('wrap-accessor');
    expect(response.wrap_info!.wrapped_accessor).toBe('wrapped-accessor');
    expect(response.wrap_info!.token).toBe(h('hvs.wrapping'));
    expect(response.auth!.accessor).toBe('new-accessor');
    expect(response.auth!.client_token).toBe(h('hvs.new-token'));
  });

  it('log_raw writes the response as sent', () => {
    const response = formatResponseEntry(responseInput(), { ...opts, logRaw: true }).response as Record<string, Record<string, unknown>>;
    expect(response.data).toEqual({ renewable: true, token: 'nested-secret', ttl: 30 });
    expect(response.wrap_info!.token).toBe('hvs.wrapping');
  });

  it('a failed request still gets the mount fields and the error', () => {
    const input: AuditResponseInput = { ...requestInput(), error: '1 error occurred:\n\t* permission denied\n\n' };
    const entry = formatResponseEntry(input, opts);
    expect(entry.response).toStrictEqual({
      mount_accessor: 'kv_1234abcd',
      mount_class: 'secret',
      mount_point: 'secret/',
      mount_running_plugin_version: 'v0.20.0+builtin',
      mount_type: 'kv',
    });
    expect(entry.error).toContain('permission denied');
  });

  describe('elide_list_responses', () => {
    const listInput = (): AuditResponseInput => {
      const input = requestInput();
      input.request.operation = 'list';
      input.request.data = null;
      return { ...input, response: { data: { keys: ['a', 'b/', 'c'], key_info: { a: { x: 1 }, c: {} } } } };
    };

    it('replaces keys and key_info with their counts on list operations, hashed or raw', () => {
      for (const logRaw of [false, true]) {
        const data = (formatResponseEntry(listInput(), { ...opts, logRaw, elideListResponses: true }).response as { data: unknown }).data;
        expect(data).toStrictEqual({ key_info: 2, keys: 3 });
      }
    });

    it('keeps (hashed) keys when off, and on non-list operations', () => {
      const off = (formatResponseEntry(listInput(), opts).response as { data: { keys: string[] } }).data;
      expect(off.keys).toEqual([h('a'), h('b/'), h('c')]);
      const read = listInput();
      read.request.operation = 'read';
      const data = (formatResponseEntry(read, { ...opts, elideListResponses: true }).response as { data: { keys: string[] } }).data;
      expect(data.keys).toEqual([h('a'), h('b/'), h('c')]);
    });
  });
});

describe('encodeAuditLine', () => {
  it('writes prefix + JSON with Go’s HTML-safe escapes + newline', () => {
    const line = encodeAuditLine({ a: '<b>&\u2028' }, 'vault: ');
    expect(line).toBe('vault: {"a":"\\u003cb\\u003e\\u0026\\u2028"}\n');
    expect(JSON.parse(line.slice('vault: '.length))).toEqual({ a: '<b>&\u2028' });
  });
});
