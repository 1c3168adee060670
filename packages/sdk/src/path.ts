// One route of a backend: pattern, typed fields, operations and help (Vault's framework.Path).
import type { Storage } from '@coffer/storage';
import type { Clock } from './clock.js';
import type { Crypto } from './crypto.js';
import type { FieldTable, FieldValues } from './field.js';
import type { Logger } from './logger.js';
import type { Random } from './random.js';
import type { CallerInfo, HandlerResult, MountInfo, Operation } from './request.js';

/** Only what an engine may touch while handling one request. */
export interface PathContext<F extends FieldTable = FieldTable> {
  operation: Operation;
  /** Path relative to the mount. */
  path: string;
  /** Declared fields, typed and validated; URL captures win over body fields. */
  data: FieldValues<F>;
  /** The request data as sent (after captures were merged), for engines that take arbitrary input. */
  raw: Readonly<Record<string, unknown>>;
  /** Whether the caller sent this field (a default does not count). */
  has(name: keyof F & string): boolean;
  storage: Storage;
  clock: Clock;
  random: Random;
  crypto: Crypto;
  logger: Logger;
  mount: MountInfo;
  caller: CallerInfo;
  /** The response will be wrapped with this TTL. */
  wrapTtlSec?: number;
  signal?: AbortSignal;
}

export type PathHandler<F extends FieldTable> = (ctx: PathContext<F>) => Promise<HandlerResult | undefined> | HandlerResult | undefined;

export interface OperationSpec<F extends FieldTable> {
  summary: string;
  handler: PathHandler<F>;
}

export interface PathSpec<F extends FieldTable> {
  /** `literal/:one/*rest`: `:x` captures one segment, `*x` one or more; `:x?` or `*x?` at the end may be absent. */
  pattern: string;
  fields?: F;
  operations: Partial<Record<Exclude<Operation, 'help'>, OperationSpec<F>>>;
  /**
   * Decides create vs update for writes (Vault's ExistenceCheck). Paths without one always
   * see `update`, which matters for policies that grant only `create`.
   */
  exists?: (ctx: PathContext<F>) => Promise<boolean>;
  /** The path stores whatever it is sent (KV, cubbyhole): unknown parameters are not warned about. */
  arbitraryData?: boolean;
  help: { synopsis: string; description?: string };
}

export interface PathDefinition<F extends FieldTable = FieldTable> extends PathSpec<F> {
  readonly fields: F;
  readonly regex: RegExp;
  readonly captures: readonly string[];
  /** `fields` as a list, made once: every request walks it. */
  readonly fieldList: ReadonlyArray<readonly [string, F[keyof F]]>;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles a route pattern once, at definition time. */
export function definePath<F extends FieldTable = Record<never, never>>(spec: PathSpec<F>): PathDefinition<F> {
  const captures: string[] = [];
  const segments = spec.pattern === '' ? [] : spec.pattern.split('/');
  let source = '';
  segments.forEach((segment, index) => {
    const separator = index === 0 ? '' : '/';
    const optional = segment.endsWith('?');
    const last = index === segments.length - 1;
    if (optional && !last) throw new TypeError(`'${segment}' can only be the last segment of ${spec.pattern}`);
    if (segment.startsWith(':')) {
      // `lookup/:token?`: Vault's older endpoints take the value in the URL or in the body.
      captures.push(segment.slice(1, optional ? -1 : undefined));
      source += optional ? `(?:${separator}([^/]+))?` : `${separator}([^/]+)`;
    } else if (segment.startsWith('*')) {
      captures.push(segment.slice(1, optional ? -1 : undefined));
      // In the middle (`mounts/*path/tune`) the capture is lazy, so the literal tail still matches.
      if (!last) source += `${separator}(.+?)`;
      else source += optional ? `(?:${separator}(.*))?` : `${separator}(.+)`;
    } else {
      source += separator + escapeRegex(segment);
    }
  });
  const fields = spec.fields ?? ({} as F);
  return {
    ...spec,
    fields,
    regex: new RegExp(`^${source}$`),
    captures,
    fieldList: Object.entries(fields) as Array<[string, F[keyof F]]>,
  };
}
