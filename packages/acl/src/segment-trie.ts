// Segment-wildcard (`+`) rules indexed by segment, so a lookup walks only the branches a path can
// take (a literal segment and `+` at each level) instead of testing every rule.
import { outranks } from './priority.js';
import type { RankedPattern } from './priority.js';

/** What the trie stores: a ranked rule and its pattern split on `/` (trailing `*` removed). */
export interface SegmentRule extends RankedPattern {
  readonly parts: readonly string[];
}

interface TrieNode<R> {
  literal: Map<string, TrieNode<R>> | undefined;
  plus: TrieNode<R> | undefined;
  /** A non-prefix rule whose last part brought us here: it matches when the path ends here too. */
  terminal: R | undefined;
  /** Prefix rules whose earlier parts brought us here; `last` need only start the next path segment. */
  prefixed: Array<{ readonly last: string; readonly rule: R }> | undefined;
}

/** Above this many literal children a lookup slices the segment out for a Map get instead of scanning. */
const SCAN_LIMIT = 8;

export class SegmentTrie<R extends SegmentRule> {
  private readonly root: TrieNode<R> = emptyNode();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(rule: R): void {
    const parts = rule.parts;
    const walk = rule.isPrefix ? parts.length - 1 : parts.length;
    let node = this.root;
    for (let i = 0; i < walk; i++) {
      const part = parts[i]!;
      if (part === '+') node = node.plus ??= emptyNode();
      else {
        node.literal ??= new Map();
        let next = node.literal.get(part);
        if (next === undefined) node.literal.set(part, (next = emptyNode()));
        node = next;
      }
    }
    if (rule.isPrefix) (node.prefixed ??= []).push({ last: parts[parts.length - 1]!, rule });
    else node.terminal = rule;
    this.count++;
  }

  /**
   * The highest-priority rule among `best` and every stored rule matching `path`. The path must
   * have at least as many segments as a rule, exactly as many unless the rule is a prefix rule.
   */
  best<B extends RankedPattern>(path: string, best: B | undefined): B | R | undefined {
    return this.count === 0 ? best : visit(this.root, path, 0, best);
  }
}

function emptyNode<R>(): TrieNode<R> {
  return { literal: undefined, plus: undefined, terminal: undefined, prefixed: undefined };
}

/** Visits `node` with the path's current segment starting at `pos`. */
function visit<R extends SegmentRule, B extends RankedPattern>(node: TrieNode<R>, path: string, pos: number, best: B | R | undefined): B | R | undefined {
  let end = path.indexOf('/', pos);
  if (end === -1) end = path.length;
  if (node.prefixed !== undefined) {
    for (const { last, rule } of node.prefixed) {
      // `last` holds no '/', so a match cannot run past this segment.
      if (path.startsWith(last, pos) && (best === undefined || outranks(rule, best))) best = rule;
    }
  }
  if (node.literal !== undefined) {
    const child = literalChild(node.literal, path, pos, end);
    if (child !== undefined) best = descend(child, path, end, best);
  }
  if (node.plus !== undefined) best = descend(node.plus, path, end, best);
  return best;
}

/** Moves past the segment ending at `end`: a terminal rule matches if the path ends there, else go deeper. */
function descend<R extends SegmentRule, B extends RankedPattern>(child: TrieNode<R>, path: string, end: number, best: B | R | undefined): B | R | undefined {
  if (end < path.length) return visit(child, path, end + 1, best);
  const rule = child.terminal;
  return rule !== undefined && (best === undefined || outranks(rule, best)) ? rule : best;
}

function literalChild<N>(children: Map<string, N>, path: string, pos: number, end: number): N | undefined {
  if (children.size > SCAN_LIMIT) return children.get(path.slice(pos, end));
  const length = end - pos;
  for (const [segment, child] of children) if (segment.length === length && path.startsWith(segment, pos)) return child;
  return undefined;
}
