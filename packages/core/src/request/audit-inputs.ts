// What the pipeline tells the audit broker about a request and its response (vault-api.md §2.12), built from the routed state.
import type { AuthInfo, Request, Response } from '@coffer/sdk';
import { remainingTtlSec, type ResolvedToken } from '@coffer/token-store';
import type { AuditAuthInput, AuditRequestInput, AuditResponseAuthInput, AuditResponseInput } from '../audit/audit-entry.js';
import type { MountEntry } from '../mounts/mount-entry.js';
import { routerPath } from '../mounts/mount-entry.js';

export interface AuditContext {
  request: Request;
  requestId: string;
  /** The operation after the existence check turned a write into create or update. */
  operation: string;
  path: string;
  data: Readonly<Record<string, unknown>>;
  wrapTtlSec: number;
  mount: MountEntry | undefined;
  token: ResolvedToken | undefined;
  nowMs: number;
}

function authInput(token: ResolvedToken, nowMs: number): AuditAuthInput {
  const { entry } = token;
  return {
    clientToken: token.id,
    accessor: entry.accessor,
    displayName: entry.displayName,
    policies: entry.policies,
    tokenPolicies: entry.policies,
    metadata: entry.meta,
    entityId: entry.entityId,
    tokenType: entry.type,
    tokenTtlSec: remainingTtlSec(entry, nowMs),
    tokenIssueTimeMs: entry.creationTimeMs,
    ...(entry.numUses > 0 ? { remainingUses: entry.numUses } : {}),
  };
}

export function auditRequestInput(context: AuditContext, error?: string): AuditRequestInput {
  const { request, token, mount } = context;
  return {
    ...(token ? { auth: authInput(token, context.nowMs) } : {}),
    request: {
      id: context.requestId,
      operation: context.operation,
      mountPoint: mount ? routerPath(mount) : '',
      mountType: mount?.type ?? '',
      mountAccessor: mount?.accessor ?? '',
      mountClass: mount ? (mount.table === 'auth' ? 'auth' : 'secret') : '',
      clientToken: request.token ?? '',
      clientTokenAccessor: token?.entry.accessor ?? '',
      path: context.path,
      data: context.data,
      ...(request.remoteAddr !== undefined ? { remoteAddress: request.remoteAddr } : {}),
      ...(request.remotePort !== undefined ? { remotePort: request.remotePort } : {}),
      ...(context.wrapTtlSec > 0 ? { wrapTtlSec: context.wrapTtlSec } : {}),
    },
    ...(error !== undefined ? { error } : {}),
  };
}

function responseAuth(auth: AuthInfo): AuditResponseAuthInput {
  return {
    clientToken: auth.client_token,
    accessor: auth.accessor,
    displayName: '',
    policies: auth.policies,
    tokenPolicies: auth.token_policies,
    metadata: auth.metadata,
    entityId: auth.entity_id,
    tokenType: auth.token_type,
    tokenTtlSec: auth.lease_duration,
    numUses: auth.num_uses,
  };
}

export function auditResponseInput(context: AuditContext, response: Response | undefined, error?: string): AuditResponseInput {
  const base = auditRequestInput(context, error);
  if (!response) return base;
  return {
    ...base,
    response: {
      data: response.data,
      ...(response.leaseId ? { secret: { leaseId: response.leaseId } } : {}),
      ...(response.auth ? { auth: responseAuth(response.auth) } : {}),
      ...(response.wrapInfo
        ? {
            wrapInfo: {
              token: response.wrapInfo.token,
              accessor: response.wrapInfo.accessor,
              ttl: response.wrapInfo.ttl,
              creationTime: response.wrapInfo.creation_time,
              creationPath: response.wrapInfo.creation_path,
              ...(response.wrapInfo.wrapped_accessor ? { wrappedAccessor: response.wrapInfo.wrapped_accessor } : {}),
            },
          }
        : {}),
      warnings: response.warnings,
    },
  };
}
