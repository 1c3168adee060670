// Vault's audit entry (audit/types.go, audit/entry_formatter.go): what the pipeline hands over and the JSON line a device writes.
import type { Clock, Crypto } from '@coffer/sdk';
import { formatRfc3339, formatRfc3339Nano } from '@coffer/sdk';
import { hashStructure, hmacAuditValue, type AuditHashFn } from './audit-hash.js';

/** A policy that granted the request (`policy_results.granting_policies[]`). */
export interface AuditGrantingPolicy {
  name: string;
  namespaceId: string;
  type: string;
}

/** The caller's token, as resolved by the pipeline. Absent for unauthenticated requests. */
export interface AuditAuthInput {
  clientToken: string;
  accessor: string;
  displayName: string;
  policies: readonly string[];
  tokenPolicies: readonly string[];
  identityPolicies?: readonly string[];
  metadata: Readonly<Record<string, string>> | null;
  entityId: string;
  /** `service`, `batch`; Vault writes `default` when there is no token. */
  tokenType: string;
  tokenTtlSec: number;
  tokenIssueTimeMs: number;
  policyResults?: { allowed: boolean; grantingPolicies: readonly AuditGrantingPolicy[] };
  /** Uses left on a limited-use token after this request. */
  remainingUses?: number;
}

export interface AuditRequestFields {
  id: string;
  operation: string;
  /** Mount path with trailing slash, e.g. `secret/`. */
  mountPoint: string;
  mountType: string;
  mountAccessor: string;
  /** `secret` or `auth`. */
  mountClass: string;
  /** e.g. `v1.15.0+builtin.vault`; omitted when unknown. */
  mountRunningVersion?: string;
  clientToken: string;
  clientTokenAccessor: string;
  /** Full request path including the mount, e.g. `secret/data/app`. */
  path: string;
  data: Readonly<Record<string, unknown>> | null | undefined;
  remoteAddress?: string;
  remotePort?: number;
  wrapTtlSec?: number;
  /** Audited request headers (already filtered to `sys/config/auditing/request-headers`), lower-case names. */
  headers?: Readonly<Record<string, readonly string[]>>;
  /** Header names configured with `hmac: true`. */
  hmacHeaders?: readonly string[];
}

export interface AuditRequestInput {
  auth?: AuditAuthInput;
  request: AuditRequestFields;
  /** The error the client will see (`permission denied`, ...). */
  error?: string;
  /** The mount's `audit_non_hmac_request_keys`. */
  nonHmacRequestKeys?: readonly string[];
}

/** The `auth` block of a login or token-creation response: the new token, with its uses. */
export interface AuditResponseAuthInput extends Omit<AuditAuthInput, 'tokenIssueTimeMs' | 'policyResults' | 'remainingUses'> {
  tokenIssueTimeMs?: number;
  numUses: number;
}

export interface AuditWrapInfoInput {
  token: string;
  accessor: string;
  /** Seconds. */
  ttl: number;
  /** RFC 3339 timestamp, as in the client's `wrap_info.creation_time`. */
  creationTime: string;
  creationPath: string;
  wrappedAccessor?: string;
}

export interface AuditResponseFields {
  data?: Readonly<Record<string, unknown>> | null;
  secret?: { leaseId: string };
  auth?: AuditResponseAuthInput;
  wrapInfo?: AuditWrapInfoInput;
  warnings?: readonly string[] | null;
  redirect?: string;
}

export interface AuditResponseInput extends AuditRequestInput {
  /** Absent when the request failed; Vault still writes the mount fields. */
  response?: AuditResponseFields;
  /** The mount's `audit_non_hmac_response_keys`. */
  nonHmacResponseKeys?: readonly string[];
}

export interface AuditFormatOptions {
  crypto: Crypto;
  /** The device's salt; the HMAC key. */
  salt: string;
  clock: Clock;
  logRaw?: boolean;
  /** Default true. */
  hmacAccessor?: boolean;
  elideListResponses?: boolean;
}

/** A JSON object as it will be written. */
export type AuditEntry = Record<string, unknown>;

/**
 * Header values that carry a token are hashed whatever the header config says: a
 * regression that logged them raw was CVE-2024-8365.
 */
const ALWAYS_HMAC_HEADERS = ['x-vault-token', 'authorization'];

/**
 * Go's `omitempty`: Vault's entry structs drop "", 0, false, null and empty maps and
 * lists, so a field absent from a line means "empty", and parsers rely on that shape.
 */
function omitEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === '' || value === 0 || value === false) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    out[name] = value;
  }
  return out;
}

interface Hashing {
  /** Hashes a secret string; the identity when log_raw. */
  secret: (value: string) => string;
  /** Hashes an accessor when hmac_accessor, else the identity. */
  accessor: (value: string) => string;
  /** For structure walks; undefined when log_raw. */
  walk: AuditHashFn | undefined;
}

function hashing(opts: AuditFormatOptions): Hashing {
  if (opts.logRaw) {
    const identity = (value: string): string => value;
    return { secret: identity, accessor: identity, walk: undefined };
  }
  const hmac = (value: string): string => hmacAuditValue(opts.crypto, opts.salt, value);
  // Vault leaves an empty token or accessor empty rather than hashing "".
  const secret = (value: string): string => (value === '' ? '' : hmac(value));
  return { secret, accessor: opts.hmacAccessor === false ? (value) => value : secret, walk: hmac };
}

/** Copies a data map: hashed unless raw, keys sorted, never aliasing the input. */
function copyData(data: Readonly<Record<string, unknown>> | null | undefined, h: Hashing, nonHmacKeys: readonly string[] | undefined): Record<string, unknown> | undefined {
  if (data === null || data === undefined) return undefined;
  return hashStructure(data, h.walk, nonHmacKeys) as Record<string, unknown>;
}

function sortedMap<T>(map: Readonly<Record<string, T>> | null | undefined): Record<string, T> | undefined {
  if (!map) return undefined;
  return Object.fromEntries(Object.keys(map).sort().map((k) => [k, map[k]!]));
}

function authBlock(auth: AuditAuthInput | undefined, h: Hashing): Record<string, unknown> {
  if (!auth) return { token_type: 'default' };
  const policyResults = auth.policyResults
    ? {
        // `allowed` and a policy's `type` have no omitempty in Vault.
        allowed: auth.policyResults.allowed,
        ...omitEmpty({
          granting_policies: auth.policyResults.grantingPolicies.map((p) => ({ ...omitEmpty({ name: p.name, namespace_id: p.namespaceId }), type: p.type })),
        }),
      }
    : undefined;
  return omitEmpty({
    accessor: h.accessor(auth.accessor),
    client_token: h.secret(auth.clientToken),
    display_name: auth.displayName,
    entity_id: auth.entityId,
    identity_policies: auth.identityPolicies ? [...auth.identityPolicies] : undefined,
    metadata: sortedMap(auth.metadata),
    policies: [...auth.policies],
    policy_results: policyResults,
    remaining_uses: auth.remainingUses,
    token_policies: [...auth.tokenPolicies],
    token_issue_time: auth.tokenIssueTimeMs ? formatRfc3339(auth.tokenIssueTimeMs) : undefined,
    token_ttl: auth.tokenTtlSec,
    token_type: auth.tokenType || 'default',
  });
}

function headersBlock(request: AuditRequestFields, h: Hashing): Record<string, string[]> | undefined {
  if (!request.headers) return undefined;
  const hmacNames = new Set([...(request.hmacHeaders ?? []), ...ALWAYS_HMAC_HEADERS].map((n) => n.toLowerCase()));
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(request.headers).sort()) {
    const values = request.headers[name] ?? [];
    out[name] = hmacNames.has(name.toLowerCase()) ? values.map(h.secret) : [...values];
  }
  return out;
}

function requestBlock(input: AuditRequestInput, h: Hashing): Record<string, unknown> {
  const r = input.request;
  return omitEmpty({
    client_token: h.secret(r.clientToken),
    client_token_accessor: h.accessor(r.clientTokenAccessor),
    data: copyData(r.data, h, input.nonHmacRequestKeys),
    headers: headersBlock(r, h),
    id: r.id,
    mount_accessor: r.mountAccessor,
    mount_class: r.mountClass,
    mount_point: r.mountPoint,
    mount_running_version: r.mountRunningVersion,
    mount_type: r.mountType,
    // Coffer has only the root namespace; its path is "" and so omitted, as in Vault.
    namespace: { id: 'root' },
    operation: r.operation,
    path: r.path,
    remote_address: r.remoteAddress,
    remote_port: r.remotePort,
    wrap_ttl: r.wrapTtlSec,
  });
}

/** Vault's `elide_list_responses`: a list's `keys` and `key_info` become their counts. */
function elideListData(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  const keys = out.keys;
  if (Array.isArray(keys) && keys.every((k) => typeof k === 'string')) out.keys = keys.length;
  const keyInfo = out.key_info;
  if (typeof keyInfo === 'object' && keyInfo !== null && !Array.isArray(keyInfo)) out.key_info = Object.keys(keyInfo).length;
  return out;
}

function responseBlock(input: AuditResponseInput, opts: AuditFormatOptions, h: Hashing): Record<string, unknown> {
  const r = input.request;
  const resp = input.response ?? {};
  let data = resp.data;
  // Elided before hashing, so the counts stay numbers and no time is spent hashing keys.
  if (data && opts.elideListResponses && r.operation === 'list') data = elideListData(data);
  const auth = resp.auth
    ? omitEmpty({
        accessor: h.accessor(resp.auth.accessor),
        client_token: h.secret(resp.auth.clientToken),
        display_name: resp.auth.displayName,
        entity_id: resp.auth.entityId,
        identity_policies: resp.auth.identityPolicies ? [...resp.auth.identityPolicies] : undefined,
        metadata: sortedMap(resp.auth.metadata),
        num_uses: resp.auth.numUses,
        policies: [...resp.auth.policies],
        token_policies: [...resp.auth.tokenPolicies],
        token_issue_time: resp.auth.tokenIssueTimeMs ? formatRfc3339(resp.auth.tokenIssueTimeMs) : undefined,
        token_ttl: resp.auth.tokenTtlSec,
        token_type: resp.auth.tokenType || 'default',
      })
    : undefined;
  const wrap = resp.wrapInfo
    ? omitEmpty({
        accessor: h.accessor(resp.wrapInfo.accessor),
        creation_path: resp.wrapInfo.creationPath,
        creation_time: resp.wrapInfo.creationTime,
        token: h.secret(resp.wrapInfo.token),
        ttl: resp.wrapInfo.ttl,
        wrapped_accessor: resp.wrapInfo.wrappedAccessor ? h.accessor(resp.wrapInfo.wrappedAccessor) : undefined,
      })
    : undefined;
  return omitEmpty({
    auth,
    data: copyData(data, h, input.nonHmacResponseKeys),
    mount_accessor: r.mountAccessor,
    mount_class: r.mountClass,
    mount_point: r.mountPoint,
    // Vault's response block really does spell this one differently from the request's.
    mount_running_plugin_version: r.mountRunningVersion,
    mount_type: r.mountType,
    redirect: resp.redirect,
    // Lease ids are not secrets: they are logged plain so leases can be traced.
    secret: resp.secret ? omitEmpty({ lease_id: resp.secret.leaseId }) : undefined,
    wrap_info: wrap,
    warnings: resp.warnings ? [...resp.warnings] : undefined,
  });
}

/** The `type:"request"` entry, hashed per the device's options. Never modifies `input`. */
export function formatRequestEntry(input: AuditRequestInput, opts: AuditFormatOptions): AuditEntry {
  const h = hashing(opts);
  return omitEmpty({
    time: formatRfc3339Nano(opts.clock.now()),
    auth: authBlock(input.auth, h),
    error: input.error,
    request: requestBlock(input, h),
    type: 'request',
  });
}

/** The `type:"response"` entry, hashed per the device's options. Never modifies `input`. */
export function formatResponseEntry(input: AuditResponseInput, opts: AuditFormatOptions): AuditEntry {
  const h = hashing(opts);
  return omitEmpty({
    time: formatRfc3339Nano(opts.clock.now()),
    auth: authBlock(input.auth, h),
    error: input.error,
    request: requestBlock(input, h),
    response: responseBlock(input, opts, h),
    type: 'response',
  });
}

const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * One line as Vault's encoder writes it: `prefix`, the JSON object with Go's HTML-safe
 * escaping of `<`, `>`, `&`, U+2028 and U+2029, then a newline.
 */
export function encodeAuditLine(entry: AuditEntry, prefix = ''): string {
  return `${prefix}${JSON.stringify(entry).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!)}\n`;
}
