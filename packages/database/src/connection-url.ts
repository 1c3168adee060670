// connection_url: Vault's {{username}}/{{password}} templating, the pg settings it turns into, and its redacted read form.
import type { ClientConfig } from 'pg';
import { parse, toClientConfig } from 'pg-connection-string';

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

/**
 * What a connection asks of TLS, with libpq's meanings (Vault's pgx has them too): `prefer` and
 * `allow`, and a URL that names no mode, try TLS without verifying the server and fall back to
 * plain TCP when the server has no TLS; `require` insists on TLS without verifying; `verify-ca`
 * and `verify-full` verify the certificate (`verify-ca` not the host name).
 */
function sslOf(mode: string | undefined): { ssl: ClientConfig['ssl']; tlsFallback: boolean } {
  switch (mode) {
    case 'disable':
      return { ssl: false, tlsFallback: false };
    case 'require':
      return { ssl: { rejectUnauthorized: false }, tlsFallback: false };
    case 'verify-ca':
      return { ssl: { rejectUnauthorized: true, checkServerIdentity: () => undefined }, tlsFallback: false };
    case 'verify-full':
      return { ssl: { rejectUnauthorized: true }, tlsFallback: false };
    default:
      return { ssl: { rejectUnauthorized: false }, tlsFallback: true };
  }
}

/** libpq's `key=value key='quoted value'` form, which Vault also accepts. */
function keywordPairs(dsn: string): Array<[string, string]> {
  const pattern = /(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))/g;
  return [...dsn.matchAll(pattern)].map((match) => [match[1]!, match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!]);
}

function parseKeywordDsn(dsn: string): { config: ClientConfig; sslMode: string | undefined } {
  const config: ClientConfig = {};
  let sslMode: string | undefined;
  for (const [key, value] of keywordPairs(dsn)) {
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
        sslMode = value;
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
  return { config, sslMode };
}

const isUrl = (connection: string): boolean => /^postgres(ql)?:\/\//.test(connection);

export interface ClientSettings {
  config: ClientConfig;
  /** Retry without TLS when the server has none (sslmode prefer or allow). */
  tlsFallback: boolean;
}

/** The pg client settings for a rendered connection URL (`postgres://`, `postgresql://`, or a keyword DSN). */
export function clientSettingsOf(rendered: string): ClientSettings {
  let config: ClientConfig;
  let sslMode: string | undefined;
  if (isUrl(rendered)) {
    // The mode is read here with libpq's meaning; pg-connection-string would read it its own way.
    sslMode = /[?&]sslmode=([^&#]*)/.exec(rendered)?.[1];
    config = toClientConfig(parse(rendered.replace(/([?&])sslmode=[^&#]*&?/, '$1').replace(/[?&]$/, '')));
  } else {
    ({ config, sslMode } = parseKeywordDsn(rendered));
  }
  const { ssl, tlsFallback } = sslOf(sslMode);
  // Certificates named in the URL (sslrootcert, sslcert, sslkey) stay with the mode's checks.
  const merged = typeof ssl === 'object' && typeof config.ssl === 'object' ? { ...config.ssl, ...ssl } : ssl;
  // As Vault does, so the server can tell who is connected.
  return { config: { ...config, ssl: merged, application_name: config.application_name ?? 'vault' }, tlsFallback };
}

/** The authority's user and password, split at the last `@` as URL parsers do. */
const URL_USERINFO = /^([a-z]+:\/\/)([^/?#]*)@/i;

function literal(value: string | undefined): boolean {
  return value !== undefined && value !== '' && value !== '{{password}}' && decodeURIComponentSafe(value) !== '{{password}}';
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Whether the connection string carries a literal password (Vault then warns: root rotation cannot work). */
export function hasLiteralPassword(connection: string): boolean {
  if (!isUrl(connection)) return keywordPairs(connection).some(([key, value]) => key === 'password' && literal(value));
  const userinfo = URL_USERINFO.exec(connection)?.[2];
  const colon = userinfo?.indexOf(':') ?? -1;
  if (userinfo !== undefined && colon >= 0 && literal(userinfo.slice(colon + 1))) return true;
  return literal(/[?&]password=([^&#]*)/.exec(connection)?.[1]);
}

/** The connection string as a read returns it: every literal password replaced by `xxxxx` (as Go's url.Redacted). */
export function redactConnectionUrl(connection: string): string {
  if (!hasLiteralPassword(connection)) return connection;
  if (!isUrl(connection)) {
    return connection.replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)/g, (whole, key: string, value: string) => (value === '{{password}}' ? whole : `${key}xxxxx`));
  }
  return connection
    .replace(URL_USERINFO, (whole, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon < 0 || !literal(userinfo.slice(colon + 1)) ? whole : `${scheme}${userinfo.slice(0, colon)}:xxxxx@`;
    })
    .replace(/([?&]password=)([^&#]*)/g, (whole, key: string, value: string) => (literal(value) ? `${key}xxxxx` : whole));
}
