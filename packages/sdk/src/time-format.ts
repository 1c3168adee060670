// Vault's time formats on the wire: Go's RFC3339Nano (trailing zero digits dropped) and RFC3339.

/** Go's `time.RFC3339Nano` in UTC: `2026-01-01T00:00:00Z`, `2026-01-01T00:00:00.5Z`. */
export function formatRfc3339Nano(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d*?)0*Z$/, (_, digits: string) => (digits === '' ? 'Z' : `.${digits}Z`));
}

/** Go's `time.RFC3339` in UTC, whole seconds. */
export function formatRfc3339(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}
