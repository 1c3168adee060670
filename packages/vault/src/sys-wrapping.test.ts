// Response wrapping through handle(): wrap any response, unwrap once (also under a race), lookup, rewrap (vault-api.md §1.5, §2.9).
import { describe, expect, it } from 'vitest';
import { formatRfc3339Nano } from '@coffer/sdk';
import { expectVaultError, unsealedVault } from './testing/helpers.js';

describe('response wrapping', () => {
  it('wraps a response in a single-use token and hands the original back once', async () => {
    const h = await unsealedVault();
    const original = await h.req('update', 'auth/token/create', { policies: ['default'], ttl: '1h' });
    const wrapped = await h.vault.handle({ operation: 'update', path: 'auth/token/create', token: h.token, data: { policies: ['default'] }, wrapTtl: '5m' });
    expect(wrapped).toMatchObject({ status: 200, data: null, auth: null, leaseId: '', leaseDurationSec: 0 });
    const info = wrapped.wrapInfo!;
    expect(info.token).toMatch(/^hvs\./);
    expect(info).toMatchObject({ ttl: 300, creation_path: 'auth/token/create', creation_time: formatRfc3339Nano(h.clock.now()) });
    expect(info.wrapped_accessor).toMatch(/^[0-9A-Za-z]{24}$/);
    expect(original.auth!.accessor).not.toBe(info.wrapped_accessor);

    const unwrapped = await h.req('update', 'sys/wrapping/unwrap', { token: info.token });
    expect(unwrapped.requestId).toBe(wrapped.requestId);
    expect(unwrapped.auth!.accessor).toBe(info.wrapped_accessor);
    expect((await h.req('read', 'auth/token/lookup-self', undefined, unwrapped.auth!.client_token)).data!.policies).toEqual(['default']);
    await expectVaultError(h.req('update', 'sys/wrapping/unwrap', { token: info.token }), 400, 'wrapping token is not valid or does not exist');
  });

  it('unwraps with the wrapping token itself as the client token, once', async () => {
    const h = await unsealedVault();
    const wrapped = await h.vault.handle({ operation: 'update', path: 'sys/wrapping/wrap', token: h.token, data: { secret: 'swordfish' }, wrapTtl: 60 });
    expect(wrapped.wrapInfo!.creation_path).toBe('sys/wrapping/wrap');
    const token = wrapped.wrapInfo!.token;
    const unwrapped = await h.vault.handle({ operation: 'update', path: 'sys/wrapping/unwrap', token });
    expect(unwrapped.data).toEqual({ secret: 'swordfish' });
    await expectVaultError(h.vault.handle({ operation: 'update', path: 'sys/wrapping/unwrap', token }), 403);
  });

  it('lets exactly one of many concurrent unwraps succeed', async () => {
    const h = await unsealedVault();
    const wrapped = await h.vault.handle({ operation: 'update', path: 'sys/wrapping/wrap', token: h.token, data: { v: 1 }, wrapTtl: 60 });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => h.req('update', 'sys/wrapping/unwrap', { token: wrapped.wrapInfo!.token })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(9);
  });

  it('needs a wrap TTL for sys/wrapping/wrap and refuses a bad one', async () => {
    const h = await unsealedVault();
    await expectVaultError(h.req('update', 'sys/wrapping/wrap', { a: 1 }), 400, 'endpoint requires response wrapping to be used');
    await expectVaultError(h.vault.handle({ operation: 'update', path: 'sys/wrapping/wrap', token: h.token, data: { a: 1 }, wrapTtl: 'soon' }), 400);
  });

  it('looks up without spending the token, unauthenticated', async () => {
    const h = await unsealedVault();
    const wrapped = await h.vault.handle({ operation: 'update', path: 'sys/wrapping/wrap', token: h.token, data: { v: 1 }, wrapTtl: '2m' });
    const token = wrapped.wrapInfo!.token;
    const looked = await h.vault.handle({ operation: 'update', path: 'sys/wrapping/lookup', data: { token } });
    expect(looked.data).toEqual({ creation_path: 'sys/wrapping/wrap', creation_time: wrapped.wrapInfo!.creation_time, creation_ttl: 120 });
    expect((await h.req('update', 'sys/wrapping/unwrap', { token })).data).toEqual({ v: 1 });
    await expectVaultError(h.vault.handle({ operation: 'update', path: 'sys/wrapping/lookup', data: { token } }), 400, 'wrapping token is not valid or does not exist');
  });

  it('rewraps into a new token and spends the old one', async () => {
    const h = await unsealedVault();
    const wrapped = await h.vault.handle({ operation: 'update', path: 'sys/wrapping/wrap', token: h.token, data: { v: 2 }, wrapTtl: '2m' });
    const rewrapped = await h.req('update', 'sys/wrapping/rewrap', { token: wrapped.wrapInfo!.token });
    expect(rewrapped.wrapInfo!.token).not.toBe(wrapped.wrapInfo!.token);
    expect(rewrapped.wrapInfo!.creation_path).toBe('sys/wrapping/wrap');
    await expectVaultError(h.req('update', 'sys/wrapping/unwrap', { token: wrapped.wrapInfo!.token }), 400);
    expect((await h.req('update', 'sys/wrapping/unwrap', { token: rewrapped.wrapInfo!.token })).data).toEqual({ v: 2 });
  });

  it('expires the wrapping token at its TTL', async () => {
    const h = await unsealedVault();
    const wrapped = await h.vault.handle({ operation: 'update', path: 'sys/wrapping/wrap', token: h.token, data: { v: 3 }, wrapTtl: 60 });
    await h.clock.advance(60_000);
    await expectVaultError(h.req('update', 'sys/wrapping/unwrap', { token: wrapped.wrapInfo!.token }), 400, 'wrapping token is not valid or does not exist');
  });

  it('does not wrap errors or empty answers', async () => {
    const h = await unsealedVault();
    await expectVaultError(h.vault.handle({ operation: 'read', path: 'cubbyhole/none', token: h.token, wrapTtl: 60 }), 404);
    const empty = await h.vault.handle({ operation: 'update', path: 'cubbyhole/x', token: h.token, data: { a: 'b' }, wrapTtl: 60 });
    expect(empty.status).toBe(204);
    expect(empty.wrapInfo).toBeNull();
  });

  it('enforces min_wrapping_ttl and max_wrapping_ttl from policy', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/policies/acl/wrapped', { policy: 'path "cubbyhole/*" { capabilities = ["read", "create", "update"]\n min_wrapping_ttl = "1m"\n max_wrapping_ttl = "10m" }' });
    const token = (await h.req('update', 'auth/token/create', { policies: ['wrapped'] })).auth!.client_token;
    await h.vault.handle({ operation: 'update', path: 'cubbyhole/s', token, data: { v: 'x' }, wrapTtl: '5m' });
    await expectVaultError(h.vault.handle({ operation: 'read', path: 'cubbyhole/s', token }), 403);
    await expectVaultError(h.vault.handle({ operation: 'read', path: 'cubbyhole/s', token, wrapTtl: '30s' }), 403);
    await expectVaultError(h.vault.handle({ operation: 'read', path: 'cubbyhole/s', token, wrapTtl: '11m' }), 403);
    const ok = await h.vault.handle({ operation: 'read', path: 'cubbyhole/s', token, wrapTtl: '5m' });
    expect((await h.req('update', 'sys/wrapping/unwrap', { token: ok.wrapInfo!.token })).data).toEqual({ v: 'x' });
  });

  it('keeps the wrapped response encrypted: no plaintext in storage', async () => {
    const { MemoryStorage } = await import('@coffer/storage');
    const storage = new MemoryStorage();
    const h = await unsealedVault({ storage });
    const wrapped = await h.vault.handle({ operation: 'update', path: 'sys/wrapping/wrap', token: h.token, data: { secret: 'plaintext-marker-93' }, wrapTtl: 60 });
    for (const [, value] of storage.entries()) {
      const text = Buffer.from(value).toString('latin1');
      expect(text).not.toContain('plaintext-marker-93');
      expect(text).not.toContain(wrapped.wrapInfo!.token);
    }
  });
});
