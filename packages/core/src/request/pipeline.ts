// One request from start to end, in Vault's observable order (DESIGN.md §2, vault-api.md §2.1).
import { addressAllowed, calculateTtl, InvalidCredentialsError, parseDurationSec, randomUuid, VaultError, type Backend, type BackendRequest, type CallerInfo, type HandlerResult, type Operation, type Random, type Request, type Response, type Clock, type Logger, type SecretGrant } from '@coffer/sdk';
import type { MountTable } from '../mounts/mount-table.js';
import type { ResolvedToken, TokenStore } from '@coffer/token-store';
import type { PolicyStore } from '../policy/policy-store.js';
import type { ResponseWrapper } from '../wrapping/response-wrapper.js';
import type { AuditBroker } from '../audit/audit-broker.js';
import type { ExpirationManager } from '../expiration/index.js';
import { toResponse } from './response-envelope.js';
import { createInFlightCounter } from './limited-use-tracker.js';
import { auditRequestInput, auditResponseInput, type AuditContext } from './audit-inputs.js';
import { authorize } from './authorize.js';
import { canonicalPath } from './canonical-path.js';
import { matchesSpecialPath } from './special-paths.js';
import { issueLoginToken } from './login-token.js';
import { DEFAULT_USER_LOCKOUT, type UserLockout } from './user-lockout.js';
import type { EntityAliases } from '../identity/entity-aliases.js';

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
  wrapper: ResponseWrapper;
  audit: AuditBroker;
  expiration: ExpirationManager;
  clock: Clock;
  logger: Logger;
  aliases: EntityAliases;
  lockout: UserLockout;
  /** A fixed-size digest of a login alias: lockout keys must not grow with what a client sends. */
  lockoutHash(alias: string): string;
}

const WRITE_OPERATIONS: ReadonlySet<Operation> = new Set(['create', 'update', 'patch']);

/** The wrap TTL a request asks for (`X-Vault-Wrap-TTL`): 0 when none. */
function wrapTtlOf(request: Request): number {
  if (request.wrapTtl === undefined || request.wrapTtl === '') return 0;
  let ttlSec: number;
  try {
    ttlSec = parseDurationSec(request.wrapTtl);
  } catch {
    throw VaultError.invalid(`error parsing wrap TTL: invalid duration "${String(request.wrapTtl)}"`);
  }
  if (ttlSec < 0) throw VaultError.invalid('wrap TTL cannot be negative');
  return ttlSec;
}

function headersOf(request: Request): CallerInfo['headers'] {
  return request.headers ?? {};
}


interface AuditState {
  context: AuditContext;
  /** The request entry is written; a failure after this point logs only the response. */
  requestLogged: boolean;
  /** A lease this request registered: revoked if the response cannot be audited and so is never released. */
  leaseId?: string;
}

/** One request on its way through: what each step hands the next. */
interface Routed {
  request: Request;
  requestId: string;
  path: string;
  data: Record<string, unknown>;
  wrapTtlSec: number;
  mount: NonNullable<ReturnType<MountTable['route']>>['mount'];
  backend: Backend;
  relativePath: string;
  unauthenticated: boolean;
  token: ResolvedToken | undefined;
  /** This request takes the token's last use. */
  lastUse: boolean;
  /** A login under user lockout: whether its alias got locked meanwhile. */
  stillLocked?: () => boolean;
}

export function createPipeline(deps: PipelineDeps) {
  const limitedInFlight = createInFlightCounter();
  function callerOf(requestId: string, request: Request, token: ResolvedToken | undefined): CallerInfo {
    const caller: CallerInfo = { requestId, headers: headersOf(request) };
    if (request.remoteAddr !== undefined) caller.remoteAddr = request.remoteAddr;
    if (token) {
      caller.clientToken = token.id;
      caller.accessor = token.entry.accessor;
      caller.displayName = token.entry.displayName;
      caller.policies = token.entry.policies;
    }
    return caller;
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
    const wrapTtlSec = wrapTtlOf(request);

    const found = deps.mounts.route(path);
    const unauthenticated = found !== undefined && matchesSpecialPath(found.mount.backend.unauthenticatedPaths, found.relativePath);
    // A token sent to an unauthenticated path is still resolved, for the handlers that look at it.
    const token = request.token ? await deps.tokens.resolve(request.token) : undefined;
    const audit: AuditState = {
      context: { request, requestId, operation, path, data, wrapTtlSec, mount: found?.mount.entry, token, nowMs: deps.clock.now() },
      requestLogged: false,
    };
    return audited(audit, async () => {
      if (!unauthenticated && !token) throw request.token ? VaultError.invalidToken() : VaultError.permissionDenied();
      // A token bound to CIDR blocks is refused from anywhere else (Vault's CheckToken).
      if (token?.entry.boundCidrs?.length && !addressAllowed(request.remoteAddr, token.entry.boundCidrs)) throw VaultError.permissionDenied();
      // A use is counted as soon as the token is resolved, even if the request is then denied (§2.3).
      let lastUse = false;
      const limited = !unauthenticated && token !== undefined && token.entry.numUses !== 0;
      if (limited) {
        const use = await deps.tokens.consumeUse(token.entry.idHash);
        // Another request took the last use first.
        if (!use.allowed) throw VaultError.invalidToken();
        lastUse = use.last;
        limitedInFlight.begin(token.entry.idHash);
      }
      try {
        if (!found) {
          // No mount serves the path; only a caller the ACL lets through may learn that (404 vs 403).
          if (token) await authorize(deps.policies, { token, path, operation, data, requiresSudo: false });
          throw VaultError.unsupportedPath(path);
        }
        const routed: Routed = {
          request,
          requestId,
          path,
          data,
          wrapTtlSec,
          mount: found.mount,
          backend: found.mount.backend,
          relativePath: found.relativePath,
          unauthenticated,
          token,
          lastUse,
        };
        const response = await withLockout(routed, () => dispatch(routed, audit));
        return await wrapIfAsked(routed, response);
      } finally {
        // Once the request that took the final use and every other admitted one are done, the
        // token goes, with its children and leases.
        if (limited) {
          const revokeNow = limitedInFlight.end(token.entry.idHash, lastUse);
          if (revokeNow) await deps.tokens.revokeTree(token.entry.idHash);
        }
      }
    });
  }

  /**
   * Audits a request and its outcome, failing closed (vault-api.md §2.12): denied and failed
   * requests are logged too, and a response no device could record becomes a 500.
   */
  async function audited(audit: AuditState, run: () => Promise<Response>): Promise<Response> {
    if (!deps.audit.hasDevices()) return run();
    let response: Response;
    try {
      response = await run();
    } catch (error) {
      const failure = VaultError.from(error);
      if (!audit.requestLogged) await deps.audit.logRequest(auditRequestInput(audit.context, failure.message));
      await deps.audit.logResponse(auditResponseInput(audit.context, undefined, failure.message));
      throw failure;
    }
    try {
      await deps.audit.logResponse(auditResponseInput(audit.context, response));
    } catch (error) {
      // The client never sees the secret, so nobody could revoke it: take it back now (reliability.md F9).
      if (audit.leaseId) {
        await deps.expiration.revoke(audit.leaseId, { sync: true }).catch((revokeError: unknown) =>
          deps.logger.log('error', 'could not revoke a secret whose response failed to audit', { lease_id: audit.leaseId, error: String(revokeError) }),
        );
      }
      throw error;
    }
    return response;
  }

  /** Logs the request entry once it is authorised, before the backend acts on it. */
  async function logRequest(audit: AuditState): Promise<void> {
    if (!deps.audit.hasDevices()) return;
    await deps.audit.logRequest(auditRequestInput(audit.context));
    audit.requestLogged = true;
  }

  async function dispatch(routed: Routed, audit: AuditState): Promise<Response> {
    const { request, backend } = routed;
    const backendRequest: BackendRequest = { operation: request.operation, path: routed.relativePath, data: routed.data, caller: callerOf(routed.requestId, request, routed.token) };
    if (routed.wrapTtlSec > 0) backendRequest.wrapTtlSec = routed.wrapTtlSec;
    if (request.signal) backendRequest.signal = request.signal;
    if (request.operation === 'create' || request.operation === 'update') {
      const exists = await backend.exists(backendRequest);
      backendRequest.operation = exists === false ? 'create' : 'update';
    }
    if (!routed.unauthenticated && routed.token) {
      const decision = await authorize(deps.policies, {
        token: routed.token,
        path: routed.path,
        operation: backendRequest.operation,
        data: routed.data,
        ...(routed.wrapTtlSec > 0 ? { wrapTtlSec: routed.wrapTtlSec } : {}),
        requiresSudo: matchesSpecialPath(backend.rootPaths, routed.relativePath),
      });
      backendRequest.caller.sudo = decision.sudo;
    }
    audit.context.operation = backendRequest.operation;
    await logRequest(audit);
    const result = await backend.handle(backendRequest);
    if (result?.login) return login(routed, backendRequest.operation, result);
    const response = toResponse(routed.requestId, backendRequest.operation, routed.mount.entry.type, result);
    if (!result?.secret) return response;
    const withLease = await leased(routed, response, result.secret);
    audit.leaseId = withLease.leaseId;
    return withLease;
  }

  /**
   * User lockout around a login (Vault's handleLoginRequest): a locked alias is refused before the
   * method runs and again before its token is minted; wrong credentials count, a successful login
   * clears the count. Only logins to auth methods that name their alias (`loginAlias`) take part.
   */
  async function withLockout(routed: Routed, run: () => Promise<Response>): Promise<Response> {
    const { mount } = routed;
    if (!routed.unauthenticated || mount.entry.table !== 'auth' || !mount.backend.loginAlias) return run();
    const config = mount.entry.config.userLockout ?? DEFAULT_USER_LOCKOUT;
    const alias = mount.backend.loginAlias({ operation: routed.request.operation, path: routed.relativePath, data: routed.data, caller: { requestId: routed.requestId, headers: {} } });
    if (config.disabled || alias === undefined) return run();
    const key = `${mount.entry.accessor}/${deps.lockoutHash(alias)}`;
    const locked = () => deps.lockout.isLocked(key, config, deps.clock.now());
    if (locked()) throw VaultError.permissionDenied();
    routed.stillLocked = locked;
    let response: Response;
    try {
      response = await run();
    } catch (error) {
      if (error instanceof InvalidCredentialsError) deps.lockout.failed(key, config, deps.clock.now());
      throw error;
    }
    if (response.auth) deps.lockout.succeeded(key);
    return response;
  }

  /** A successful login: the core, not the auth method, mints the token (vault-api.md U7, R12). */
  async function login(routed: Routed, operation: Operation, result: HandlerResult): Promise<Response> {
    if (routed.mount.entry.table !== 'auth') throw VaultError.internal('only an auth method can log in');
    if (routed.stillLocked) {
      // Other guesses of the same alias may have failed while this one was being checked: let
      // every rejection already on its way be counted (one event-loop turn), then look again.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (routed.stillLocked()) throw VaultError.permissionDenied();
    }
    const { login: grant, ...rest } = result;
    const { auth, warnings } = await issueLoginToken(deps, routed.path, routed.mount.env.mount(), routed.mount.entry.config.tokenType, grant!);
    const allWarnings = [...(rest.warnings ?? []), ...warnings];
    return toResponse(routed.requestId, operation, routed.mount.entry.type, { ...rest, auth, ...(allWarnings.length > 0 ? { warnings: allWarnings } : {}) });
  }

  /** Puts a secret the backend issued under a lease owned by the requesting token (vault-api.md §2.4). */
  async function leased(routed: Routed, response: Response, secret: SecretGrant): Promise<Response> {
    const mount = routed.mount.env.mount();
    const nowMs = deps.clock.now();
    const ttl = calculateTtl({
      nowMs,
      issueTimeMs: nowMs,
      incrementSec: 0,
      requestedTtlSec: secret.ttlSec ?? 0,
      periodSec: 0,
      explicitMaxTtlSec: 0,
      backendMaxTtlSec: secret.maxTtlSec ?? 0,
      mountDefaultTtlSec: mount.defaultLeaseTtlSec,
      mountMaxTtlSec: mount.maxLeaseTtlSec,
    });
    const batchToken = routed.token?.entry.type === 'batch' ? routed.token.entry : undefined;
    const lease = await deps.expiration.register({
      path: routed.path,
      mountAccessor: routed.mount.entry.accessor,
      secretType: secret.type,
      internal: secret.internal,
      // A batch token is not stored: its leases belong to its parent (revoked with it), and
      // none outlives the batch token itself (CVE-2020-25816).
      tokenHash: batchToken ? (batchToken.parentHash ?? '') : (routed.token?.entry.idHash ?? ''),
      ...(batchToken ? { notAfterMs: batchToken.expireTimeMs } : {}),
      ttlSec: ttl.ttlSec,
      maxTtlSec: ttl.maxTtlSec,
      renewable: secret.renewable ?? true,
    });
    if (routed.lastUse) {
      // The token dies with this request; what it just obtained must not outlive it unseen.
      await deps.expiration.revoke(lease.leaseId, { sync: true });
      throw VaultError.invalid('Secret cannot be returned; token had one use left, so leased credentials were immediately revoked.');
    }
    const warnings = [...(response.warnings ?? []), ...ttl.warnings];
    return { ...response, leaseId: lease.leaseId, leaseDurationSec: lease.ttlSec, renewable: lease.renewable, warnings: warnings.length > 0 ? warnings : null };
  }

  /** Errors and empty answers are never wrapped (vault-api.md §2.9). */
  async function wrapIfAsked(routed: Routed, response: Response): Promise<Response> {
    if (routed.wrapTtlSec === 0 || response.status === 204 || response.raw !== undefined) return response;
    return deps.wrapper.wrap(response, routed.wrapTtlSec, routed.path);
  }
}
