// Vault's time formats on the wire: Go's RFC3339Nano (trailing zero digits dropped) and RFC3339.
// Token lookups and KV reads format several times per request, so the calendar arithmetic is
// done here directly instead of through Date#toISOString and string surgery.

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** `YYYY-MM-DDTHH:MM:SS` in UTC (years 0–9999), by Howard Hinnant's days-to-civil algorithm. */
function civilSeconds(epochMs: number): string {
  const totalSeconds = Math.floor(epochMs / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const secondOfDay = totalSeconds - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor((secondOfDay % 3600) / 60);
  const second = secondOfDay % 60;
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}T${pad2(hour)}:${pad2(minute)}:${pad2(second)}`;
}

/** Go's `time.RFC3339Nano` in UTC: `2026-01-01T00:00:00Z`, `2026-01-01T00:00:00.5Z`. */
export function formatRfc3339Nano(epochMs: number): string {
  const ms = ((epochMs % 1000) + 1000) % 1000;
  const base = civilSeconds(epochMs);
  if (ms === 0) return `${base}Z`;
  let fraction = String(ms).padStart(3, '0');
  while (fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${base}.${fraction}Z`;
}

/** Go's `time.RFC3339` in UTC, whole seconds. */
export function formatRfc3339(epochMs: number): string {
  return `${civilSeconds(epochMs)}Z`;
}
