// Vault's `listener "tcp" { ... }` stanza: the address, TLS (required unless `tls_disable`, with
// Vault's own messages) and request limits. Coffer serves HTTP over TCP only; `unix` is refused.
import type { LabeledBlock } from './config-blocks.js';
import type { ConfigContext } from './config-context.js';
import { readBool, readDurationSec, readInt, readNonEmptyString, readString, singleEntries } from './config-values.js';
import type { ConfigEntry } from './config-values.js';
import { DEFAULT_LISTENER_ADDRESS, TLS_VERSIONS } from './server-config.js';
import type { ListenerConfig, ListenerTlsConfig, TlsVersion } from './server-config.js';

const TLS_KEYS = [
  'tls_cert_file',
  'tls_key_file',
  'tls_min_version',
  'tls_max_version',
  'tls_client_ca_file',
  'tls_require_and_verify_client_cert',
  'tls_disable_client_certs',
] as const;
const USED_KEYS = ['address', 'tls_disable', ...TLS_KEYS, 'max_request_size', 'max_request_duration'] as const;

/** Listener settings Vault knows that have no effect here (no cluster port, no proxies, no metrics endpoint). */
const IGNORED_KEYS = [
  'cluster_address',
  'purpose',
  'role',
  'tls_cipher_suites',
  'tls_prefer_server_cipher_suites',
  'x_forwarded_for_authorized_addrs',
  'x_forwarded_for_hop_skips',
  'x_forwarded_for_reject_not_authorized',
  'x_forwarded_for_reject_not_present',
  'x_forwarded_for_client_cert_header',
  'x_forwarded_for_client_cert_header_decoders',
  'proxy_protocol_behavior',
  'proxy_protocol_authorized_addrs',
  'http_read_timeout',
  'http_read_header_timeout',
  'http_write_timeout',
  'http_idle_timeout',
  'require_request_header',
  'unauthenticated_metrics_access',
  'telemetry',
  'profiling',
  'inflight_requests_logging',
  'custom_response_headers',
  'disable_replication_status_endpoints',
  'redact_addresses',
  'redact_cluster_name',
  'redact_version',
] as const;
const KNOWN_KEYS: ReadonlySet<string> = new Set([...USED_KEYS, ...IGNORED_KEYS]);

/** One `listener` block, validated. */
export function parseListener(ctx: ConfigContext, block: LabeledBlock): ListenerConfig {
  const where = `listener ${JSON.stringify(block.label.name)}`;
  if (block.type === 'unix') throw ctx.fail(block.label.pos, `listener "unix" is not available in Coffer: only "tcp" listeners are supported`);
  if (block.type !== 'tcp') throw ctx.fail(block.label.pos, `unsupported listener type ${JSON.stringify(block.type)}`);
  const entries = singleEntries(ctx, block.body, where, KNOWN_KEYS);
  for (const key of IGNORED_KEYS) {
    const entry = entries.get(key);
    if (entry) ctx.warn(entry.key.pos, `${key} in ${where} is accepted but ignored by Coffer`);
  }

  const addressEntry = entries.get('address');
  const address = addressEntry ? readAddress(ctx, addressEntry, where) : DEFAULT_LISTENER_ADDRESS;
  const tlsDisableEntry = entries.get('tls_disable');
  const tlsDisabled = tlsDisableEntry ? readBool(ctx, tlsDisableEntry, where) : false;

  let tls: false | ListenerTlsConfig;
  if (tlsDisabled) {
    for (const key of TLS_KEYS) {
      const entry = entries.get(key);
      if (entry) ctx.warn(entry.key.pos, `${key} in ${where} is ignored: tls_disable is set`);
    }
    tls = false;
  } else {
    tls = readTls(ctx, block, entries, where);
  }

  const sizeEntry = entries.get('max_request_size');
  const durationEntry = entries.get('max_request_duration');
  // Vault cancels a request at this deadline; Coffer's handlers have no cancellation points yet.
  if (durationEntry) ctx.warn(durationEntry.key.pos, `max_request_duration in ${where} is accepted but ignored by Coffer`);
  return {
    type: 'tcp',
    address,
    tls,
    ...(sizeEntry && { maxRequestSizeBytes: readInt(ctx, sizeEntry, where) }),
    ...(durationEntry && { maxRequestDurationSec: readDurationSec(ctx, durationEntry, where) }),
  };
}

/** `host:port`, checked now rather than when the server binds, so the error can name the line. */
function readAddress(ctx: ConfigContext, entry: ConfigEntry, where: string): string {
  const address = readNonEmptyString(ctx, entry, where);
  const invalid = (reason: string) => ctx.fail(entry.value.pos, `invalid value for address in ${where}: ${reason}`);
  if (address.includes('{{')) throw invalid('go-sockaddr templates are not supported by Coffer');
  const match = /^(.*):(\d+)$/.exec(address);
  if (!match) throw invalid(`${JSON.stringify(address)} has no port (expected host:port)`);
  if (Number(match[2]) > 65_535) throw invalid(`port ${match[2]} is out of range`);
  return address;
}

function readTls(ctx: ConfigContext, block: LabeledBlock, entries: ReadonlyMap<string, ConfigEntry>, where: string): ListenerTlsConfig {
  // Vault's listener setup checks the certificate first, then the key, with these words.
  const certEntry = entries.get('tls_cert_file');
  if (!certEntry) throw ctx.fail(block.label.pos, `error initializing listener of type ${block.type}: 'tls_cert_file' must be set`);
  const keyEntry = entries.get('tls_key_file');
  if (!keyEntry) throw ctx.fail(block.label.pos, `error initializing listener of type ${block.type}: 'tls_key_file' must be set`);
  const minEntry = entries.get('tls_min_version');
  const maxEntry = entries.get('tls_max_version');
  const minVersion = minEntry && readTlsVersion(ctx, minEntry, where);
  const maxVersion = maxEntry && readTlsVersion(ctx, maxEntry, where);
  if (minVersion && maxVersion && TLS_VERSIONS.indexOf(maxVersion) < TLS_VERSIONS.indexOf(minVersion)) {
    throw ctx.fail(maxEntry!.value.pos, `'tls_max_version' ${JSON.stringify(maxVersion)} is lower than 'tls_min_version' ${JSON.stringify(minVersion)} in ${where}`);
  }
  const caEntry = entries.get('tls_client_ca_file');
  const requireEntry = entries.get('tls_require_and_verify_client_cert');
  const disableClientEntry = entries.get('tls_disable_client_certs');
  const requireAndVerifyClientCert = requireEntry ? readBool(ctx, requireEntry, where) : false;
  const disableClientCerts = disableClientEntry ? readBool(ctx, disableClientEntry, where) : false;
  if (requireAndVerifyClientCert && disableClientCerts) {
    // Vault refuses this pair when it builds the TLS configuration.
    throw ctx.fail(disableClientEntry!.key.pos, `'tls_disable_client_certs' and 'tls_require_and_verify_client_cert' are mutually exclusive`);
  }
  return {
    certFile: readNonEmptyString(ctx, certEntry, where),
    keyFile: readNonEmptyString(ctx, keyEntry, where),
    ...(minVersion && { minVersion }),
    ...(maxVersion && { maxVersion }),
    ...(caEntry && { clientCaFile: readNonEmptyString(ctx, caEntry, where) }),
    requireAndVerifyClientCert,
    disableClientCerts,
  };
}

function readTlsVersion(ctx: ConfigContext, entry: ConfigEntry, where: string): TlsVersion {
  const value = readString(ctx, entry, where);
  const version = TLS_VERSIONS.find((v) => v === value);
  if (version === undefined) {
    throw ctx.fail(entry.value.pos, `'${entry.key.name}' value ${JSON.stringify(value)} not supported, please specify one of [${TLS_VERSIONS.join(',')}]`);
  }
  return version;
}
