// connection_url templating, pg settings and the redacted form a read shows.
import { describe, expect, it } from 'vitest';
import { clientConfigOf, hasLiteralPassword, redactConnectionUrl, renderConnectionUrl } from './connection-url.js';

describe('connection urls', () => {
  it('fills in URL-escaped credentials unless escaping is disabled', () => {
    const url = 'postgresql://{{username}}:{{password}}@db:5432/app?sslmode=disable';
    expect(renderConnectionUrl({ connectionUrl: url, username: 'ad min', password: 'p@ss:w/rd', disableEscaping: false })).toBe('postgresql://ad%20min:p%40ss%3Aw%2Frd@db:5432/app?sslmode=disable');
    expect(renderConnectionUrl({ connectionUrl: url, username: 'a', password: 'b', disableEscaping: true })).toBe('postgresql://a:b@db:5432/app?sslmode=disable');
  });

  it('reads keyword DSNs too, and names the application "vault"', () => {
    expect(clientConfigOf(`host=db port=5433 user=admin password='it''s' dbname=app sslmode=require`)).toMatchObject({ host: 'db', port: 5433, user: 'admin', database: 'app', ssl: { rejectUnauthorized: false }, application_name: 'vault' });
    expect(clientConfigOf('postgres://a:b@db/app')).toEqual({ connectionString: 'postgres://a:b@db/app', application_name: 'vault' });
  });

  it('shows a literal password as xxxxx, a template as it is', () => {
    expect(hasLiteralPassword('postgresql://admin:secret@db/app')).toBe(true);
    expect(redactConnectionUrl('postgresql://admin:secret@db/app')).toBe('postgresql://admin:xxxxx@db/app');
    expect(hasLiteralPassword('postgresql://{{username}}:{{password}}@db/app')).toBe(false);
    expect(redactConnectionUrl('postgresql://{{username}}:{{password}}@db/app')).toBe('postgresql://{{username}}:{{password}}@db/app');
  });
});
