// Vault's time formats on the wire: Go's RFC3339Nano (trailing zero digits dropped) and RFC3339.

/** Go's `time.RFC3339Nano` in UTC: `2026-01-01T00:00:00Z`, `2026-01-01T00:00:00.5Z`. */
export function formatRfc3339Nano(epochMs: number): string {
  // toISOString always writes three fraction digits (and six-digit years only past 9999, never here).
  const iso = new Date(epochMs).toISOString();
  const dot = iso.length - 5;
  if (iso.endsWith('000Z')) return `${iso.slice(0, dot)}Z`;
  if (iso.endsWith('00Z')) return `${iso.slice(0, dot + 2)}Z`;
  if (iso.endsWith('0Z')) return `${iso.slice(0, dot + 3)}Z`;
  return iso;
}

/** Go's `time.RFC3339` in UTC, whole seconds. */
export function formatRfc3339(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}
