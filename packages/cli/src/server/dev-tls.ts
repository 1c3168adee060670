// `-dev-tls`: a throwaway CA and a server certificate for the dev listener, made at start and
// written where a client can trust them (VAULT_CACERT), as `vault server -dev-tls` does.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export interface DevTlsMaterial {
  /** The directory holding vault-ca.pem, vault-cert.pem and vault-key.pem. */
  dir: string;
  caFile: string;
  certPem: string;
  keyPem: string;
}

/** Keys come from node:crypto (native and fast); node-forge only assembles and signs the certificates. */
function rsaKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem };
}

/**
 * A DER INTEGER serial must be positive and minimally encoded: a first byte of 0x01–0x7f. An odd
 * number of hex digits, or a leading zero byte, makes OpenSSL refuse the certificate.
 */
export function serialHex(random: Uint8Array): string {
  const bytes = Uint8Array.from(random);
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return Buffer.from(bytes).toString('hex');
}

function certificate(subject: string, publicKey: forge.pki.PublicKey, nowMs: number, validDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialHex(randomBytes(16));
  cert.validity.notBefore = new Date(nowMs - 30_000);
  cert.validity.notAfter = new Date(nowMs + validDays * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  return cert;
}

/** A CA and a certificate for `host` (plus localhost, 127.0.0.1 and ::1), written to `dir` or a new temporary directory. */
export async function createDevTls(host: string, nowMs: number, dir?: string): Promise<DevTlsMaterial> {
  const caKeys = rsaKeys();
  const ca = certificate('Coffer dev CA', caKeys.publicKey, nowMs, 365);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = rsaKeys();
  const server = certificate('localhost', serverKeys.publicKey, nowMs, 365);
  server.setIssuer(ca.subject.attributes);
  const altNames: Array<{ type: number; value?: string; ip?: string }> = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  if (isIP(host) && host !== '127.0.0.1' && host !== '::1') altNames.push({ type: 7, ip: host });
  else if (!isIP(host) && host !== 'localhost') altNames.push({ type: 2, value: host });
  server.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  server.sign(caKeys.privateKey, forge.md.sha256.create());

  const target = dir ?? (await mkdtemp(join(tmpdir(), 'coffer-dev-tls-')));
  await mkdir(target, { recursive: true, mode: 0o700 });
  const caPem = forge.pki.certificateToPem(ca);
  const certPem = forge.pki.certificateToPem(server) + caPem;
  const caFile = join(target, 'vault-ca.pem');
  await writeFile(caFile, caPem, { mode: 0o644 });
  await writeFile(join(target, 'vault-cert.pem'), certPem, { mode: 0o644 });
  await writeFile(join(target, 'vault-key.pem'), serverKeys.pem, { mode: 0o600 });
  return { dir: target, caFile, certPem, keyPem: serverKeys.pem };
}
