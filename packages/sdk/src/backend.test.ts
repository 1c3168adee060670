// Path compilation, backend routing and dispatch, generated help, secrets, and the testing clock and random.
import { describe, expect, it } from 'vitest';
import { defineBackend, type Backend, type BackendSpec } from './backend.js';
import { VaultError } from './errors.js';
import { field } from './field.js';
import { renderHelp } from './help.js';
import { definePath, type PathContext } from './path.js';
import { OPERATIONS, type BackendEnv, type BackendRequest, type HandlerResult, type Operation } from './request.js';
import { defineSecret } from './secret.js';
import { createTestBackendEnv, seededRandom, TestClock } from './testing/index.js';

function request(operation: Operation, path: string, data: Record<string, unknown> = {}, extra: Partial<BackendRequest> = {}): BackendRequest {
  return { operation, path, data, caller: { requestId: 'req-1', headers: {} }, ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

function build(spec: Omit<BackendSpec, 'type' | 'help'> & Partial<Pick<BackendSpec, 'type' | 'help'>>, env: BackendEnv = createTestBackendEnv()): Promise<Backend> {
  return defineBackend(() => ({ type: 'test', help: 'A test backend.', ...spec }))(env);
}

/** A path whose every operation echoes what it was called with. */
function echoPath(pattern: string, tag = pattern) {
  const handler = (ctx: PathContext): HandlerResult => ({ data: { tag, operation: ctx.operation, path: ctx.path, raw: { ...ctx.raw } } });
  return definePath({
    pattern,
    operations: {
      read: { summary: 'read', handler },
      update: { summary: 'update', handler },
      delete: { summary: 'delete', handler },
      list: { summary: 'list', handler },
    },
    help: { synopsis: `echo ${pattern}` },
  });
}

describe('definePath', () => {
  const matches = (pattern: string, path: string): Record<string, string> | undefined => {
    const definition = definePath({ pattern, operations: {}, help: { synopsis: '' } });
    const found = definition.regex.exec(path);
    if (!found) return undefined;
    return Object.fromEntries(definition.captures.flatMap((name, i) => (found[i + 1] === undefined ? [] : [[name, found[i + 1]!]])));
  };

  it('matches literal paths exactly, with regex characters escaped', () => {
    expect(matches('config', 'config')).toEqual({});
    expect(matches('config', 'config/')).toBeUndefined();
    expect(matches('config', 'configs')).toBeUndefined();
    expect(matches('config', 'x/config')).toBeUndefined();
    expect(matches('a.b/c+d', 'a.b/c+d')).toEqual({});
    expect(matches('a.b/c+d', 'aXb/ccd')).toBeUndefined();
    expect(matches('', '')).toEqual({});
    expect(matches('', 'x')).toBeUndefined();
  });

  it('":x" captures exactly one segment', () => {
    expect(matches('roles/:name', 'roles/web')).toEqual({ name: 'web' });
    expect(matches('roles/:name', 'roles/web/extra')).toBeUndefined();
    expect(matches('roles/:name', 'roles/')).toBeUndefined();
    expect(matches('roles/:name', 'roles')).toBeUndefined();
    expect(matches('creds/:role/:serial', 'creds/a/b')).toEqual({ role: 'a', serial: 'b' });
  });

  it('"*x" at the end captures one or more segments', () => {
    expect(matches('data/*path', 'data/a')).toEqual({ path: 'a' });
    expect(matches('data/*path', 'data/a/b/c')).toEqual({ path: 'a/b/c' });
    expect(matches('data/*path', 'data/')).toBeUndefined();
    expect(matches('data/*path', 'data')).toBeUndefined();
  });

  it('"*x" in the middle is lazy, so the literal tail still matches', () => {
    expect(matches('mounts/*path/tune', 'mounts/secret/tune')).toEqual({ path: 'secret' });
    expect(matches('mounts/*path/tune', 'mounts/a/b/c/tune')).toEqual({ path: 'a/b/c' });
    expect(matches('mounts/*path/tune', 'mounts/tune/tune')).toEqual({ path: 'tune' });
    expect(matches('mounts/*path/tune', 'mounts/a/tune/tune')).toEqual({ path: 'a/tune' });
    expect(matches('mounts/*path/tune', 'mounts/tune')).toBeUndefined();
    expect(matches('mounts/*path/tune', 'mounts/a/tuned')).toBeUndefined();
    expect(matches('mounts/*path/tune', 'mounts/a/tune/')).toBeUndefined();
  });

  it('":x?" and "*x?" at the end may be absent', () => {
    expect(matches('lookup/:token?', 'lookup')).toEqual({});
    expect(matches('lookup/:token?', 'lookup/abc')).toEqual({ token: 'abc' });
    expect(matches('lookup/:token?', 'lookup/a/b')).toBeUndefined();
    expect(matches('metadata/*path?', 'metadata')).toEqual({});
    expect(matches('metadata/*path?', 'metadata/a/b')).toEqual({ path: 'a/b' });
  });

  it('records the capture names in order, without their sigils', () => {
    const definition = definePath({ pattern: 'a/:one/*two/b/:three?', operations: {}, help: { synopsis: '' } });
    expect(definition.captures).toEqual(['one', 'two', 'three']);
    expect(definition.fields).toEqual({});
    expect(definition.regex.source).toBe('^a\\/([^/]+)\\/(.+?)\\/b(?:\\/([^/]+))?$');
  });

  it('refuses an optional segment that is not the last', () => {
    expect(() => definePath({ pattern: 'a/:x?/b', operations: {}, help: { synopsis: '' } })).toThrow(
      new TypeError("':x?' can only be the last segment of a/:x?/b"),
    );
    expect(() => definePath({ pattern: '*rest?/tail', operations: {}, help: { synopsis: '' } })).toThrow(TypeError);
  });
});

describe('defineBackend: routing', () => {
  it('builds the backend per mount from the env, with empty path lists by default', async () => {
    const envs: BackendEnv[] = [];
    const factory = defineBackend(async (env) => {
      envs.push(env);
      return { type: 'kv', help: '', paths: [] };
    });
    const env = createTestBackendEnv();
    const backend = await factory(env);
    expect(envs).toEqual([env]);
    expect(backend.type).toBe('kv');
    expect(backend.unauthenticatedPaths).toEqual([]);
    expect(backend.rootPaths).toEqual([]);
    const special = await build({ paths: [], unauthenticatedPaths: ['login/*'], rootPaths: ['config'] });
    expect(special.unauthenticatedPaths).toEqual(['login/*']);
    expect(special.rootPaths).toEqual(['config']);
  });

  it('routes to the first path whose pattern matches', async () => {
    const backend = await build({ paths: [echoPath('roles/default', 'exact'), echoPath('roles/:name', 'capture'), echoPath('*rest', 'catch-all')] });
    expect((await backend.handle(request('read', 'roles/default')))?.data).toMatchObject({ tag: 'exact' });
    expect((await backend.handle(request('read', 'roles/web')))?.data).toMatchObject({ tag: 'capture', raw: { name: 'web' } });
    expect((await backend.handle(request('read', 'other/thing')))?.data).toMatchObject({ tag: 'catch-all', raw: { rest: 'other/thing' } });
  });

  it('keeps the table order when a pattern starting with a capture comes before literal ones', async () => {
    const backend = await build({ paths: [echoPath('roles/default', 'exact'), echoPath(':kind/default', 'capture-first'), echoPath('roles/:name', 'capture'), echoPath('', 'root')] });
    expect((await backend.handle(request('read', 'roles/default')))?.data).toMatchObject({ tag: 'exact' });
    expect((await backend.handle(request('read', 'users/default')))?.data).toMatchObject({ tag: 'capture-first', raw: { kind: 'users' } });
    expect((await backend.handle(request('read', 'roles/web')))?.data).toMatchObject({ tag: 'capture' });
    expect((await backend.handle(request('read', '')))?.data).toMatchObject({ tag: 'root' });
    const capturedFirst = await build({ paths: [echoPath(':kind/default', 'capture-first'), echoPath('roles/default', 'exact')] });
    expect((await capturedFirst.handle(request('read', 'roles/default')))?.data).toMatchObject({ tag: 'capture-first' });
  });

  it('answers an unknown path with Vault 404 wording', async () => {
    const backend = await build({ paths: [echoPath('config')] });
    const error = await rejection(backend.handle(request('read', 'nope/here')));
    expect(error.status).toBe(404);
    expect(error.code).toBe('not_found');
    expect(error.errors).toEqual(['no handler for route "nope/here". route entry not found.']);
  });

  it('routes lazy middle captures (mounts/*path/tune)', async () => {
    const backend = await build({ paths: [echoPath('mounts/*path/tune', 'tune'), echoPath('mounts/*path', 'mount')] });
    expect((await backend.handle(request('read', 'mounts/auth/userpass/tune')))?.data).toMatchObject({ tag: 'tune', raw: { path: 'auth/userpass' } });
    expect((await backend.handle(request('read', 'mounts/auth/userpass')))?.data).toMatchObject({ tag: 'mount', raw: { path: 'auth/userpass' } });
  });

  it('lets a list with a trailing slash reach the path without it, and only a list', async () => {
    const backend = await build({ paths: [echoPath('keys')] });
    expect((await backend.handle(request('list', 'keys/')))?.data).toMatchObject({ operation: 'list', path: 'keys/' });
    expect((await backend.handle(request('list', 'keys')))?.data).toMatchObject({ operation: 'list' });
    expect((await rejection(backend.handle(request('read', 'keys/')))).status).toBe(404);
  });

  it('lets URL captures win over body fields of the same name', async () => {
    const backend = await build({ paths: [echoPath('roles/:name')] });
    const result = await backend.handle(request('update', 'roles/web', { name: 'evil' }));
    expect(result?.data).toMatchObject({ raw: { name: 'web' } });
    expect(result?.warnings).toBeUndefined();
  });
});

describe('defineBackend: operations', () => {
  it('dispatches each operation to its handler with a full context', async () => {
    const env = createTestBackendEnv();
    const seen: PathContext[] = [];
    const handler = (ctx: PathContext): undefined => {
      seen.push(ctx);
      return undefined;
    };
    const backend = await build(
      {
        paths: [
          definePath({
            pattern: 'item/:id',
            operations: {
              create: { summary: '', handler },
              read: { summary: '', handler },
              update: { summary: '', handler },
              patch: { summary: '', handler },
              delete: { summary: '', handler },
              list: { summary: '', handler },
            },
            help: { synopsis: '' },
          }),
        ],
      },
      env,
    );
    const signal = new AbortController().signal;
    const caller = { requestId: 'r-9', clientToken: 'hvs.x', headers: { 'x-a': 'b' } };
    for (const op of ['create', 'read', 'update', 'patch', 'delete', 'list'] as const) {
      expect(await backend.handle(request(op, 'item/7', {}, op === 'read' ? { signal, caller, wrapTtlSec: 60 } : {}))).toBeUndefined();
    }
    expect(seen.map((ctx) => ctx.operation)).toEqual(['create', 'read', 'update', 'patch', 'delete', 'list']);
    const read = seen[1]!;
    expect(read.path).toBe('item/7');
    expect(read.raw).toEqual({ id: '7' });
    expect(read.storage).toBe(env.storage);
    expect(read.clock).toBe(env.clock);
    expect(read.random).toBe(env.random);
    expect(read.crypto).toBe(env.crypto);
    expect(read.logger).toBe(env.logger);
    expect(read.mount).toEqual(env.mount());
    expect(read.caller).toBe(caller);
    expect(read.signal).toBe(signal);
    expect(read.wrapTtlSec).toBe(60);
    expect('signal' in seen[0]!).toBe(false);
    expect('wrapTtlSec' in seen[0]!).toBe(false);
  });

  it('uses update for create and create for update when a path has only one of them', async () => {
    const onlyUpdate = await build({
      paths: [definePath({ pattern: 'u', operations: { update: { summary: '', handler: (ctx) => ({ data: { via: 'update', op: ctx.operation } }) } }, help: { synopsis: '' } })],
    });
    expect((await onlyUpdate.handle(request('create', 'u')))?.data).toEqual({ via: 'update', op: 'create' });
    const onlyCreate = await build({
      paths: [definePath({ pattern: 'c', operations: { create: { summary: '', handler: (ctx) => ({ data: { via: 'create', op: ctx.operation } }) } }, help: { synopsis: '' } })],
    });
    expect((await onlyCreate.handle(request('update', 'c')))?.data).toEqual({ via: 'create', op: 'update' });
  });

  it('answers an operation the path does not implement with 405 "unsupported operation"', async () => {
    const backend = await build({
      paths: [
        definePath({
          pattern: 'ro',
          fields: { n: field.int('n', { required: true }) },
          operations: { read: { summary: '', handler: () => ({ data: {} }) } },
          help: { synopsis: '' },
        }),
      ],
    });
    for (const op of ['create', 'update', 'patch', 'delete', 'list'] as const) {
      // The operation is refused before fields are validated: `n` is missing and not an integer.
      const error = await rejection(backend.handle(request(op, 'ro', { n: 'x' })));
      expect(error.status).toBe(405);
      expect(error.code).toBe('unsupported_operation');
      expect(error.errors).toEqual(['unsupported operation']);
    }
  });

  it('does not treat create and update as stand-ins for patch', async () => {
    const backend = await build({
      paths: [definePath({ pattern: 'w', operations: { update: { summary: '', handler: () => undefined } }, help: { synopsis: '' } })],
    });
    expect((await rejection(backend.handle(request('patch', 'w')))).status).toBe(405);
  });

  it('passes handler errors through unchanged', async () => {
    const denied = VaultError.permissionDenied();
    const plain = new Error('boom');
    const backend = await build({
      paths: [
        definePath({
          pattern: 'fail/:how',
          operations: {
            read: {
              summary: '',
              handler: (ctx) => {
                throw ctx.raw.how === 'vault' ? denied : plain;
              },
            },
          },
          help: { synopsis: '' },
        }),
      ],
    });
    await expect(backend.handle(request('read', 'fail/vault'))).rejects.toBe(denied);
    await expect(backend.handle(request('read', 'fail/plain'))).rejects.toBe(plain);
  });

  it('refuses field validation failures with a 400 before the handler runs', async () => {
    let calls = 0;
    const backend = await build({
      paths: [
        definePath({
          pattern: 'cfg',
          fields: { ttl: field.duration('TTL'), enabled: field.bool('On') },
          operations: {
            update: {
              summary: '',
              handler: () => {
                calls++;
                return undefined;
              },
            },
          },
          help: { synopsis: '' },
        }),
      ],
    });
    const error = await rejection(backend.handle(request('update', 'cfg', { ttl: '1h', enabled: 'maybe' })));
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_request');
    expect(error.errors).toEqual(['error converting input for field "enabled": expected a boolean, got string']);
    expect(calls).toBe(0);
  });
});

describe('defineBackend: unknown parameters', () => {
  const path = (arbitraryData: boolean, warnings?: string[]) =>
    definePath({
      pattern: 'thing/:id',
      fields: { known: field.string('A known field') },
      arbitraryData,
      operations: {
        update: { summary: '', handler: () => (warnings ? { data: { ok: true }, warnings } : undefined) },
        read: { summary: '', handler: () => ({ data: { ok: true } }) },
      },
      help: { synopsis: '' },
    });

  it('warns about each unrecognized parameter, sorted, in Vault wording', async () => {
    const backend = await build({ paths: [path(false, ['handler warning'])] });
    const result = await backend.handle(request('update', 'thing/1', { zeta: 1, known: 'k', alpha: 2 }));
    expect(result).toEqual({
      data: { ok: true },
      warnings: ['handler warning', 'Endpoint ignored these unrecognized parameters: [alpha zeta]'],
    });
  });

  it('adds the warning even when the handler returns nothing', async () => {
    const backend = await build({ paths: [path(false)] });
    expect(await backend.handle(request('update', 'thing/1', { extra: 'x' }))).toEqual({
      warnings: ['Endpoint ignored these unrecognized parameters: [extra]'],
    });
  });

  it('does not count declared fields or URL captures as unknown', async () => {
    const backend = await build({ paths: [path(false)] });
    expect(await backend.handle(request('update', 'thing/1', { known: 'k', id: '2' }))).toBeUndefined();
    expect(await backend.handle(request('read', 'thing/1'))).toEqual({ data: { ok: true } });
  });

  it('stays quiet on paths that take arbitrary data', async () => {
    const backend = await build({ paths: [path(true)] });
    expect(await backend.handle(request('update', 'thing/1', { anything: 1, at: 'all' }))).toBeUndefined();
  });
});

describe('defineBackend: exists, secrets, cleanup', () => {
  it('runs the existence check with a context, and reports undefined where there is none', async () => {
    const env = createTestBackendEnv();
    await env.storage.put('present', new Uint8Array([1]));
    const backend = await build(
      {
        paths: [
          definePath({
            pattern: 'kv/:key',
            fields: { key: field.string('Key') },
            exists: async (ctx) => (await ctx.storage.get(ctx.data.key ?? '')) !== undefined,
            operations: { update: { summary: '', handler: () => undefined } },
            help: { synopsis: '' },
          }),
          echoPath('plain'),
        ],
      },
      env,
    );
    expect(await backend.exists(request('update', 'kv/present'))).toBe(true);
    expect(await backend.exists(request('update', 'kv/absent'))).toBe(false);
    expect(await backend.exists(request('update', 'plain'))).toBeUndefined();
    expect(await backend.exists(request('update', 'nowhere'))).toBeUndefined();
  });

  it('looks secret types up by name, and defineSecret returns its spec', async () => {
    const creds = defineSecret<{ user: string }>({ type: 'creds', revoke: async () => {} });
    expect(defineSecret(creds)).toBe(creds);
    const backend = await build({ paths: [], secrets: [creds] });
    expect(backend.secret('creds')).toBe(creds);
    expect(backend.secret('other')).toBeUndefined();
  });

  it('runs the spec cleanup, and tolerates its absence', async () => {
    let cleaned = 0;
    const backend = await build({
      paths: [],
      cleanup: async () => {
        cleaned++;
      },
    });
    await backend.cleanup();
    expect(cleaned).toBe(1);
    await expect((await build({ paths: [] })).cleanup()).resolves.toBeUndefined();
  });

  it('lists the operations Vault knows', () => {
    expect(OPERATIONS).toEqual(['create', 'read', 'update', 'patch', 'delete', 'list', 'help']);
  });
});

describe('generated help', () => {
  const documented = definePath({
    pattern: 'roles/:name',
    fields: {
      ttl: field.duration('Default lease TTL.'),
      name: field.name('Name of the role.'),
      allowed_domains: field.commaList('Domains the role may issue for.'),
    },
    operations: { read: { summary: 'Read a role.', handler: () => undefined } },
    help: { synopsis: 'Manage roles.', description: '\n  Roles decide what may be issued.\n' },
  });

  it('lists every field, sorted, with its kind and description', async () => {
    const backend = await build({ help: '\n  The test backend.\n', paths: [documented] });
    const result = await backend.handle(request('help', 'roles/web', { ignored: true }));
    expect(result?.data?.see_also).toBeNull();
    expect(result?.warnings).toBeUndefined();
    expect(result?.data?.help).toBe(
      [
        'Request:        roles/:name',
        'Matching Route: ^roles\\/([^/]+)$',
        '',
        'Manage roles.',
        '',
        '## PARAMETERS',
        '',
        'allowed_domains (comma-list)',
        '',
        '    Domains the role may issue for.',
        '',
        'name (name)',
        '',
        '    Name of the role.',
        '',
        'ttl (duration)',
        '',
        '    Default lease TTL.',
        '',
        '## DESCRIPTION',
        '',
        'Roles decide what may be issued.',
      ].join('\n'),
    );
  });

  it('answers help even where the path has no such operation, and the backend help where no path matches', async () => {
    const backend = await build({ help: '\n  The test backend.\n', paths: [documented] });
    expect(String((await backend.handle(request('help', 'roles/x')))?.data?.help)).toContain('Manage roles.');
    expect(await backend.handle(request('help', 'no/such/path'))).toEqual({ data: { help: 'The test backend.', see_also: null } });
  });

  it('leaves out the parameter and description sections when there is nothing to say', () => {
    const bare = definePath({ pattern: 'health', operations: {}, help: { synopsis: 'Health.' } });
    expect(renderHelp('ignored', bare)).toBe('Request:        health\nMatching Route: ^health$\n\nHealth.');
  });
});

describe('TestClock', () => {
  it('starts at 2026-01-01 or the given time, and moves only when told', async () => {
    expect(new TestClock().now()).toBe(Date.UTC(2026, 0, 1));
    const clock = new TestClock(1_000);
    expect(clock.now()).toBe(1_000);
    await clock.advance(250);
    expect(clock.now()).toBe(1_250);
    await clock.advanceSec(2);
    expect(clock.now()).toBe(3_250);
  });

  it('fires due timers in due-time order, ties in the order set, each seeing its own due time', async () => {
    const clock = new TestClock(0);
    const fired: string[] = [];
    const at = (label: string) => () => fired.push(`${label}@${clock.now()}`);
    clock.setTimer(300, at('c'));
    clock.setTimer(100, at('a'));
    clock.setTimer(200, at('b1'));
    clock.setTimer(200, at('b2'));
    clock.setTimer(1_000, at('late'));
    expect(clock.pendingTimers).toBe(5);
    await clock.advance(300);
    expect(fired).toEqual(['a@100', 'b1@200', 'b2@200', 'c@300']);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(699);
    expect(fired).toHaveLength(4);
    await clock.advance(1);
    expect(fired.at(-1)).toBe('late@1000');
    expect(clock.pendingTimers).toBe(0);
  });

  it('fires timers set by firing timers when they fall inside the window', async () => {
    const clock = new TestClock(0);
    const fired: number[] = [];
    const tick = () => {
      fired.push(clock.now());
      clock.setTimer(10, tick);
    };
    clock.setTimer(10, tick);
    await clock.advance(35);
    expect(fired).toEqual([10, 20, 30]);
    expect(clock.now()).toBe(35);
    expect(clock.pendingTimers).toBe(1);
  });

  it('never fires cancelled timers, and fires zero or negative delays on the next advance', async () => {
    const clock = new TestClock(0);
    const fired: string[] = [];
    const handle = clock.setTimer(50, () => fired.push('cancelled'));
    clock.setTimer(-5, () => fired.push(`negative@${clock.now()}`));
    clock.setTimer(0, () => fired.push(`zero@${clock.now()}`));
    handle.cancel();
    expect(clock.pendingTimers).toBe(2);
    expect(fired).toEqual([]);
    await clock.advance(0);
    expect(fired).toEqual(['negative@0', 'zero@0']);
    await clock.advance(100);
    expect(fired).toEqual(['negative@0', 'zero@0']);
  });

  it('lets promise chains started by a timer settle before advance resolves', async () => {
    const clock = new TestClock(0);
    const log: string[] = [];
    clock.setTimer(10, () => {
      void (async () => {
        await Promise.resolve();
        await new Promise<void>((resolve) => setImmediate(resolve));
        log.push('settled');
      })();
    });
    await clock.advance(10);
    expect(log).toEqual(['settled']);
  });

  it('jumps years ahead without waiting on the wall clock', async () => {
    const clock = new TestClock(0);
    const year = 365 * 24 * 3600;
    let fired = 0;
    for (let i = 1; i <= 10; i++) clock.setTimer(i * year * 1000, () => fired++);
    const wallStart = Date.now();
    await clock.advanceSec(10 * year);
    expect(fired).toBe(10);
    expect(clock.now()).toBe(10 * year * 1000);
    expect(Date.now() - wallStart).toBeLessThan(1_000);
  });
});

describe('seededRandom', () => {
  const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

  it('gives the same bytes for the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect(hex(a.bytes(64))).toBe(hex(b.bytes(64)));
    expect(hex(a.bytes(7))).toBe(hex(b.bytes(7)));
  });

  it('gives different bytes for different seeds, and different bytes on each call', () => {
    const outputs = new Set([0, 1, 2, 42, 0xffffffff].map((seed) => hex(seededRandom(seed).bytes(32))));
    expect(outputs.size).toBe(5);
    const random = seededRandom(7);
    expect(hex(random.bytes(16))).not.toBe(hex(random.bytes(16)));
  });

  it('returns exactly n bytes, consuming whole 32-bit words', () => {
    for (const n of [0, 1, 3, 4, 5, 33]) expect(seededRandom(3).bytes(n)).toHaveLength(n);
    expect(hex(seededRandom(3).bytes(5))).toBe(hex(seededRandom(3).bytes(8)).slice(0, 10));
  });

  it('covers every byte value over a few kilobytes', () => {
    const bytes = seededRandom(99).bytes(8192);
    expect(new Set(bytes).size).toBe(256);
    const zeros = bytes.filter((b) => b === 0).length;
    expect(zeros).toBeGreaterThan(8);
    expect(zeros).toBeLessThan(64);
  });
});
