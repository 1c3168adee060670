// One request from start to end, in Vault's observable order (DESIGN.md §2, vault-api.md §2.1).
import { parseDurationSec, randomUuid, VaultError, type Backend, type BackendRequest, type CallerInfo, type HandlerResult, type Operation, type Random, type Request, type Response } from '@coffer/sdk';
import type { MountTable } from '../mounts/mount-table.js';
import type { ResolvedToken, TokenStore } from '@coffer/token-store';
import type { PolicyStore } from '../policy/policy-store.js';
import { authorize } from './authorize.js';
import { canonicalPath } from './canonical-path.js';
import { matchesSpecialPath } from './special-paths.js';

/** sys/ paths served without a barrier: they are how a vault gets initialised and unsealed. */
const PRE_UNSEAL_SYS_PATHS = ['init', 'seal-status', 'unseal', 'health', 'leader', 'rekey/*', 'rekey-recovery-key/*', 'generate-root/*'];

export interface PipelineDeps {
  random: Random;
  sealed(): boolean;
  /** The sys backend, alive sealed or not. */
  sys: Backend;
  mounts: MountTable;
  tokens: TokenStore;
  policies: PolicyStore;
}

const WRITE_OPERATIONS: ReadonlySet<Operation> = new Set(['create', 'update', 'patch']);

function headersOf(request: Request): CallerInfo['headers'] {
  return request.headers ?? {};
}

function toResponse(requestId: string, operation: Operation, mountType: string, result: HandlerResult | undefined): Response {
  const base: Response = {
    requestId,
    status: 200,
    data: null,
    leaseId: '',
    renewable: false,
    leaseDurationSec: 0,
    auth: null,
    wrapInfo: null,
    warnings: null,
    mountType,
  };
  if (result?.raw !== undefined) return { ...base, status: result.status ?? 200, raw: result.raw };
  if (!result || (result.data === undefined && result.auth === undefined && !result.warnings?.length && result.status === undefined)) {
    // Vault answers an empty read or list with 404 and no errors, and an empty write with 204.
    if (operation === 'read' || operation === 'list') throw VaultError.notFound();
    return { ...base, status: 204 };
  }
  if (operation === 'list') {
    const keys = result.data?.keys;
    if (Array.isArray(keys) && keys.length === 0) throw VaultError.notFound();
  }
  return {
    ...base,
    status: result.status ?? 200,
    data: result.data ?? null,
    warnings: result.warnings?.length ? result.warnings : null,
    auth: result.auth ?? null,
    ...(result.injectData ? { injectData: true } : {}),
  };
}

export function createPipeline(deps: PipelineDeps) {
  async function resolveToken(id: string | undefined): Promise<ResolvedToken | undefined> {
    if (!id) return undefined;
    return deps.tokens.resolve(id);
  }

  function callerOf(requestId: string, request: Request, token: ResolvedToken | undefined): CallerInfo {
    return {
      requestId,
      headers: headersOf(request),
      ...(request.remoteAddr !== undefined ? { remoteAddr: request.remoteAddr } : {}),
      ...(token
        ? { clientToken: token.id, accessor: token.entry.accessor, displayName: token.entry.displayName, policies: token.entry.policies }
        : {}),
    };
  }

  // Whatever fails underneath (storage, a bug in an engine) reaches the caller as a VaultError 500.
  return async function handle(request: Request): Promise<Response> {
    try {
      return await route(request);
    } catch (error) {
      throw VaultError.from(error);
    }
  };

  async function route(request: Request): Promise<Response> {
    const requestId = randomUuid(deps.random);
    const path = canonicalPath(request.path);
    const operation = request.operation;
    const data = request.data ?? {};

    if (path.startsWith('sys/') && matchesSpecialPath(PRE_UNSEAL_SYS_PATHS, path.slice(4))) {
      const backendRequest: BackendRequest = { operation, path: path.slice(4), data, caller: callerOf(requestId, request, undefined) };
      return toResponse(requestId, operation, 'system', await deps.sys.handle(backendRequest));
    }
    if (deps.sealed()) throw VaultError.sealed();
    if (WRITE_OPERATIONS.has(operation) && path.endsWith('/')) throw VaultError.invalid("cannot write to a path ending in '/'");

    const routed = deps.mounts.route(path);
    const relativePath = routed?.relativePath ?? '';
    const backend = routed?.mount.backend;
    const unauthenticated = backend !== undefined && matchesSpecialPath(backend.unauthenticatedPaths, relativePath);

    // A token sent to an unauthenticated path is still resolved, for the handlers that look at it.
    const token = await resolveToken(request.token);
    if (!unauthenticated && !token) throw request.token ? VaultError.invalidToken() : VaultError.permissionDenied();
    // A use is counted as soon as the token is resolved, even if the request is then denied (§2.3).
    const lastUse = !unauthenticated && token !== undefined && token.entry.numUses !== 0 && (await deps.tokens.consumeUse(token.entry.idHash)).last;
    try {
      return await dispatch(request, requestId, path, operation, data, routed, unauthenticated, token);
    } finally {
      // The request that used the final use ran; now the token goes, with its children and leases.
      if (lastUse) await deps.tokens.revokeTree(token!.entry.idHash);
    }
  }

  async function dispatch(
    request: Request,
    requestId: string,
    path: string,
    operation: Operation,
    data: Record<string, unknown>,
    routed: ReturnType<MountTable['route']>,
    unauthenticated: boolean,
    token: ResolvedToken | undefined,
  ): Promise<Response> {
    const backend = routed?.mount.backend;
    if (!routed || !backend) throw VaultError.unsupportedPath(path);
    const relativePath = routed.relativePath;

    const backendRequest: BackendRequest = {
      operation,
      path: relativePath,
      data,
      caller: callerOf(requestId, request, token),
      ...(request.signal ? { signal: request.signal } : {}),
    };
    if (operation === 'create' || operation === 'update') {
      const exists = await backend.exists(backendRequest);
      backendRequest.operation = exists === false ? 'create' : 'update';
    }
    if (!unauthenticated && token) {
      const decision = await authorize(deps.policies, {
        token,
        path,
        operation: backendRequest.operation,
        data,
        ...(request.wrapTtl !== undefined ? { wrapTtlSec: parseDurationSec(request.wrapTtl) } : {}),
        requiresSudo: matchesSpecialPath(backend.rootPaths, relativePath),
      });
      backendRequest.caller.sudo = decision.sudo;
    }
    const result = await backend.handle(backendRequest);
    return toResponse(requestId, backendRequest.operation, routed.mount.entry.type, result);
  }
}
