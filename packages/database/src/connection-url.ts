// connection_url: Vault's {{username}}/{{password}} templating, the pg settings it turns into, and its redacted read form.
import type { ClientConfig } from 'pg';

export interface ConnectionCredentials {
  connectionUrl: string;
  username: string;
  password: string;
  /** Substitute the credentials verbatim instead of URL-escaping them. */
  disableEscaping: boolean;
}

/** The connection URL with the root credentials in place (connutil.SQLConnectionProducer.Init). */
export function renderConnectionUrl(credentials: ConnectionCredentials): string {
  const escape = credentials.disableEscaping ? (s: string) => s : encodeURIComponent;
  return credentials.connectionUrl
    .replaceAll('{{username}}', escape(credentials.username))
    .replaceAll('{{password}}', escape(credentials.password));
}

const SSL_MODES: Record<string, ClientConfig['ssl']> = {
  disable: false,
  allow: false,
  prefer: false,
  require: { rejectUnauthorized: false },
  'verify-ca': { rejectUnauthorized: true },
  'verify-full': { rejectUnauthorized: true },
};

/** libpq's `key=value key='quoted value'` form, which Vault also accepts. */
function parseKeywordDsn(dsn: string): ClientConfig {
  const config: ClientConfig = {};
  const pattern = /(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))/g;
  for (const match of dsn.matchAll(pattern)) {
    const key = match[1]!;
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!;
    switch (key) {
      case 'host':
      case 'hostaddr':
        config.host = value;
        break;
      case 'port':
        config.port = Number(value);
        break;
      case 'user':
        config.user = value;
        break;
      case 'password':
        config.password = value;
        break;
      case 'dbname':
        config.database = value;
        break;
      case 'sslmode':
        config.ssl = SSL_MODES[value] ?? false;
        break;
      case 'connect_timeout':
        config.connectionTimeoutMillis = Number(value) * 1000;
        break;
      case 'application_name':
        config.application_name = value;
        break;
      default:
        break;
    }
  }
  return config;
}

/** The pg client settings for a rendered connection URL (`postgres://`, `postgresql://`, or a keyword DSN). */
export function clientConfigOf(renderedUrl: string): ClientConfig {
  const isUrl = /^postgres(ql)?:\/\//.test(renderedUrl);
  const config: ClientConfig = isUrl ? { connectionString: renderedUrl } : parseKeywordDsn(renderedUrl);
  // As Vault does, so the server can tell who is connected.
  if (!/application_name/.test(renderedUrl)) config.application_name = 'vault';
  return config;
}

/** Whether the URL carries a literal password (Vault then warns: root rotation cannot work). */
export function hasLiteralPassword(connectionUrl: string): boolean {
  try {
    const url = new URL(connectionUrl);
    return url.password !== '' && decodeURIComponent(url.password) !== '{{password}}';
  } catch {
    return false;
  }
}

/** The URL as a read returns it: a literal password replaced by `xxxxx` (Go's url.Redacted). */
export function redactConnectionUrl(connectionUrl: string): string {
  if (!hasLiteralPassword(connectionUrl)) return connectionUrl;
  return connectionUrl.replace(/^([a-z]+:\/\/[^:@/]*:)[^@]*@/i, '$1xxxxx@');
}
