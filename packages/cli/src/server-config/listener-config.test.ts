// listener "tcp": address default, tls_disable in every form Vault accepts, required certificate
// files in Vault's words, TLS versions, request limits, ignored settings and refused listener types.
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from './parse-server-config.js';
import { ServerConfigError } from './server-config-error.js';
import type { ListenerConfig } from './server-config.js';

const STORAGE = 'storage "inmem" {}\n';
const listener = (body: string): ListenerConfig => parseServerConfig(`listener "tcp" {\n${body}\n}\n${STORAGE}`, 'vault.hcl', { env: {} }).listeners[0]!;
const warnings = (body: string) => parseServerConfig(`listener "tcp" {\n${body}\n}\n${STORAGE}`, 'vault.hcl', { env: {} }).warnings;

function listenerError(body: string): ServerConfigError {
  try {
    parseServerConfig(`listener "tcp" {\n${body}\n}\n${STORAGE}`, 'vault.hcl', { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ServerConfigError);
    return error as ServerConfigError;
  }
  throw new Error('expected a ServerConfigError');
}

describe('listener "tcp"', () => {
  it('listens on 127.0.0.1:8200 unless told otherwise', () => {
    expect(listener('tls_disable = true')).toEqual({ type: 'tcp', address: '127.0.0.1:8200', tls: false });
    expect(listener('address = "[::]:8300"\ntls_disable = true').address).toBe('[::]:8300');
  });

  it.each(['true', '"true"', '"1"', '1', '"t"', '"True"'])('reads tls_disable = %s as true', (value) => {
    expect(listener(`tls_disable = ${value}`).tls).toBe(false);
  });

  it.each(['false', '"false"', '"0"', '0', '""'])('reads tls_disable = %s as false, which then needs certificate files', (value) => {
    expect(listenerError(`tls_disable = ${value}`).detail).toBe(`error initializing listener of type tcp: 'tls_cert_file' must be set`);
  });

  it('reads every TLS setting', () => {
    const tls = listener(`tls_cert_file = "certs/vault.pem"
tls_key_file = "certs/vault-key.pem"
tls_min_version = "tls12"
tls_max_version = "tls13"
tls_client_ca_file = "certs/ca.pem"
tls_require_and_verify_client_cert = "true"`).tls;
    expect(tls).toEqual({
      certFile: 'certs/vault.pem',
      keyFile: 'certs/vault-key.pem',
      minVersion: 'tls12',
      maxVersion: 'tls13',
      clientCaFile: 'certs/ca.pem',
      requireAndVerifyClientCert: true,
      disableClientCerts: false,
    });
  });

  it('reads request limits', () => {
    expect(listener('tls_disable = true\nmax_request_size = 1048576\nmax_request_duration = "30s"')).toMatchObject({ maxRequestSizeBytes: 1_048_576, maxRequestDurationSec: 30 });
    expect(listener('tls_disable = true\nmax_request_size = "-1"').maxRequestSizeBytes).toBe(-1);
  });

  it('warns about the settings it ignores, and about TLS files when TLS is disabled', () => {
    expect(warnings('tls_disable = true\ntls_cert_file = "c.pem"\ncluster_address = "0.0.0.0:8201"\ntelemetry {\n  unauthenticated_metrics_access = true\n}')).toEqual([
      'vault.hcl:3: tls_cert_file in listener "tcp" is ignored: tls_disable is set',
      'vault.hcl:4: cluster_address in listener "tcp" is accepted but ignored by Coffer',
      'vault.hcl:5: telemetry in listener "tcp" is accepted but ignored by Coffer',
    ]);
  });

  it('reads several listeners, in file order', () => {
    const config = parseServerConfig(`listener "tcp" {\n  address = "127.0.0.1:8200"\n  tls_disable = 1\n}\nlistener "TCP" {\n  address = "10.0.0.1:8200"\n  tls_disable = 1\n}\n${STORAGE}`, 'vault.hcl');
    expect(config.listeners.map((l) => l.address)).toEqual(['127.0.0.1:8200', '10.0.0.1:8200']);
  });

  it.each([
    ['adress = "0.0.0.0:8200"', 2, 'unknown key "adress" in listener "tcp"'],
    ['tls_disable = true\ntls_disable = false', 3, 'duplicate key "tls_disable" in listener "tcp"'],
    ['tls_disable = "yes"', 2, 'invalid value for tls_disable in listener "tcp": cannot parse "yes" as bool'],
    ['address = 8200\ntls_disable = true', 2, 'invalid value for address in listener "tcp": expected a string, got the number 8200'],
    ['address = "0.0.0.0"\ntls_disable = true', 2, 'invalid value for address in listener "tcp": "0.0.0.0" has no port (expected host:port)'],
    ['address = "0.0.0.0:99999"\ntls_disable = true', 2, 'invalid value for address in listener "tcp": port 99999 is out of range'],
    ['address = "{{ GetPrivateIP }}:8200"\ntls_disable = true', 2, 'invalid value for address in listener "tcp": go-sockaddr templates are not supported by Coffer'],
    ['address = ""\ntls_disable = true', 2, 'invalid value for address in listener "tcp": must not be empty'],
    ['tls_cert_file = "c.pem"', 1, `error initializing listener of type tcp: 'tls_key_file' must be set`],
    ['tls_key_file = "k.pem"', 1, `error initializing listener of type tcp: 'tls_cert_file' must be set`],
    ['tls_cert_file = "c.pem"\ntls_key_file = "k.pem"\ntls_min_version = "tls14"', 4, `'tls_min_version' value "tls14" not supported, please specify one of [tls10,tls11,tls12,tls13]`],
    ['tls_cert_file = "c.pem"\ntls_key_file = "k.pem"\ntls_max_version = "TLS13"', 4, `'tls_max_version' value "TLS13" not supported, please specify one of [tls10,tls11,tls12,tls13]`],
    ['tls_cert_file = "c.pem"\ntls_key_file = "k.pem"\ntls_min_version = "tls13"\ntls_max_version = "tls12"', 5, `'tls_max_version' "tls12" is lower than 'tls_min_version' "tls13" in listener "tcp"`],
    [
      'tls_cert_file = "c.pem"\ntls_key_file = "k.pem"\ntls_require_and_verify_client_cert = true\ntls_disable_client_certs = true',
      5,
      `'tls_disable_client_certs' and 'tls_require_and_verify_client_cert' are mutually exclusive`,
    ],
    ['tls_disable = true\nmax_request_size = "32MB"', 3, 'invalid value for max_request_size in listener "tcp": expected an integer, got the string "32MB"'],
    ['tls_disable = true\nmax_request_duration = "1 minute"', 3, 'invalid value for max_request_duration in listener "tcp": time: invalid duration "1 minute"'],
  ])('%j fails at line %i', (body, line, detail) => {
    const error = listenerError(body);
    expect(error.message).toBe(`vault.hcl:${line}: ${detail}`);
  });

  it('refuses unix sockets and unknown listener types at the type label', () => {
    const unix = (() => {
      try {
        parseServerConfig(`${STORAGE}listener "unix" {\n  address = "/run/vault.sock"\n}`, 'vault.hcl');
      } catch (error) {
        return error as ServerConfigError;
      }
    })();
    expect(unix?.message).toBe('vault.hcl:2: listener "unix" is not available in Coffer: only "tcp" listeners are supported');
    expect(unix?.column).toBe(10);
    expect(() => parseServerConfig(`${STORAGE}listener "udp" {}`, 'vault.hcl')).toThrow('vault.hcl:2: unsupported listener type "udp"');
  });
});
