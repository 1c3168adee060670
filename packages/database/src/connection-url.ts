// connection_url: Vault's {{username}}/{{password}} templating, the pg settings it turns into, and its redacted read form.
import { readFileSync } from 'node:fs';
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
function sslOf(mode: string | undefined, hasRootCert: boolean): { ssl: ClientConfig['ssl']; tlsFallback: boolean } {
  switch (mode) {
    case undefined:
    case 'prefer':
    case 'allow':
      return { ssl: { rejectUnauthorized: false }, tlsFallback: true };
    case 'disable':
      return { ssl: false, tlsFallback: false };
    case 'require':
      // With a root certificate, libpq (and pgx) verify the chain as verify-ca does.
      return hasRootCert ? sslOf('verify-ca', true) : { ssl: { rejectUnauthorized: false }, tlsFallback: false };
    case 'verify-ca':
      return { ssl: { rejectUnauthorized: true, checkServerIdentity: () => undefined }, tlsFallback: false };
    case 'verify-full':
      return { ssl: { rejectUnauthorized: true }, tlsFallback: false };
    default:
      // A typo must not quietly mean "TLS if convenient".
      throw new Error(`invalid sslmode value: "${mode}"`);
  }
}

/** libpq's `key=value key='quoted value'` form, which Vault also accepts. */
function keywordPairs(dsn: string): Array<[string, string]> {
  const pattern = /(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S*))/g;
  return [...dsn.matchAll(pattern)].map((match) => [match[1]!, match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!]);
}

const SSL_FILE_OPTION = { sslrootcert: 'ca', sslcert: 'cert', sslkey: 'key' } as const;

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
      case 'sslrootcert':
      case 'sslcert':
      case 'sslkey': {
        // Read as libpq reads them, so that `require` with a root certificate verifies the chain.
        const ssl = typeof config.ssl === 'object' ? config.ssl : {};
        ssl[SSL_FILE_OPTION[key]] = readFileSync(value, 'utf8');
        config.ssl = ssl;
        break;
      }
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

/** The URL with every `name=` query parameter removed. */
function withoutParameter(url: string, name: string): string {
  const question = url.indexOf('?');
  if (question < 0) return url;
  const kept = url
    .slice(question + 1)
    .split('&')
    .filter((pair) => pair !== '' && pair.split('=', 1)[0] !== name);
  return kept.length > 0 ? `${url.slice(0, question)}?${kept.join('&')}` : url.slice(0, question);
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
    // The mode is read here with libpq's meaning (the last one given wins, as in libpq);
    // pg-connection-string would read it its own way.
    const modes = [...rendered.matchAll(/[?&]sslmode=([^&#]*)/g)];
    sslMode = modes.length > 0 ? decodeURIComponent(modes[modes.length - 1]![1]!) : undefined;
    config = toClientConfig(parse(withoutParameter(rendered, 'sslmode')));
  } else {
    ({ config, sslMode } = parseKeywordDsn(rendered));
  }
  const hasRootCert = typeof config.ssl === 'object' && config.ssl.ca !== undefined;
  const { ssl, tlsFallback } = sslOf(sslMode, hasRootCert);
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

/** Query parameters and keywords that carry a secret: the password, and the client key's passphrase. */
const SECRET_KEYS = new Set(['password', 'sslpassword']);

/** Whether the connection string carries a literal password (Vault then warns: root rotation cannot work). */
export function hasLiteralPassword(connection: string): boolean {
  if (!isUrl(connection)) return keywordPairs(connection).some(([key, value]) => SECRET_KEYS.has(key) && literal(value));
  const userinfo = URL_USERINFO.exec(connection)?.[2];
  const colon = userinfo?.indexOf(':') ?? -1;
  if (userinfo !== undefined && colon >= 0 && literal(userinfo.slice(colon + 1))) return true;
  return [...connection.matchAll(/[?&](\w+)=([^&#]*)/g)].some((m) => SECRET_KEYS.has(m[1]!) && literal(m[2]));
}

/** The connection string as a read returns it: every literal secret replaced by `xxxxx` (as Go's url.Redacted). */
export function redactConnectionUrl(connection: string): string {
  if (!hasLiteralPassword(connection)) return connection;
  if (!isUrl(connection)) {
    // Rebuilt from its pairs, so a value that merely contains "password=" is left alone.
    return keywordPairs(connection)
      .map(([key, value]) => `${key}=${SECRET_KEYS.has(key) && literal(value) ? 'xxxxx' : quoteKeywordValue(value)}`)
      .join(' ');
  }
  return connection
    .replace(URL_USERINFO, (whole, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon < 0 || !literal(userinfo.slice(colon + 1)) ? whole : `${scheme}${userinfo.slice(0, colon)}:xxxxx@`;
    })
    .replace(/([?&])(\w+)=([^&#]*)/g, (whole, sep: string, key: string, value: string) => (SECRET_KEYS.has(key) && literal(value) ? `${sep}${key}=xxxxx` : whole));
}

/** A keyword value as libpq reads it back: quoted when empty or holding spaces, quotes or backslashes. */
function quoteKeywordValue(value: string): string {
  return value === '' || /[\s'\\]/.test(value) ? `'${value.replace(/['\\]/g, '\\$&')}'` : value;
}
