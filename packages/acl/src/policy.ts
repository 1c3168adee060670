// Policy documents: parsing HCL1 or JSON text into path rules, with Vault's validation.
import { HclParseError, looksLikeJson, parseHcl, parseJson, plainValue } from '@coffer/hcl';
import type { ItemKey, ObjectItem, ObjectNode, Position, ValueNode } from '@coffer/hcl';
import { parseDurationSec } from '@coffer/sdk';
import { CAPABILITY_BITS, DENY_BIT, isCapability } from './capability.js';
import { classifyPath, stripLeadingSlash } from './path-pattern.js';
import type { PathKind } from './path-pattern.js';
import { PolicyParseError } from './policy-parse-error.js';
import { hasTemplate } from './template.js';

/** One `path "…" { … }` stanza after validation. Several may share a path; compileAcl merges them. */
export interface PathRule {
  /** The key as written minus one leading `/`, with any `{{…}}` templates still in it. */
  readonly rawPath: string;
  /** The matching key (see PathPattern.path). For templated rules it is provisional until resolved. */
  readonly path: string;
  readonly kind: PathKind;
  readonly isPrefix: boolean;
  /** Bitmask of CAPABILITY_BITS. A deny stanza carries the deny bit alone. */
  readonly capabilities: number;
  /** Lower-cased parameter name → permitted values (empty list = any value). Empty map = unrestricted. */
  readonly allowedParameters: ReadonlyMap<string, readonly unknown[]>;
  /** Lower-cased parameter name → forbidden values (empty list = every value). */
  readonly deniedParameters: ReadonlyMap<string, readonly unknown[]>;
  /** Lower-cased names that must be present in request data. */
  readonly requiredParameters: readonly string[];
  /** 0 when unset. */
  readonly minWrappingTtlSec: number;
  /** 0 when unset. */
  readonly maxWrappingTtlSec: number;
  readonly hasTemplate: boolean;
  /** Line of the stanza's path key, for diagnostics. */
  readonly line: number;
}

export interface Policy {
  readonly name: string;
  readonly text: string;
  readonly rules: readonly PathRule[];
}

/** Vault's policy names are case-insensitive and trimmed. */
export function normalizePolicyName(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Parses a policy. Text whose first non-blank character is `{` is read as JSON, anything else as
 * HCL1, as Vault decides. Throws PolicyParseError (with line and column) for syntax errors and
 * for everything Vault rejects: unknown keys, unknown capabilities, `+*` in a path, bad or
 * inconsistent wrapping TTLs, a `*` parameter with values.
 */
export function parsePolicy(name: string, text: string): Policy {
  const root = parseSyntax(text);
  const rules: PathRule[] = [];
  for (const item of root.items) {
    const key = item.keys[0]!;
    if (key.name === 'name') {
      if (item.keys.length > 1) throw at(item.keys[1]!.pos, `unexpected label ${JSON.stringify(item.keys[1]!.name)} after "name"`);
    } else if (key.name === 'path') {
      for (const [label, body] of pathStanzas(item)) rules.push(parseStanza(label, body));
    } else {
      throw at(key.pos, `invalid key ${JSON.stringify(key.name)}`);
    }
  }
  return { name: normalizePolicyName(name), text, rules };
}

/** The syntax tree of policy text; a syntax error becomes a PolicyParseError with the same text and position. */
function parseSyntax(text: string): ObjectNode {
  try {
    return looksLikeJson(text) ? parseJson(text) : parseHcl(text);
  } catch (error) {
    if (error instanceof HclParseError) throw new PolicyParseError(error.detail, error.line, error.column, { cause: error });
    throw error;
  }
}

/**
 * The (path key, body) pairs one top-level `path` item holds: `path "k" { … }` is one; `path { "k" { … } }`,
 * `path = { "k" = { … } }` and the JSON form `"path": {"k": {…}}` (or a list of such objects) may hold many.
 */
function pathStanzas(item: ObjectItem): Array<[ItemKey, ValueNode]> {
  if (item.keys.length === 2) return [[item.keys[1]!, item.value]];
  if (item.keys.length > 2) throw at(item.keys[2]!.pos, `path stanza takes one path key, got another: ${JSON.stringify(item.keys[2]!.name)}`);
  const containers = item.value.type === 'list' ? item.value.items : [item.value];
  const out: Array<[ItemKey, ValueNode]> = [];
  for (const container of containers) {
    if (container.type !== 'object') throw at(container.pos, 'path: expected an object of path stanzas');
    for (const inner of container.items) {
      if (inner.keys.length !== 1) throw at(inner.keys[1]!.pos, `path stanza takes one path key, got another: ${JSON.stringify(inner.keys[1]!.name)}`);
      out.push([inner.keys[0]!, inner.value]);
    }
  }
  return out;
}

const LEGACY_POLICIES: Readonly<Record<string, readonly string[]>> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['read', 'list', 'create', 'update', 'delete'],
  sudo: ['read', 'list', 'create', 'update', 'delete', 'sudo'],
};

function parseStanza(label: ItemKey, body: ValueNode): PathRule {
  const rawPath = stripLeadingSlash(label.name);
  const quoted = JSON.stringify(rawPath);
  const pattern = classifyPath(rawPath);
  if (typeof pattern === 'string') throw at(label.pos, pattern);
  if (body.type !== 'object') throw at(body.pos, `path ${quoted}: expected an object`);

  let bits = 0;
  const allowed = new Map<string, readonly unknown[]>();
  const denied = new Map<string, readonly unknown[]>();
  const required: string[] = [];
  let minTtl: { sec: number; pos: Position } | undefined;
  let maxTtl: { sec: number; pos: Position } | undefined;

  // Duplicate keys behave as HCL1's decoder makes them: lists append, maps merge, scalars overwrite.
  for (const item of body.items) {
    const key = item.keys[0]!;
    if (item.keys.length > 1) throw at(item.keys[1]!.pos, `path ${quoted}: unexpected label ${JSON.stringify(item.keys[1]!.name)} after ${JSON.stringify(key.name)}`);
    const value = item.value;
    switch (key.name) {
      case 'capabilities':
        for (const cap of stringList(value, `path ${quoted}: capabilities`)) {
          if (!isCapability(cap.value)) throw at(cap.pos, `path ${quoted}: invalid capability ${JSON.stringify(cap.value)}`);
          bits |= CAPABILITY_BITS[cap.value];
        }
        break;
      case 'policy': {
        if (value.type !== 'string') throw at(value.pos, `path ${quoted}: policy must be a string`);
        const legacy = LEGACY_POLICIES[value.value];
        if (value.value !== '' && legacy === undefined) throw at(value.pos, `path ${quoted}: invalid policy ${JSON.stringify(value.value)}`);
        for (const cap of legacy ?? []) bits |= CAPABILITY_BITS[cap as keyof typeof CAPABILITY_BITS];
        break;
      }
      case 'allowed_parameters':
      case 'denied_parameters':
        parameterMap(value, key.name === 'allowed_parameters' ? allowed : denied, `path ${quoted}: ${key.name}`);
        break;
      case 'required_parameters':
        for (const param of stringList(value, `path ${quoted}: required_parameters`)) required.push(param.value.toLowerCase());
        break;
      case 'min_wrapping_ttl':
        minTtl = { sec: duration(value, 'min_wrapping_ttl'), pos: value.pos };
        break;
      case 'max_wrapping_ttl':
        maxTtl = { sec: duration(value, 'max_wrapping_ttl'), pos: value.pos };
        break;
      case 'mfa_methods':
      case 'subscribe_event_types':
        stringList(value, `path ${quoted}: ${key.name}`); // validated, then ignored: no MFA or events here
        break;
      case 'control_group':
        if (value.type !== 'object' && value.type !== 'list') throw at(value.pos, `path ${quoted}: control_group must be an object`);
        break; // Enterprise-only; accepted and ignored
      case 'comment':
        if (value.type !== 'string') throw at(value.pos, `path ${quoted}: comment must be a string`);
        break;
      default:
        throw at(key.pos, `path ${quoted}: invalid key ${JSON.stringify(key.name)}`);
    }
  }

  const min = minTtl?.sec ?? 0;
  const max = maxTtl?.sec ?? 0;
  if (min > 0 && max > 0 && max < min) throw at(maxTtl!.pos, `path ${quoted}: max_wrapping_ttl cannot be less than min_wrapping_ttl`);
  const deny = (bits & DENY_BIT) !== 0;
  return {
    rawPath,
    ...pattern,
    // A deny stanza is deny-only: nothing else it says can ever apply.
    capabilities: deny ? DENY_BIT : bits,
    allowedParameters: deny ? new Map() : allowed,
    deniedParameters: deny ? new Map() : denied,
    requiredParameters: deny ? [] : [...new Set(required)],
    minWrappingTtlSec: min,
    maxWrappingTtlSec: max,
    hasTemplate: hasTemplate(rawPath),
    line: label.pos.line,
  };
}

function stringList(node: ValueNode, what: string): Array<{ value: string; pos: Position }> {
  if (node.type !== 'list') throw at(node.pos, `${what}: expected a list of strings`);
  return node.items.map((item) => {
    if (item.type !== 'string') throw at(item.pos, `${what}: expected a list of strings`);
    return { value: item.value, pos: item.pos };
  });
}

/** `{ "name" = [values] }` into `into`, names lower-cased; JSON may also give a list of such objects. */
function parameterMap(node: ValueNode, into: Map<string, readonly unknown[]>, what: string): void {
  const objects = node.type === 'list' ? node.items : [node];
  for (const object of objects) {
    if (object.type !== 'object') throw at(object.pos, `${what}: expected a map of parameter names to lists`);
    for (const item of object.items) {
      if (item.keys.length > 1) throw at(item.keys[1]!.pos, `${what}: unexpected label ${JSON.stringify(item.keys[1]!.name)}`);
      const name = item.keys[0]!.name.toLowerCase();
      if (item.value.type !== 'list') throw at(item.value.pos, `${what}: parameter ${JSON.stringify(name)} must be a list`);
      if (name === '*' && item.value.items.length > 0) throw at(item.value.pos, `${what}: the "*" parameter only accepts an empty list`);
      into.set(name, item.value.items.map(plainValue));
    }
  }
}

function duration(node: ValueNode, what: string): number {
  if (node.type !== 'string' && node.type !== 'number') throw at(node.pos, `error parsing ${what}: expected a duration`);
  let sec: number;
  try {
    sec = parseDurationSec(node.value);
  } catch (error) {
    throw at(node.pos, `error parsing ${what}: ${(error as Error).message}`);
  }
  if (sec < 0) throw at(node.pos, `error parsing ${what}: duration cannot be negative`);
  return sec;
}

function at(pos: Position, detail: string): PolicyParseError {
  return new PolicyParseError(detail, pos.line, pos.column);
}
