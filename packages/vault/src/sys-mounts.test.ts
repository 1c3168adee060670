// sys/mounts, sys/auth, tune, remount and the UI mount preflight, through handle() (vault-api.md §1.2).
import { describe, expect, it } from 'vitest';
import { defineBackend, definePath } from '@coffer/sdk';
import { echoEngine } from './testing/echo-engine.js';
import { expectVaultError, unsealedVault } from './testing/helpers.js';
import type { EngineRegistration } from './vault-options.js';

const loginEngine = defineBackend(() => ({
  type: 'login',
  help: 'An auth method.',
  paths: [definePath({ pattern: 'login', operations: { update: { summary: 'Log in.', handler: () => ({ data: { ok: true } }) } }, help: { synopsis: 'Log in.' } })],
  unauthenticatedPaths: ['login'],
}));

const engines: Record<string, EngineRegistration> = {
  kv: { factory: echoEngine, kind: 'secret', description: 'key/value secret storage' },
  echo: { factory: echoEngine, kind: 'secret' },
  userpass: { factory: loginEngine, kind: 'auth' },
};

describe('sys/mounts', () => {
  it('lists the singleton mounts of a fresh vault with Vault shapes, data repeated at the top level', async () => {
    const h = await unsealedVault();
    const res = await h.req('read', 'sys/mounts');
    expect(Object.keys(res.data!).sort()).toEqual(['cubbyhole/', 'identity/', 'sys/']);
    expect(res.injectData).toBe(true);
    const cubbyhole = res.data!['cubbyhole/'] as Record<string, unknown>;
    expect(cubbyhole).toMatchObject({ type: 'cubbyhole', description: 'per-token private secret storage', local: true, options: null, seal_wrap: false });
    expect(cubbyhole.accessor).toMatch(/^cubbyhole_[0-9a-f]{8}$/);
    expect(cubbyhole.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(cubbyhole.config).toEqual({ default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false });
    expect((res.data!['sys/'] as { type: string }).type).toBe('system');
  });

  it('enables a kv mount with options.version 2 and shows it', async () => {
    const h = await unsealedVault({ engines });
    const enabled = await h.req('update', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    expect(enabled.status).toBe(204);
    const mount = (await h.req('read', 'sys/mounts')).data!['secret/'] as Record<string, unknown>;
    expect(mount).toMatchObject({ type: 'kv', options: { version: '2' }, description: 'key/value secret storage' });
    expect(mount.accessor).toMatch(/^kv_[0-9a-f]{8}$/);
  });

  it('maps kv-v2 to kv with version 2', async () => {
    const h = await unsealedVault({ engines });
    await h.req('update', 'sys/mounts/kv2', { type: 'kv-v2' });
    expect((await h.req('read', 'sys/mounts/kv2')).data).toMatchObject({ type: 'kv', options: { version: '2' } });
  });

  it('refuses a path already in use, nested in, or over a mount', async () => {
    const h = await unsealedVault({ engines });
    await h.req('update', 'sys/mounts/a/b', { type: 'echo' });
    await expectVaultError(h.req('update', 'sys/mounts/a/b', { type: 'echo' }), 400, 'path is already in use at a/b/');
    await expectVaultError(h.req('update', 'sys/mounts/a/b/c', { type: 'echo' }), 400, 'path is already in use at a/b/');
    await expectVaultError(h.req('update', 'sys/mounts/a', { type: 'echo' }), 400, 'path is already in use at a/b/');
  });

  it('refuses protected paths and unknown types, and changes nothing', async () => {
    const h = await unsealedVault({ engines });
    for (const path of ['sys', 'auth/x', 'cubbyhole', 'identity', 'audit']) {
      await expectVaultError(h.req('update', `sys/mounts/${path}`, { type: 'echo' }), 403, 'cannot mount');
    }
    await expectVaultError(h.req('update', 'sys/mounts/x', { type: 'nope' }), 400, 'plugin not found in the catalog: nope');
    await expectVaultError(h.req('update', 'sys/mounts/x', {}), 400);
    expect(Object.keys((await h.req('read', 'sys/mounts')).data!).sort()).toEqual(['cubbyhole/', 'identity/', 'sys/']);
  });

  it('rejects bad config values with 400', async () => {
    const h = await unsealedVault({ engines });
    await expectVaultError(h.req('update', 'sys/mounts/x', { type: 'echo', config: { default_lease_ttl: '1y' } }), 400, 'default_lease_ttl');
    await expectVaultError(h.req('update', 'sys/mounts/x', { type: 'echo', config: { default_lease_ttl: '2h', max_lease_ttl: '1h' } }), 400, 'would be less than');
    await expectVaultError(h.req('update', 'sys/mounts/x', { type: 'echo', config: { bogus: 1 } }), 400, 'bogus');
  });

  it('routes requests to the mount by longest prefix, each mount in its own storage view', async () => {
    const h = await unsealedVault({ engines });
    await h.req('update', 'sys/mounts/a', { type: 'echo' });
    await h.req('update', 'sys/mounts/ab', { type: 'echo' });
    await h.req('update', 'a/k', { value: 'in a' });
    await h.req('update', 'ab/k', { value: 'in ab' });
    expect((await h.req('read', 'a/k')).data).toMatchObject({ value: 'in a', mount: 'a/' });
    expect((await h.req('read', 'ab/k')).data).toMatchObject({ value: 'in ab', mount: 'ab/' });
  });

  it('disables a mount, dropping its data; re-enabling yields an empty engine; absent mounts answer 204', async () => {
    const h = await unsealedVault({ engines });
    await h.req('update', 'sys/mounts/e', { type: 'echo' });
    await h.req('update', 'e/k', { value: 'v' });
    expect((await h.req('delete', 'sys/mounts/e')).status).toBe(204);
    await expectVaultError(h.req('read', 'e/k'), 404, 'no handler for route "e/k"');
    await h.req('update', 'sys/mounts/e', { type: 'echo' });
    await expectVaultError(h.req('read', 'e/k'), 404);
    expect((await h.req('delete', 'sys/mounts/never')).status).toBe(204);
  });

  it('cannot disable singleton mounts', async () => {
    const h = await unsealedVault();
    await expectVaultError(h.req('delete', 'sys/mounts/cubbyhole'), 400, 'cannot unmount');
    await expectVaultError(h.req('delete', 'sys/mounts/sys'), 400, 'cannot unmount');
  });

  it('reads effective TTLs through tune and tunes TTLs, description and options', async () => {
    const h = await unsealedVault({ engines });
    await h.req('update', 'sys/mounts/e', { type: 'echo' });
    expect((await h.req('read', 'sys/mounts/e/tune')).data).toMatchObject({ default_lease_ttl: 2764800, max_lease_ttl: 2764800, force_no_cache: false });
    await h.req('update', 'sys/mounts/e/tune', { default_lease_ttl: '1h', max_lease_ttl: '87600h', description: 'tuned' });
    expect((await h.req('read', 'sys/mounts/e/tune')).data).toMatchObject({ default_lease_ttl: 3600, max_lease_ttl: 315360000, description: 'tuned' });
    await h.req('update', 'e/k', { value: 'v' });
    expect((await h.req('read', 'e/k')).data).toMatchObject({ ttl: 3600 });
    await h.req('update', 'sys/mounts/e/tune', { default_lease_ttl: 'system' });
    expect((await h.req('read', 'sys/mounts/e/tune')).data).toMatchObject({ default_lease_ttl: 2764800 });
    await expectVaultError(h.req('update', 'sys/mounts/e/tune', { default_lease_ttl: '2h', max_lease_ttl: '1h' }), 400, 'backend max lease TTL of 3600 would be less than backend default lease TTL of 7200');
    expect((await h.req('read', 'sys/mounts/e/tune')).data).toMatchObject({ max_lease_ttl: 315360000 });
  });

  it('upgrades a KV mount from version 1 to 2 by tuning options, never down', async () => {
    const h = await unsealedVault({ engines });
    await h.req('update', 'sys/mounts/kv', { type: 'kv' });
    expect((await h.req('read', 'sys/mounts/kv')).data).toMatchObject({ options: { version: '1' } });
    await h.req('update', 'sys/mounts/kv/tune', { options: { version: '2' } });
    expect((await h.req('read', 'sys/mounts/kv')).data).toMatchObject({ options: { version: '2' } });
    await expectVaultError(h.req('update', 'sys/mounts/kv/tune', { options: { version: '1' } }), 400, 'downgrade');
  });

  it('emits mounted and unmounted for secrets engines and auth methods', async () => {
    const h = await unsealedVault({ engines });
    const events: unknown[] = [];
    h.vault.on('mounted', (e) => events.push(['mounted', e]));
    h.vault.on('unmounted', (e) => events.push(['unmounted', e]));
    await h.req('update', 'sys/mounts/e', { type: 'echo' });
    await h.req('update', 'sys/auth/up', { type: 'userpass' });
    await h.req('delete', 'sys/mounts/e');
    await h.req('delete', 'sys/auth/up');
    await h.req('delete', 'sys/mounts/never-mounted');
    expect(events).toEqual([
      ['mounted', { path: 'e/', type: 'echo', table: 'secret' }],
      ['mounted', { path: 'auth/up/', type: 'userpass', table: 'auth' }],
      ['unmounted', { path: 'e/', type: 'echo', table: 'secret' }],
      ['unmounted', { path: 'auth/up/', type: 'userpass', table: 'auth' }],
    ]);
  });

  it('persists the mount table across seal and unseal', async () => {
    const h = await unsealedVault({ engines });
    await h.req('update', 'sys/mounts/e', { type: 'echo', description: 'kept' });
    await h.req('update', 'e/k', { value: 'v' });
    const before = (await h.req('read', 'sys/mounts')).data!['e/'];
    await h.vault.seal();
    await h.vault.unseal(h.keys[0]!);
    await h.vault.unseal(h.keys[2]!);
    expect((await h.req('read', 'sys/mounts')).data!['e/']).toEqual(before);
    expect((await h.req('read', 'e/k')).data).toMatchObject({ value: 'v' });
  });
});

describe('sys/auth', () => {
  it('lists token/ and enables, reads, tunes and disables an auth method', async () => {
    const h = await unsealedVault({ engines });
    const listed = await h.req('read', 'sys/auth');
    expect(listed.data!['token/']).toMatchObject({ type: 'token', description: 'token based credentials', config: { token_type: 'default-service' } });
    expect((listed.data!['token/'] as { accessor: string }).accessor).toMatch(/^auth_token_[0-9a-f]{8}$/);
    await h.req('update', 'sys/auth/userpass', { type: 'userpass' });
    const up = (await h.req('read', 'sys/auth')).data!['userpass/'] as { accessor: string };
    expect(up.accessor).toMatch(/^auth_userpass_[0-9a-f]{8}$/);
    await h.req('update', 'sys/auth/userpass/tune', { token_type: 'batch', max_lease_ttl: '4h' });
    expect((await h.req('read', 'sys/auth/userpass/tune')).data).toMatchObject({ token_type: 'batch', max_lease_ttl: 14400 });
    expect((await h.vault.handle({ operation: 'update', path: 'auth/userpass/login', data: {} })).data).toEqual({ ok: true });
    await h.req('delete', 'sys/auth/userpass');
    expect((await h.req('read', 'sys/auth')).data!['userpass/']).toBeUndefined();
  });

  it('refuses the token type, secrets engines as auth methods, and invalid token_type', async () => {
    const h = await unsealedVault({ engines });
    await expectVaultError(h.req('update', 'sys/auth/tok', { type: 'token' }), 400, 'token credential backend cannot be instantiated');
    await expectVaultError(h.req('update', 'sys/auth/x', { type: 'echo' }), 400, 'plugin not found');
    await expectVaultError(h.req('update', 'sys/mounts/x', { type: 'userpass' }), 400, 'plugin not found');
    await h.req('update', 'sys/auth/userpass', { type: 'userpass' });
    await expectVaultError(h.req('update', 'sys/auth/userpass/tune', { token_type: 'weird' }), 400, 'token_type');
    await expectVaultError(h.req('update', 'sys/mounts/cubbyhole/tune', { token_type: 'batch' }), 400, 'token_type');
  });
});

describe('sys/remount', () => {
  it('moves a mount with its data and reports the migration', async () => {
    const h = await unsealedVault({ engines });
    await h.req('update', 'sys/mounts/old', { type: 'echo' });
    await h.req('update', 'old/k', { value: 'moved' });
    const res = await h.req('update', 'sys/remount', { from: 'old', to: 'new' });
    expect(res.injectData).toBe(true);
    const id = res.data!.migration_id as string;
    expect((await h.req('read', `sys/remount/status/${id}`)).data).toEqual({
      migration_id: id,
      migration_info: { source_mount: 'old/', target_mount: 'new/', status: 'success' },
    });
    expect((await h.req('read', 'new/k')).data).toMatchObject({ value: 'moved', mount: 'new/' });
    await expectVaultError(h.req('read', 'old/k'), 404);
  });

  it('moves auth mounts only within auth, and refuses taken or reserved targets', async () => {
    const h = await unsealedVault({ engines });
    await h.req('update', 'sys/auth/userpass', { type: 'userpass' });
    await h.req('update', 'sys/mounts/e', { type: 'echo' });
    await h.req('update', 'sys/remount', { from: 'auth/userpass', to: 'auth/people' });
    expect((await h.req('read', 'sys/auth')).data!['people/']).toBeDefined();
    await expectVaultError(h.req('update', 'sys/remount', { from: 'auth/people', to: 'people2' }), 400);
    await expectVaultError(h.req('update', 'sys/remount', { from: 'e', to: 'sys/e' }), 400);
    await h.req('update', 'sys/mounts/f', { type: 'echo' });
    await expectVaultError(h.req('update', 'sys/remount', { from: 'e', to: 'f' }), 400, 'path is already in use');
  });
});

describe('sys/internal/ui/mounts', () => {
  it('describes the mount serving a path for the CLI preflight', async () => {
    const h = await unsealedVault({ engines });
    await h.req('update', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    const res = await h.req('read', 'sys/internal/ui/mounts/secret/app/db');
    expect(res.data).toMatchObject({ type: 'kv', path: 'secret/', options: { version: '2' } });
    await expectVaultError(h.req('read', 'sys/internal/ui/mounts/nothing/here'), 403, 'preflight capability check returned 403, please ensure client\'s policies grant access to path "nothing/here"');
  });

  it('lists only unauth-visible mounts without a token and everything for root', async () => {
    const h = await unsealedVault({ engines });
    await h.req('update', 'sys/mounts/pub', { type: 'echo', config: { listing_visibility: 'unauth' } });
    await h.req('update', 'sys/mounts/priv', { type: 'echo' });
    const anonymous = await h.vault.handle({ operation: 'read', path: 'sys/internal/ui/mounts' });
    expect(Object.keys(anonymous.data!.secret as object)).toEqual(['pub/']);
    const root = await h.req('read', 'sys/internal/ui/mounts');
    expect(Object.keys(root.data!.secret as object)).toEqual(expect.arrayContaining(['pub/', 'priv/', 'sys/', 'cubbyhole/']));
  });
});
