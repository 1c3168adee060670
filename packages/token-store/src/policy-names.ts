// Policy lists on tokens (sdk/helper/policyutil): normalised, de-duplicated, sorted, `default` added on request.

/** Trimmed, lower-cased, without empties or duplicates, sorted; `root` swallows everything else. */
export function sanitizePolicies(policies: readonly string[], addDefault: boolean): string[] {
  const set = new Set(policies.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''));
  if (set.has('root')) return ['root'];
  if (addDefault) set.add('default');
  return [...set].sort();
}

/** Vault's glob: `*` matches any run of characters, anywhere in the pattern. */
export function globMatches(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  if (!value.startsWith(parts[0]!) || !value.endsWith(parts[parts.length - 1]!)) return false;
  let at = parts[0]!.length;
  const end = value.length - parts[parts.length - 1]!.length;
  for (const middle of parts.slice(1, -1)) {
    const found = value.indexOf(middle, at);
    if (found === -1 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return at <= end;
}

export function matchesAnyGlob(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => globMatches(p, value));
}
