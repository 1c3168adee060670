// The priority order that picks one rule among the non-exact candidates for a path.

/** What the priority comparison needs to know about a candidate rule. */
export interface RankedPattern {
  /** Index of the first `+`, or for a plain prefix rule the length of its prefix (where `*` was). */
  readonly firstWildcard: number;
  readonly isPrefix: boolean;
  /** Number of `+` segments. */
  readonly wildcards: number;
  /** The pattern without a trailing `*`. */
  readonly stem: string;
}

/**
 * True when `a` outranks `b`: (a) its first wildcard comes later; (b) it is not a prefix rule
 * when `b` is; (c) it has fewer `+` segments; (d) its pattern is longer; (e) its pattern sorts
 * later (the deterministic tie-break).
 */
export function outranks(a: RankedPattern, b: RankedPattern): boolean {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard > b.firstWildcard;
  if (a.isPrefix !== b.isPrefix) return !a.isPrefix;
  if (a.wildcards !== b.wildcards) return a.wildcards < b.wildcards;
  if (a.stem.length !== b.stem.length) return a.stem.length > b.stem.length;
  return a.stem > b.stem;
}

/** Ranking data for a segment-wildcard pattern (trailing `*` still on `path`). */
export function rankSegmentPattern(path: string, isPrefix: boolean): RankedPattern & { readonly parts: readonly string[] } {
  const stem = isPrefix ? path.slice(0, -1) : path;
  const parts = stem.split('/');
  return { firstWildcard: path.indexOf('+'), isPrefix, wildcards: parts.filter((p) => p === '+').length, stem, parts };
}

/** Ranking data for a plain prefix rule whose stripped prefix is `prefix`. */
export function rankPrefixPattern(prefix: string): RankedPattern {
  return { firstWildcard: prefix.length, isPrefix: true, wildcards: 0, stem: prefix };
}
