// Matching of a backend's special paths (PathsSpecial): exact names, or a prefix ending in `*`.

export function matchesSpecialPath(patterns: readonly string[], path: string): boolean {
  for (const pattern of patterns) {
    if (pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern) return true;
  }
  return false;
}
