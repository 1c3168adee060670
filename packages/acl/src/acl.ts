// A token's compiled ACL: its policies merged into lookup structures once, then queried per request.
import { CAPABILITY_BITS, DENY_BIT, SUDO_BIT, reportedCapabilities } from './capability.js';
import { mergeRule, startRule } from './merge.js';
import type { MergedRule } from './merge.js';
import type { ParameterConstraints } from './parameters.js';
import { parameterViolation } from './parameters.js';
import { classifyPath, stripLeadingSlash } from './path-pattern.js';
import type { PathKind, PathPattern } from './path-pattern.js';
import type { Policy } from './policy.js';
import { rankPrefixPattern, rankSegmentPattern } from './priority.js';
import type { RankedPattern } from './priority.js';
import { RadixTree } from './radix-tree.js';
import { SegmentTrie } from './segment-trie.js';
import { resolveTemplates } from './template.js';
import type { TemplateContext } from './template.js';

export const ROOT_POLICY_NAME = 'root';

export type AclOperation = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'help' | 'renew' | 'revoke' | 'rollback';

export interface AclRequest {
  /** The full request path, mount included; one leading `/` is ignored. LIST paths end in `/`. */
  readonly path: string;
  readonly operation: AclOperation;
  /** Request parameters, checked against the winning rule for read/create/update/patch. */
  readonly data?: Readonly<Record<string, unknown>>;
  /** The requested response-wrapping TTL in seconds; undefined when the response is not to be wrapped. */
  readonly wrapTtlSec?: number;
  /** The router says the path is root-protected: the winning rule must also grant sudo. */
  readonly rootProtected: boolean;
}

/** Decisions are shared, frozen objects: do not mutate them. */
export interface AclDecision {
  readonly allowed: boolean;
  /** The request is allowed and the winning rule grants sudo (or the ACL is root). Always false when denied. */
  readonly rootPrivilege: boolean;
  /** The winning rule's capabilities as sys/capabilities reports them (`["deny"]` when none, `["root"]` for root). */
  readonly capabilities: readonly string[];
  /** Policies that granted the capability the operation needed; empty when denied. */
  readonly grantingPolicies: readonly string[];
  /** Why the request was denied, for logs (clients only ever see "permission denied"). */
  readonly reason?: string;
}

export interface Acl {
  readonly isRoot: boolean;
  /** Sorted ascending as sys/capabilities reports: ["root"] for root, ["deny"] when nothing matches or the winning rule denies. */
  capabilities(path: string): string[];
  check(request: AclRequest): AclDecision;
}

interface OperationInfo {
  readonly index: number;
  /** The capability the operation needs; 0 for help, which is always allowed. */
  readonly bit: number;
  readonly capability: string;
  readonly checksParameters: boolean;
}

const OPERATION_TABLE: { readonly [O in AclOperation]: OperationInfo } = {
  create: { index: 0, bit: CAPABILITY_BITS.create, capability: 'create', checksParameters: true },
  read: { index: 1, bit: CAPABILITY_BITS.read, capability: 'read', checksParameters: true },
  update: { index: 2, bit: CAPABILITY_BITS.update, capability: 'update', checksParameters: true },
  patch: { index: 3, bit: CAPABILITY_BITS.patch, capability: 'patch', checksParameters: true },
  delete: { index: 4, bit: CAPABILITY_BITS.delete, capability: 'delete', checksParameters: false },
  list: { index: 5, bit: CAPABILITY_BITS.list, capability: 'list', checksParameters: false },
  help: { index: 6, bit: 0, capability: '', checksParameters: false },
  // Internal operations Vault maps onto the closest capability.
  renew: { index: 7, bit: CAPABILITY_BITS.update, capability: 'update', checksParameters: false },
  revoke: { index: 8, bit: CAPABILITY_BITS.update, capability: 'update', checksParameters: false },
  rollback: { index: 9, bit: CAPABILITY_BITS.update, capability: 'update', checksParameters: false },
};
const OPERATION_COUNT = 10;
/** A Map, so an unexpected operation string (say "toString") cannot reach Object.prototype. */
const OPERATIONS: ReadonlyMap<string, OperationInfo> = new Map(Object.entries(OPERATION_TABLE));

/** A merged rule ready for matching, with its decisions cached by operation. */
interface CompiledRule extends ParameterConstraints, RankedPattern {
  readonly path: string;
  readonly kind: PathKind;
  readonly bits: number;
  readonly minWrappingTtlSec: number;
  readonly maxWrappingTtlSec: number;
  readonly checksParameters: boolean;
  readonly reported: readonly string[];
  /** Segment rules only: the pattern split on `/`, trailing `*` removed. */
  readonly parts: readonly string[];
  readonly granting: ReadonlyMap<number, readonly string[]>;
  readonly allowed: Array<AclDecision | undefined>;
  readonly missing: Array<AclDecision | undefined>;
  sudoDenial: AclDecision | undefined;
}

const EMPTY: readonly string[] = Object.freeze([]);
const DENY_REPORT: readonly string[] = Object.freeze(['deny']);
const ROOT_DECISION: AclDecision = Object.freeze({ allowed: true, rootPrivilege: true, capabilities: Object.freeze(['root']), grantingPolicies: Object.freeze([ROOT_POLICY_NAME]) });
const NO_RULE_DECISION: AclDecision = Object.freeze({ allowed: false, rootPrivilege: false, capabilities: DENY_REPORT, grantingPolicies: EMPTY, reason: 'no policy rule matches the path' });
const HELP_NO_RULE_DECISION: AclDecision = Object.freeze({ allowed: true, rootPrivilege: false, capabilities: DENY_REPORT, grantingPolicies: EMPTY });
const BAD_OPERATION_DECISION: AclDecision = Object.freeze({ allowed: false, rootPrivilege: false, capabilities: DENY_REPORT, grantingPolicies: EMPTY, reason: 'unsupported operation' });

/**
 * Compiles a token's policies (token and identity policies together; order does not matter).
 * Stanzas for the same path string and kind are merged; templated stanzas are resolved against
 * `templateContext` and dropped when they cannot be. A policy named `root` must be the only one
 * and makes the ACL allow everything.
 */
export function compileAcl(policies: readonly Policy[], templateContext?: TemplateContext): Acl {
  if (policies.some((p) => p.name === ROOT_POLICY_NAME)) {
    if (policies.length !== 1) throw new Error('other policies present along with root');
    return ROOT_ACL;
  }
  const merged = new Map<string, MergedRule>();
  for (const policy of policies) {
    for (const rule of policy.rules) {
      const pattern = rule.hasTemplate ? templatedPattern(rule.rawPath, templateContext) : rule;
      if (pattern === undefined) continue;
      const key = `${pattern.kind}:${pattern.path}`;
      const existing = merged.get(key);
      if (existing === undefined) merged.set(key, startRule(pattern, rule, policy.name));
      else mergeRule(existing, rule, policy.name);
    }
  }
  const exact = new Map<string, CompiledRule>();
  const prefixes = new RadixTree<CompiledRule>();
  const segments = new SegmentTrie<CompiledRule>();
  for (const rule of merged.values()) {
    const compiled = compileRule(rule);
    if (rule.kind === 'exact') exact.set(rule.path, compiled);
    else if (rule.kind === 'prefix') prefixes.set(rule.path, compiled);
    else segments.add(compiled);
  }
  return new CompiledAcl(exact, prefixes, segments);
}

/** A templated path resolved and re-classified, or undefined when the stanza must be dropped. */
function templatedPattern(rawPath: string, context: TemplateContext | undefined): PathPattern | undefined {
  const resolved = resolveTemplates(rawPath, context);
  if (resolved === undefined) return undefined;
  const pattern = classifyPath(resolved);
  return typeof pattern === 'string' ? undefined : pattern;
}

function compileRule(rule: MergedRule): CompiledRule {
  const rank = rule.kind === 'segment' ? rankSegmentPattern(rule.path, rule.isPrefix) : { ...rankPrefixPattern(rule.path), parts: EMPTY };
  const granting = new Map<number, readonly string[]>();
  for (const [bit, names] of rule.granting) granting.set(bit, Object.freeze([...names]));
  return {
    ...rank,
    path: rule.path,
    kind: rule.kind,
    isPrefix: rule.isPrefix,
    bits: rule.bits,
    allowedParameters: rule.allowedParameters,
    deniedParameters: rule.deniedParameters,
    requiredParameters: rule.requiredParameters,
    minWrappingTtlSec: rule.minWrappingTtlSec,
    maxWrappingTtlSec: rule.maxWrappingTtlSec,
    checksParameters: rule.allowedParameters.size > 0 || rule.deniedParameters.size > 0 || rule.requiredParameters.length > 0,
    reported: Object.freeze(reportedCapabilities(rule.bits)),
    granting,
    allowed: new Array<AclDecision | undefined>(OPERATION_COUNT),
    missing: new Array<AclDecision | undefined>(OPERATION_COUNT),
    sudoDenial: undefined,
  };
}

class CompiledAcl implements Acl {
  readonly isRoot = false;

  constructor(
    private readonly exact: ReadonlyMap<string, CompiledRule>,
    private readonly prefixes: RadixTree<CompiledRule>,
    private readonly segments: SegmentTrie<CompiledRule>,
  ) {}

  capabilities(path: string): string[] {
    // Vault answers capability queries as a list operation, so the trailing-slash rules apply.
    const rule = this.match(stripLeadingSlash(path), true);
    return rule === undefined ? ['deny'] : [...rule.reported];
  }

  check(request: AclRequest): AclDecision {
    const op = OPERATIONS.get(request.operation);
    if (op === undefined) return BAD_OPERATION_DECISION;
    const rule = this.match(stripLeadingSlash(request.path), request.operation === 'list');
    if (op.bit === 0) return rule === undefined ? HELP_NO_RULE_DECISION : (rule.allowed[op.index] ??= decision(rule, true, false, EMPTY));
    if (rule === undefined) return NO_RULE_DECISION;
    if ((rule.bits & op.bit) === 0) {
      return (rule.missing[op.index] ??= denial(rule, (rule.bits & DENY_BIT) !== 0 ? `denied by the rule for ${describe(rule)}` : `the rule for ${describe(rule)} does not grant "${op.capability}"`));
    }
    if (rule.minWrappingTtlSec > 0 || rule.maxWrappingTtlSec > 0) {
      const reason = wrappingViolation(rule, request.wrapTtlSec);
      if (reason !== undefined) return denial(rule, reason);
    }
    if (op.checksParameters && rule.checksParameters) {
      const reason = parameterViolation(rule, request.data);
      if (reason !== undefined) return denial(rule, reason);
    }
    if (request.rootProtected && (rule.bits & SUDO_BIT) === 0) {
      return (rule.sudoDenial ??= denial(rule, `root-protected path requires "sudo", which the rule for ${describe(rule)} does not grant`));
    }
    return (rule.allowed[op.index] ??= decision(rule, true, (rule.bits & SUDO_BIT) !== 0, rule.granting.get(op.bit) ?? EMPTY));
  }

  /**
   * The single winning rule for `path`: the exact rule; for a list, the exact rule without the
   * trailing slash, then the non-exact winner for the path without it; else the non-exact winner.
   */
  private match(path: string, list: boolean): CompiledRule | undefined {
    const exact = this.exact.get(path);
    if (exact !== undefined) return exact;
    if (list && path.charCodeAt(path.length - 1) === 47) {
      const trimmed = path.slice(0, -1);
      return this.exact.get(trimmed) ?? this.nonExact(trimmed) ?? this.nonExact(path);
    }
    return this.nonExact(path);
  }

  /** The longest matching prefix rule and every matching segment rule compete on priority. */
  private nonExact(path: string): CompiledRule | undefined {
    return this.segments.best(path, this.prefixes.longestPrefix(path));
  }
}

const ROOT_ACL: Acl = Object.freeze({
  isRoot: true,
  capabilities: () => ['root'],
  check: () => ROOT_DECISION,
});

/** An unwrapped request fails either bound; a wrapped one must lie within them. */
function wrappingViolation(rule: CompiledRule, ttl: number | undefined): string | undefined {
  const { minWrappingTtlSec: min, maxWrappingTtlSec: max } = rule;
  if (ttl === undefined) return `response wrapping is required by the rule for ${describe(rule)}`;
  // Merging can leave max < min; then no TTL passes both checks, as in Vault.
  if (max > 0 && ttl > max) return `wrapping TTL ${ttl}s exceeds max_wrapping_ttl ${max}s`;
  if (min > 0 && ttl < min) return `wrapping TTL ${ttl}s is below min_wrapping_ttl ${min}s`;
  return undefined;
}

function decision(rule: CompiledRule, allowed: boolean, rootPrivilege: boolean, grantingPolicies: readonly string[], reason?: string): AclDecision {
  return Object.freeze({ allowed, rootPrivilege, capabilities: rule.reported, grantingPolicies, ...(reason === undefined ? {} : { reason }) });
}

function denial(rule: CompiledRule, reason: string): AclDecision {
  return decision(rule, false, false, EMPTY, reason);
}

function describe(rule: CompiledRule): string {
  return JSON.stringify(rule.kind === 'prefix' ? `${rule.path}*` : rule.path);
}
