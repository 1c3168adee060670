// Merging the stanzas of a token's policies that name the same path with the same kind.
import { CAPABILITIES, CAPABILITY_BITS, DENY_BIT } from './capability.js';
import type { PathPattern } from './path-pattern.js';
import type { PathRule } from './policy.js';

/** The merged permissions for one (path, kind) while an ACL is being compiled. */
export interface MergedRule extends PathPattern {
  bits: number;
  allowedParameters: Map<string, unknown[]>;
  deniedParameters: Map<string, unknown[]>;
  requiredParameters: string[];
  minWrappingTtlSec: number;
  maxWrappingTtlSec: number;
  /** Capability bit → policies granting it, in the order they were merged. */
  granting: Map<number, string[]>;
}

export function startRule(pattern: PathPattern, rule: PathRule, policy: string): MergedRule {
  const merged: MergedRule = {
    path: pattern.path,
    kind: pattern.kind,
    isPrefix: pattern.isPrefix,
    bits: rule.capabilities,
    allowedParameters: copyParameters(rule.allowedParameters),
    deniedParameters: copyParameters(rule.deniedParameters),
    requiredParameters: [...rule.requiredParameters],
    minWrappingTtlSec: rule.minWrappingTtlSec,
    maxWrappingTtlSec: rule.maxWrappingTtlSec,
    granting: new Map(),
  };
  addGranting(merged, rule.capabilities, policy);
  return merged;
}

/**
 * Folds another stanza for the same (path, kind) into `merged`, as Vault does: a deny on either
 * side leaves a deny-only rule; otherwise capabilities are OR-ed, each wrapping TTL bound takes
 * the smaller non-zero value, parameter maps are unioned (an empty value list — any value — wins
 * over a non-empty one, non-empty lists concatenate) and required parameters are unioned.
 *
 * Note the union makes merging narrow as well as widen: a stanza without `allowed_parameters`
 * merged with one that has them ends up restricted to them. That is Vault's behaviour.
 */
export function mergeRule(merged: MergedRule, rule: PathRule, policy: string): void {
  if ((merged.bits & DENY_BIT) !== 0) return;
  if ((rule.capabilities & DENY_BIT) !== 0) {
    merged.bits = DENY_BIT;
    merged.allowedParameters.clear();
    merged.deniedParameters.clear();
    merged.granting.clear();
    return;
  }
  merged.bits |= rule.capabilities;
  addGranting(merged, rule.capabilities, policy);
  merged.minWrappingTtlSec = smallerNonZero(merged.minWrappingTtlSec, rule.minWrappingTtlSec);
  merged.maxWrappingTtlSec = smallerNonZero(merged.maxWrappingTtlSec, rule.maxWrappingTtlSec);
  unionParameters(merged.allowedParameters, rule.allowedParameters);
  unionParameters(merged.deniedParameters, rule.deniedParameters);
  for (const name of rule.requiredParameters) if (!merged.requiredParameters.includes(name)) merged.requiredParameters.push(name);
}

function smallerNonZero(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}

function unionParameters(into: Map<string, unknown[]>, from: ReadonlyMap<string, readonly unknown[]>): void {
  for (const [name, values] of from) {
    const existing = into.get(name);
    if (existing === undefined) into.set(name, [...values]);
    else if (values.length === 0 || existing.length === 0) into.set(name, []);
    else existing.push(...values);
  }
}

function copyParameters(from: ReadonlyMap<string, readonly unknown[]>): Map<string, unknown[]> {
  return new Map([...from].map(([name, values]) => [name, [...values]]));
}

function addGranting(merged: MergedRule, bits: number, policy: string): void {
  if ((bits & DENY_BIT) !== 0) return;
  for (const cap of CAPABILITIES) {
    const bit = CAPABILITY_BITS[cap];
    if ((bits & bit) === 0) continue;
    const list = merged.granting.get(bit);
    if (list === undefined) merged.granting.set(bit, [policy]);
    else if (!list.includes(policy)) list.push(policy);
  }
}
