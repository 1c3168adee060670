// A mountable backend built from a table of paths (Vault's framework.Backend): routing, validation, help.
import { coerceField, FieldError, type FieldTable } from './field.js';
import type { PathContext, PathDefinition } from './path.js';
import type { BackendEnv, BackendRequest, HandlerResult, Operation } from './request.js';
import type { SecretDefinition } from './secret.js';
import type { LoginRenewal, LoginRenewRequest } from './login.js';
import { VaultError } from './errors.js';
import { renderHelp } from './help.js';

export interface BackendSpec {
  /** Mount type, e.g. `kv` or `userpass`. */
  type: string;
  help: string;
  // Paths are heterogeneous in their field tables; each is checked where it is defined.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  paths: readonly PathDefinition<any>[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  secrets?: readonly SecretDefinition<any>[];
  /** Paths (relative, `*` suffix allowed) that need no token: login endpoints. */
  unauthenticatedPaths?: readonly string[];
  /** Paths that need `sudo` in addition to the operation's capability. */
  rootPaths?: readonly string[];
  /** Runs when the mount is torn down or the vault seals (close pools, cancel timers). */
  cleanup?: () => Promise<void>;
  /**
   * An auth method's alias lookahead: who a login request claims to be (the normalised username,
   * the role id), so the core can refuse a locked-out user before the method runs.
   */
  loginAlias?: (request: BackendRequest) => string | undefined;
  /** An auth method's check when a token it issued is renewed (the user still exists, its policies are unchanged). */
  renewLogin?: (request: LoginRenewRequest, env: BackendEnv) => Promise<LoginRenewal>;
}

/** A backend as the router sees it. */
export interface Backend {
  readonly type: string;
  readonly unauthenticatedPaths: readonly string[];
  readonly rootPaths: readonly string[];
  /** Dispatches one request; `undefined` means "nothing to return" (204). */
  handle(request: BackendRequest): Promise<HandlerResult | undefined>;
  /** `true`/`false` when the path has an existence check, `undefined` when it has none. */
  exists(request: BackendRequest): Promise<boolean | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  secret(type: string): SecretDefinition<any> | undefined;
  /** Present on auth methods with user lockout: who a login request claims to be. */
  loginAlias?(request: BackendRequest): string | undefined;
  /** Present on auth methods whose tokens renew through them. */
  renewLogin?(request: LoginRenewRequest): Promise<LoginRenewal>;
  cleanup(): Promise<void>;
}

export type BackendFactory = (env: BackendEnv) => Promise<Backend>;

interface Match {
  definition: PathDefinition<FieldTable>;
  captured: Record<string, string> | undefined;
}

/**
 * The paths a request can match, by its first segment: a backend such as sys/ has a hundred
 * patterns, and trying each regex in turn was a measurable part of every request. Each list
 * keeps the table's order (the first match wins), with the patterns that start with a capture
 * in every list.
 */
interface RouteIndex {
  byFirstSegment: Map<string, readonly PathDefinition<FieldTable>[]>;
  /** For a first segment no literal pattern starts with. */
  startingWithCapture: readonly PathDefinition<FieldTable>[];
}

function literalFirstSegment(definition: PathDefinition<FieldTable>): string | undefined {
  const first = definition.pattern.split('/', 1)[0]!;
  return first.startsWith(':') || first.startsWith('*') ? undefined : first;
}

function indexRoutes(paths: readonly PathDefinition<FieldTable>[]): RouteIndex {
  const firsts = paths.map(literalFirstSegment);
  const startingWithCapture = paths.filter((_, i) => firsts[i] === undefined);
  const byFirstSegment = new Map<string, readonly PathDefinition<FieldTable>[]>();
  for (const first of new Set(firsts)) {
    if (first !== undefined) byFirstSegment.set(first, paths.filter((_, i) => firsts[i] === first || firsts[i] === undefined));
  }
  return { byFirstSegment, startingWithCapture };
}

function firstSegment(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? path : path.slice(0, slash);
}

function matchPath(routes: RouteIndex, path: string, operation: Operation): Match | undefined {
  const found = matchCandidate(routes.byFirstSegment.get(firstSegment(path)) ?? routes.startingWithCapture, path);
  if (found || operation !== 'list' || !path.endsWith('/')) return found;
  const folder = path.slice(0, -1);
  return matchCandidate(routes.byFirstSegment.get(firstSegment(folder)) ?? routes.startingWithCapture, folder);
}

function matchCandidate(paths: readonly PathDefinition<FieldTable>[], candidate: string): Match | undefined {
  for (const definition of paths) {
    const found = definition.regex.exec(candidate);
    if (!found) continue;
    let captured: Record<string, string> | undefined;
    for (let i = 0; i < definition.captures.length; i++) {
      const value = found[i + 1];
      if (value !== undefined) (captured ??= {})[definition.captures[i]!] = value;
    }
    return { definition, captured };
  }
  return undefined;
}

/** Vault accepts `create` and `update` interchangeably when a path implements only one of them. */
function operationSpec(definition: PathDefinition<FieldTable>, operation: Operation) {
  if (operation === 'help') return undefined;
  const direct = definition.operations[operation];
  if (direct) return direct;
  if (operation === 'create') return definition.operations.update;
  if (operation === 'update') return definition.operations.create;
  return undefined;
}

/**
 * One handler's view of a request. A class rather than an object literal with closures: one is
 * built per request, and its shape never changes.
 */
class RequestContext implements PathContext<FieldTable> {
  readonly storage;
  readonly clock;
  readonly random;
  readonly crypto;
  readonly logger;
  readonly mount;
  readonly caller;
  // Declared only: the properties exist when the request has them, as the context always had it.
  declare wrapTtlSec?: number;
  declare signal?: AbortSignal;

  constructor(
    env: BackendEnv,
    request: BackendRequest,
    readonly operation: Operation,
    readonly path: string,
    readonly data: Record<string, unknown>,
    readonly raw: Readonly<Record<string, unknown>>,
  ) {
    this.storage = env.storage;
    this.clock = env.clock;
    this.random = env.random;
    this.crypto = env.crypto;
    this.logger = env.logger;
    this.mount = env.mount();
    this.caller = request.caller;
    if (request.wrapTtlSec !== undefined) this.wrapTtlSec = request.wrapTtlSec;
    if (request.signal) this.signal = request.signal;
  }

  has(name: string): boolean {
    return Object.hasOwn(this.raw, name) && this.raw[name] !== undefined;
  }
}

function buildContext(env: BackendEnv, request: BackendRequest, match: Match): PathContext<FieldTable> {
  const { definition, captured } = match;
  // URL captures win over body fields; without captures the request's data is used as it is.
  const raw: Record<string, unknown> = captured ? { ...request.data, ...captured } : request.data;
  const data: Record<string, unknown> = {};
  for (const [name, spec] of definition.fieldList) {
    const value = Object.hasOwn(raw, name) ? raw[name] : undefined;
    if (value === undefined || value === null) {
      if (spec.required && request.operation !== 'read' && request.operation !== 'list' && request.operation !== 'delete') {
        throw VaultError.invalid(`missing required field "${name}"`);
      }
      data[name] = spec.default;
      continue;
    }
    try {
      data[name] = coerceField(name, spec, value);
    } catch (error) {
      if (error instanceof FieldError) throw VaultError.invalid(error.message);
      throw error;
    }
  }
  return new RequestContext(env, request, request.operation, request.path, data, raw);
}

function ignoredParameters(definition: PathDefinition<FieldTable>, match: Match, data: Record<string, unknown>): string[] {
  if (definition.arbitraryData) return [];
  const ignored: string[] = [];
  for (const key in data) {
    if (Object.hasOwn(data, key) && !Object.hasOwn(definition.fields, key) && !(match.captured && Object.hasOwn(match.captured, key))) ignored.push(key);
  }
  return ignored.sort();
}

/** Declares a backend. The spec may be built per mount, so it can close over per-mount state. */
export function defineBackend(build: (env: BackendEnv) => BackendSpec | Promise<BackendSpec>): BackendFactory {
  return async (env) => {
    const spec = await build(env);
    const paths = indexRoutes(spec.paths as readonly PathDefinition<FieldTable>[]);
    const secrets = new Map((spec.secrets ?? []).map((s) => [s.type, s]));
    return {
      type: spec.type,
      unauthenticatedPaths: spec.unauthenticatedPaths ?? [],
      rootPaths: spec.rootPaths ?? [],
      async handle(request) {
        const match = matchPath(paths, request.path, request.operation);
        if (request.operation === 'help') {
          return { data: { help: renderHelp(spec.help, match?.definition), see_also: null } };
        }
        if (!match) throw VaultError.unsupportedPath(request.path);
        const op = operationSpec(match.definition, request.operation);
        if (!op) throw VaultError.unsupportedOperation();
        const ctx = buildContext(env, request, match);
        const result = await op.handler(ctx);
        const ignored = ignoredParameters(match.definition, match, request.data);
        if (ignored.length === 0) return result;
        const warning = `Endpoint ignored these unrecognized parameters: [${ignored.join(' ')}]`;
        return { ...result, warnings: [...(result?.warnings ?? []), warning] };
      },
      async exists(request) {
        const match = matchPath(paths, request.path, request.operation);
        if (!match?.definition.exists) return undefined;
        return match.definition.exists(buildContext(env, request, match));
      },
      secret: (type) => secrets.get(type),
      ...(spec.loginAlias ? { loginAlias: spec.loginAlias } : {}),
      ...(spec.renewLogin ? { renewLogin: (request: LoginRenewRequest) => spec.renewLogin!(request, env) } : {}),
      cleanup: async () => {
        await spec.cleanup?.();
      },
    };
  };
}
