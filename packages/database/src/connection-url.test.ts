// connection_url templating, pg settings with libpq's sslmode meanings, and the redacted form a read shows.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clientSettingsOf, hasLiteralPassword, redactConnectionUrl, renderConnectionUrl } from './connection-url.js';

describe('connection urls', () => {
  it('fills in URL-escaped credentials unless escaping is disabled', () => {
    const url = 'postgresql://{{username}}:{{password}}@db:5432/app?sslmode=disable';
    expect(renderConnectionUrl({ connectionUrl: url, username: 'ad min', password: 'p@ss:w/rd', disableEscaping: false })).toBe('postgresql://ad%20min:p%40ss%3Aw%2Frd@db:5432/app?sslmode=disable');
    expect(renderConnectionUrl({ connectionUrl: url, username: 'a', password: 'b', disableEscaping: true })).toBe('postgresql://a:b@db:5432/app?sslmode=disable');
  });

  it('reads URLs and keyword DSNs, and names the application "vault"', () => {
    expect(clientSettingsOf(`host=db port=5433 user=admin password='it\\'s' dbname=app sslmode=require`)).toEqual({
      config: { host: 'db', port: 5433, user: 'admin', password: "it's", database: 'app', ssl: { rejectUnauthorized: false }, application_name: 'vault' },
      tlsFallback: false,
    });
    expect(clientSettingsOf('postgres://a:b%40c@db:6000/app?sslmode=disable')).toEqual({
      config: { user: 'a', password: 'b@c', host: 'db', port: 6000, database: 'app', ssl: false, application_name: 'vault' },
      tlsFallback: false,
    });
  });

  it('gives sslmode libpq’s meaning: prefer (the default) tries TLS unverified and may fall back, verify-* verify', () => {
    for (const url of ['postgres://a:b@db/app', 'postgres://a:b@db/app?sslmode=prefer', 'host=db sslmode=allow']) {
      expect(clientSettingsOf(url)).toMatchObject({ config: { ssl: { rejectUnauthorized: false } }, tlsFallback: true });
    }
    expect(clientSettingsOf('postgres://a:b@db/app?sslmode=require')).toMatchObject({ config: { ssl: { rejectUnauthorized: false } }, tlsFallback: false });
    expect(clientSettingsOf('postgres://a:b@db/app?sslmode=verify-full&application_name=x')).toMatchObject({ config: { ssl: { rejectUnauthorized: true }, application_name: 'x' }, tlsFallback: false });
    // With a root certificate, require verifies the chain as verify-ca does (libpq, pgx).
    const ca = join(mkdtempSync(join(tmpdir(), 'coffer-ca-')), 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
    expect(clientSettingsOf(`postgres://a:b@db/app?sslmode=require&sslrootcert=${ca}`)).toMatchObject({ config: { ssl: { ca: '-----BEGIN CERTIFICATE-----\n', rejectUnauthorized: true } } });
    writeFileSync(ca.replace('ca.pem', 'client.pem'), 'client certificate');
    expect(clientSettingsOf(`host=db sslmode=require sslrootcert=${ca} sslcert=${ca.replace('ca.pem', 'client.pem')}`)).toMatchObject({
      config: { ssl: { ca: '-----BEGIN CERTIFICATE-----\n', cert: 'client certificate', rejectUnauthorized: true } },
    });
    // Every sslmode is taken out before pg-connection-string reads the URL, repeated ones too.
    expect(clientSettingsOf('postgres://a:b@db/app?sslmode=disable&sslmode=disable&sslmode=disable&application_name=x')).toMatchObject({ config: { ssl: false, application_name: 'x', database: 'app' } });
    // The last mode given wins, as in libpq.
    expect(clientSettingsOf('postgres://a:b@db/app?sslmode=disable&sslmode=verify-full')).toMatchObject({ config: { ssl: { rejectUnauthorized: true } } });
    expect(() => clientSettingsOf('postgres://a:b@db/app?sslmode=verify_full')).toThrow('invalid sslmode value: "verify_full"');
    expect(() => clientSettingsOf('host=db sslmode=no-verify')).toThrow('invalid sslmode value');
  });

  it('shows every literal password as xxxxx, a template as it is', () => {
    expect(redactConnectionUrl('postgresql://admin:secret@db/app')).toBe('postgresql://admin:xxxxx@db/app');
    // The last @ ends the user information, as URL parsers read it.
    expect(redactConnectionUrl('postgresql://u:p@ss@db/app')).toBe('postgresql://u:xxxxx@db/app');
    expect(redactConnectionUrl('postgresql://db/app?user=u&password=s3cret&sslmode=disable')).toBe('postgresql://db/app?user=u&password=xxxxx&sslmode=disable');
    expect(redactConnectionUrl(`host=db user=u password='s3 cret' dbname=app`)).toBe('host=db user=u password=xxxxx dbname=app');
    expect(redactConnectionUrl(`host=h password=secret application_name='password=foo'`)).toBe(`host=h password=xxxxx application_name=password=foo`);
    expect(redactConnectionUrl('postgresql://u@db/app?sslkey=/k.pem&sslpassword=pass-phrase')).toBe('postgresql://u@db/app?sslkey=/k.pem&sslpassword=xxxxx');
    expect(hasLiteralPassword('host=db password={{password}}')).toBe(false);
    expect(hasLiteralPassword('postgresql://{{username}}:{{password}}@db/app')).toBe(false);
    expect(redactConnectionUrl('postgresql://{{username}}:{{password}}@db/app')).toBe('postgresql://{{username}}:{{password}}@db/app');
  });
});

describe('redaction under arbitrary passwords', () => {
  it('no literal password survives in a URL, a query parameter or a keyword DSN', () => {
    const secret = fc.string({ minLength: 6, maxLength: 24 }).filter((p) => p !== '{{password}}' && !p.includes('xxxxx'));
    fc.assert(
      fc.property(secret, fc.constantFrom('userinfo', 'query', 'keyword'), (password, form) => {
        const escaped = encodeURIComponent(password);
        const quoted = `'${password.replace(/['\\]/g, '\\$&')}'`;
        const connection =
          form === 'userinfo'
            ? `postgresql://admin:${escaped}@db.internal:5432/app?sslmode=disable`
            : form === 'query'
              ? `postgresql://db.internal:5432/app?user=admin&password=${escaped}&sslmode=disable`
              : `host=db.internal port=5432 user=admin password=${quoted} dbname=app`;
        expect(hasLiteralPassword(connection)).toBe(true);
        const shown = redactConnectionUrl(connection);
        expect(shown).not.toContain(form === 'keyword' ? quoted : escaped);
        expect(shown).toContain('xxxxx');
      }),
      { numRuns: 2000 },
    );
  });
});
