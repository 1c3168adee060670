// allowed_roles (vault-api.md §2.14): which roles may use a connection. Empty means none; `*` and globs match names.

/** Go's strutil.GlobbedStringsMatch: `*` at either end (or both) matches any run of characters. */
function globMatches(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === name;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (!name.startsWith(first) || !name.endsWith(last) || name.length < first.length + last.length) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = name.indexOf(middle, at);
    if (found === -1 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

export function isAllowedRole(allowedRoles: readonly string[], role: string): boolean {
  return allowedRoles.some((pattern) => globMatches(pattern, role));
}
