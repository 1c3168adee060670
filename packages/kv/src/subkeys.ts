// The shape of a KV v2 secret without its values: every leaf becomes null, optionally depth-limited (path_subkeys.go removeValues).

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Replaces leaves (non-objects and empty objects) with null. `maxDepth` 0 means unlimited;
 * otherwise objects at that depth are cut off and become null too, so no value can leak.
 */
export function subkeysOf(data: Record<string, unknown>, maxDepth: number): Record<string, unknown> {
  const walk = (input: Record<string, unknown>, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(input)) {
      const next = depth + 1;
      out[name] = isObject(value) && Object.keys(value).length > 0 && (maxDepth === 0 || next <= maxDepth) ? walk(value, next) : null;
    }
    return out;
  };
  return walk(data, 1);
}
