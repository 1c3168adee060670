// How a policy path key becomes a matching rule: exact, prefix (trailing `*`) or segment-wildcard (`+`).

export type PathKind = 'exact' | 'prefix' | 'segment';

export interface PathPattern {
  /**
   * The key rules are merged and matched by. Prefix rules lose their trailing `*` (the rest is a
   * raw string prefix); segment-wildcard rules keep it, so `a/+` and `a/+*` stay distinct.
   */
  readonly path: string;
  readonly kind: PathKind;
  /** The key ended in `*`: true for every prefix rule and for segment rules that glob their tail. */
  readonly isPrefix: boolean;
}

/** Vault strips one leading slash from policy paths and request paths alike. */
export function stripLeadingSlash(path: string): string {
  return path.charCodeAt(0) === 47 ? path.slice(1) : path;
}

/**
 * Classifies an already slash-stripped key, or returns the reason it is invalid. A key is a
 * segment-wildcard path when it is `+`, starts with `+/` or contains `/+`; `*` counts only at
 * the very end and is a literal character anywhere else.
 */
export function classifyPath(key: string): PathPattern | string {
  if (key.includes('+*')) return `path ${JSON.stringify(key)}: invalid use of wildcards ('+*' is forbidden)`;
  const segment = key === '+' || key.startsWith('+/') || key.includes('/+');
  const isPrefix = key.endsWith('*');
  if (segment) return { path: key, kind: 'segment', isPrefix };
  if (isPrefix) return { path: key.slice(0, -1), kind: 'prefix', isPrefix };
  return { path: key, kind: 'exact', isPrefix };
}
