// SQL statement lists as Vault's PostgreSQL plugin runs them: split on `;`, `{{name}}`-style values, and its default statements.

/** Vault's default renewal: move the role's expiry (postgresql.go defaultExpirationStatement). */
export const DEFAULT_RENEW_STATEMENT = `ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}';`;
/** Vault's default for root rotation and static roles (postgresql.go defaultChangePasswordStatement). */
export const DEFAULT_PASSWORD_STATEMENT = `ALTER ROLE "{{username}}" WITH PASSWORD '{{password}}';`;

/**
 * Statements may be sent base64-encoded or as a JSON array inside one string
 * (strutil.ParseArbitraryStringSlice); plain SQL never looks like either, since it has spaces.
 */
function decodeStatement(statement: string): { text: string } | { queries: string[] } {
  let text = statement.trim();
  if (text.length >= 4 && text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    const decoded = Buffer.from(text, 'base64').toString('utf8');
    if (!decoded.includes('\uFFFD')) text = decoded.trim();
  }
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((item) => typeof item === 'string')) return { queries: parsed };
    } catch {
      // Not JSON after all: plain SQL that starts with a bracket.
    }
  }
  return { text };
}

const QUOTED = /"(?:[^"]|"")*"|'(?:[^']|'')*'/g;

/**
 * A statement with a body that must not be split on `;`: one with a dollar-quoted body (`DO $$
 * … $$`, `CREATE FUNCTION … AS $fn$ … $fn$`) or, as Vault looks for it, the word END outside
 * quoted text, in any case.
 */
export function containsMultilineStatement(statement: string): boolean {
  const unquoted = statement.replace(QUOTED, '');
  return /\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$/.test(unquoted) || /\bEND\b/i.test(unquoted);
}

/**
 * The queries a list of statements runs, in order: each statement split on `;` into trimmed,
 * non-empty queries, except statements with a body, which run whole.
 */
export function queriesOf(statements: readonly string[]): string[] {
  const queries: string[] = [];
  for (const raw of statements) {
    const decoded = decodeStatement(raw);
    if ('queries' in decoded) {
      queries.push(...decoded.queries.map((query) => query.trim()).filter(Boolean));
      continue;
    }
    if (containsMultilineStatement(decoded.text)) {
      if (decoded.text) queries.push(decoded.text);
      continue;
    }
    for (const part of decoded.text.split(';')) {
      const query = part.trim();
      if (query) queries.push(query);
    }
  }
  return queries;
}

/** Substitutes `{{key}}` for each value, verbatim, as Vault's dbutil.QueryHelper does. */
export function renderQuery(query: string, values: Readonly<Record<string, string>>): string {
  let rendered = query;
  for (const [key, value] of Object.entries(values)) rendered = rendered.replaceAll(`{{${key}}}`, value);
  return rendered;
}

/** PostgreSQL's double-quoted identifier (dbutil.QuoteIdentifier). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `{{expiration}}`: Go's layout `2006-01-02 15:04:05-0700`, in UTC so the session time zone never matters. */
export function formatExpiration(epochMs: number): string {
  const iso = new Date(Math.floor(epochMs / 1000) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}+0000`;
}
