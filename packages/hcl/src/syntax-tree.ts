// The syntax tree both syntaxes (HCL1 and its JSON form) parse into, with 1-based
// positions so that semantic errors found later can still point at the offending token.

import type { Token } from './lexer.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

export type ValueNode =
  | { readonly type: 'string'; readonly value: string; readonly pos: Position }
  | { readonly type: 'number'; readonly value: number; readonly pos: Position }
  | { readonly type: 'bool'; readonly value: boolean; readonly pos: Position }
  | { readonly type: 'null'; readonly pos: Position }
  | { readonly type: 'list'; readonly items: readonly ValueNode[]; readonly pos: Position }
  | ObjectNode;

export interface ObjectNode {
  readonly type: 'object';
  readonly items: readonly ObjectItem[];
  readonly pos: Position;
}

/** `path "secret/*" { ... }` is one item with keys `path` and `secret/*`; `a = 1` has one key. */
export interface ObjectItem {
  readonly keys: readonly ItemKey[];
  readonly value: ValueNode;
}

export interface ItemKey {
  readonly name: string;
  readonly pos: Position;
}

/** The node of a string, number or bool token; undefined for any other token. */
export function literalNode(token: Token): ValueNode | undefined {
  switch (token.type) {
    case 'string':
      return { type: 'string', value: token.value as string, pos: token.pos };
    case 'number':
      return { type: 'number', value: token.value as number, pos: token.pos };
    case 'bool':
      return { type: 'bool', value: token.value as boolean, pos: token.pos };
    default:
      return undefined;
  }
}

/** A JavaScript value for a literal, list or object node (objects keep their last duplicate key). */
export function plainValue(node: ValueNode): unknown {
  switch (node.type) {
    case 'null':
      return null;
    case 'list':
      return node.items.map(plainValue);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const item of node.items) {
        let target = out;
        const keys = item.keys.map((k) => k.name);
        for (const key of keys.slice(0, -1)) {
          const next = target[key];
          target = next !== null && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : (target[key] = {});
        }
        target[keys[keys.length - 1]!] = plainValue(item.value);
      }
      return out;
    }
    default:
      return node.value;
  }
}
