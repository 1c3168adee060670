// Reading the values of a configuration block the way Vault's decoder (hashicorp/hcl plus
// go-secure-stdlib/parseutil) accepts them: `"true"`/`1` as booleans, `"768h"`/`3600` as durations.
import type { ItemKey, ObjectItem, ObjectNode, Position, ValueNode } from '@coffer/hcl';
import { parseDurationSec, parseGoBool } from '@coffer/sdk';
import type { ConfigContext } from './config-context.js';

/** One `key = value` (or `key { ... }`) of a block, with where it was written. */
export interface ConfigEntry {
  readonly key: ItemKey;
  readonly value: ValueNode;
  /** Labels after the key (`key "label" { ... }`); empty for assignments. */
  readonly labels: readonly ItemKey[];
}

/**
 * The items of `body` grouped by key, in file order. A key not in `known` is an error naming the
 * block (`where`, e.g. `listener "tcp"`; undefined for the top level).
 */
export function groupEntries(ctx: ConfigContext, body: ObjectNode, where: string | undefined, known: ReadonlySet<string>): Map<string, ConfigEntry[]> {
  const groups = new Map<string, ConfigEntry[]>();
  for (const item of body.items) {
    const entry = toEntry(item);
    const name = entry.key.name;
    if (!known.has(name)) throw ctx.fail(entry.key.pos, `unknown key ${JSON.stringify(name)}${inBlock(where)}`);
    const group = groups.get(name);
    if (group) group.push(entry);
    else groups.set(name, [entry]);
  }
  return groups;
}

/**
 * Like groupEntries for blocks whose keys may each appear once: a second `address` is an error,
 * where HCL1 would silently keep one of them.
 */
export function singleEntries(ctx: ConfigContext, body: ObjectNode, where: string | undefined, known: ReadonlySet<string>): Map<string, ConfigEntry> {
  const entries = new Map<string, ConfigEntry>();
  for (const [name, group] of groupEntries(ctx, body, where, known)) entries.set(name, single(ctx, group, where));
  return entries;
}

/** The one entry of a group; a repeated key is an error at its second occurrence. */
export function single(ctx: ConfigContext, group: readonly ConfigEntry[], where: string | undefined): ConfigEntry {
  const second = group[1];
  if (second) throw ctx.fail(second.key.pos, `duplicate key ${JSON.stringify(second.key.name)}${inBlock(where)}`);
  return group[0]!;
}

export function toEntry(item: ObjectItem): ConfigEntry {
  return { key: item.keys[0]!, value: item.value, labels: item.keys.slice(1) };
}

/** ` in listener "tcp"`, or nothing at the top level. */
export function inBlock(where: string | undefined): string {
  return where === undefined ? '' : ` in ${where}`;
}

function invalid(ctx: ConfigContext, entry: ConfigEntry, where: string | undefined, reason: string): Error {
  return ctx.fail(entry.value.pos, `invalid value for ${entry.key.name}${inBlock(where)}: ${reason}`);
}

/** How a node reads in "expected X, got Y". */
export function describeNode(node: ValueNode): string {
  switch (node.type) {
    case 'object':
      return 'a block';
    case 'list':
      return 'a list';
    case 'null':
      return 'null';
    case 'string':
      return `the string ${JSON.stringify(node.value)}`;
    default:
      return `the ${node.type} ${String(node.value)}`;
  }
}

export function readString(ctx: ConfigContext, entry: ConfigEntry, where?: string): string {
  if (entry.value.type !== 'string') throw invalid(ctx, entry, where, `expected a string, got ${describeNode(entry.value)}`);
  return entry.value.value;
}

/** Like readString, but an empty string is an error too. */
export function readNonEmptyString(ctx: ConfigContext, entry: ConfigEntry, where?: string): string {
  const value = readString(ctx, entry, where);
  if (value.trim() === '') throw invalid(ctx, entry, where, 'must not be empty');
  return value;
}


/** parseutil.ParseBool: a bool, a number (non-zero is true), "" (false) or any string Go's strconv.ParseBool takes. */
export function readBool(ctx: ConfigContext, entry: ConfigEntry, where?: string): boolean {
  const node = entry.value;
  if (node.type === 'bool') return node.value;
  if (node.type === 'number') return node.value !== 0;
  if (node.type === 'string') {
    if (node.value === '') return false;
    const parsed = parseGoBool(node.value);
    if (parsed !== undefined) return parsed;
    throw invalid(ctx, entry, where, `cannot parse ${JSON.stringify(node.value)} as bool`);
  }
  throw invalid(ctx, entry, where, `expected a bool, got ${describeNode(node)}`);
}

/** parseutil.ParseInt: an integer or a string holding one. */
export function readInt(ctx: ConfigContext, entry: ConfigEntry, where?: string): number {
  const node = entry.value;
  const value = node.type === 'number' ? node.value : node.type === 'string' && /^[+-]?\d+$/.test(node.value.trim()) ? Number(node.value.trim()) : undefined;
  if (value === undefined || !Number.isSafeInteger(value)) throw invalid(ctx, entry, where, `expected an integer, got ${describeNode(node)}`);
  return value;
}

const DAYS = /^([+-]?\d+)d$/;

/**
 * parseutil.ParseDurationSecond: integer seconds (number or string), a Go duration ("1h30m"),
 * or whole days ("30d"). Negative durations are an error: no Vault setting means anything by them.
 */
export function readDurationSec(ctx: ConfigContext, entry: ConfigEntry, where?: string): number {
  const node = entry.value;
  if (node.type !== 'string' && node.type !== 'number') throw invalid(ctx, entry, where, `expected a duration, got ${describeNode(node)}`);
  let sec: number;
  try {
    const days = node.type === 'string' ? DAYS.exec(node.value.trim()) : null;
    sec = days ? Number(days[1]) * 86_400 : parseDurationSec(node.value);
  } catch (error) {
    throw invalid(ctx, entry, where, (error as Error).message);
  }
  if (sec < 0) throw invalid(ctx, entry, where, 'duration cannot be negative');
  return sec;
}

/** A list of strings, each with its position (for errors about one element). */
export function readStringList(ctx: ConfigContext, entry: ConfigEntry, where?: string): Array<{ value: string; pos: Position }> {
  const node = entry.value;
  if (node.type !== 'list') throw invalid(ctx, entry, where, `expected a list of strings, got ${describeNode(node)}`);
  return node.items.map((item) => {
    if (item.type !== 'string') throw ctx.fail(item.pos, `invalid value for ${entry.key.name}${inBlock(where)}: expected a list of strings, got ${describeNode(item)} in it`);
    return { value: item.value, pos: item.pos };
  });
}
