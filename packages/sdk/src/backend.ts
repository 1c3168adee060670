// A mountable backend built from a table of paths (Vault's framework.Backend): routing, validation, help.
import { coerceField, FieldError, type FieldTable } from './field.js';
import type { PathContext, PathDefinition } from './path.js';
import type { BackendEnv, BackendRequest, HandlerResult, Operation } from './request.js';
import type { SecretDefinition } from './secret.js';
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
  cleanup(): Promise<void>;
}

export type BackendFactory = (env: BackendEnv) => Promise<Backend>;

interface Match {
  definition: PathDefinition<FieldTable>;
  captured: Record<string, string>;
}

function matchPath(paths: readonly PathDefinition<FieldTable>[], path: string, operation: Operation): Match | undefined {
  const candidates = operation === 'list' && path.endsWith('/') ? [path, path.slice(0, -1)] : [path];
  for (const candidate of candidates) {
    for (const definition of paths) {
      const found = definition.regex.exec(candidate);
      if (!found) continue;
      const captured: Record<string, string> = {};
      definition.captures.forEach((name, i) => {
        const value = found[i + 1];
        if (value !== undefined) captured[name] = value;
      });
      return { definition, captured };
    }
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

function buildContext(env: BackendEnv, request: BackendRequest, match: Match): PathContext<FieldTable> {
  const { definition, captured } = match;
  const raw: Record<string, unknown> = { ...request.data, ...captured };
  const data: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(definition.fields)) {
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
  return {
    operation: request.operation,
    path: request.path,
    data,
    raw,
    has: (name) => Object.hasOwn(raw, name) && raw[name] !== undefined,
    storage: env.storage,
    clock: env.clock,
    random: env.random,
    crypto: env.crypto,
    logger: env.logger,
    mount: env.mount(),
    caller: request.caller,
    ...(request.wrapTtlSec !== undefined ? { wrapTtlSec: request.wrapTtlSec } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  };
}

function ignoredParameters(definition: PathDefinition<FieldTable>, match: Match, data: Record<string, unknown>): string[] {
  if (definition.arbitraryData) return [];
  return Object.keys(data)
    .filter((key) => !Object.hasOwn(definition.fields, key) && !Object.hasOwn(match.captured, key))
    .sort();
}

/** Declares a backend. The spec may be built per mount, so it can close over per-mount state. */
export function defineBackend(build: (env: BackendEnv) => BackendSpec | Promise<BackendSpec>): BackendFactory {
  return async (env) => {
    const spec = await build(env);
    const paths = spec.paths as readonly PathDefinition<FieldTable>[];
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
      cleanup: async () => {
        await spec.cleanup?.();
      },
    };
  };
}
