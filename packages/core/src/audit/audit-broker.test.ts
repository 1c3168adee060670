// The audit broker: table, salts, fail-closed logging, no plaintext secrets (vault-api.md §2.12, A1–A4; reliability.md F9, S2).
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStorage } from '@coffer/storage';
import { createSilentLogger, fromUtf8, nodeCrypto, VaultError, type Logger } from '@coffer/sdk';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import type { AuditDeviceFactory } from './audit-device.js';
import { AUDIT_REQUEST_FAILED, AUDIT_TABLE_KEY, createAuditBroker, type AuditBrokerDeps } from './audit-broker.js';
import type { AuditResponseInput } from './audit-entry.js';
import { hmacAuditValue } from './audit-hash.js';

const TOKEN = 'hvs.CANARY-token-7f3a';
const ACCESSOR = 'CANARY-accessor-91bc';
const PASSWORD = 'CANARY-password-d00d';
const NESTED = 'CANARY-nested-5eed';
const NEW_TOKEN = 'hvs.CANARY-new-token-42';
const WRAP_TOKEN = 'hvs.CANARY-wrap-token-77';
const CANARIES = [TOKEN, ACCESSOR, PASSWORD, NESTED, NEW_TOKEN, WRAP_TOKEN];

function input(): AuditResponseInput {
  return {
    auth: {
      clientToken: TOKEN,
      accessor: ACCESSOR,
      displayName: 'token',
      policies: ['root'],
      tokenPolicies: ['root'],
      metadata: null,
      entityId: '',
      tokenType: 'service',
      tokenTtlSec: 0,
      tokenIssueTimeMs: Date.UTC(2026, 0, 1),
      policyResults: { allowed: true, grantingPolicies: [{ name: 'root', namespaceId: 'root', type: 'acl' }] },
    },
    request: {
      id: 'req-1',
      operation: 'update',
      mountPoint: 'secret/',
      mountType: 'kv',
      mountAccessor: 'kv_00000001',
      mountClass: 'secret',
      clientToken: TOKEN,
      clientTokenAccessor: ACCESSOR,
      path: 'secret/app',
      data: { password: PASSWORD, deep: [{ value: NESTED }], port: 5432 },
      headers: { 'x-vault-token': [TOKEN] },
    },
    response: {
      data: { password: PASSWORD },
      auth: { clientToken: NEW_TOKEN, accessor: 'acc-2', displayName: 'token', policies: ['default'], tokenPolicies: ['default'], metadata: null, entityId: '', tokenType: 'service', tokenTtlSec: 60, numUses: 0 },
      wrapInfo: { token: WRAP_TOKEN, accessor: 'wrap-acc', ttl: 60, creationTime: '2026-01-01T00:00:00Z', creationPath: 'secret/app' },
    },
  };
}

/** In-process devices for the broker tests: `memory` records lines, `broken` always fails. */
function testTypes() {
  const sinks = new Map<string, string[]>();
  const memory: AuditDeviceFactory = ({ path }) => {
    const lines: string[] = [];
    sinks.set(path, lines);
    return { write: async (line) => void lines.push(line), close: async () => undefined };
  };
  const broken: AuditDeviceFactory = () => ({ write: () => Promise.reject(new Error('disk full')), close: async () => undefined });
  return { sinks, deviceTypes: { memory, broken } };
}

function capturingLogger(): { logger: Logger; messages: { message: string; fields?: Record<string, unknown> }[] } {
  const messages: { message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = { log: (_level, message, fields) => void messages.push({ message, ...(fields ? { fields } : {}) }), child: () => logger };
  return { logger, messages };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coffer-audit-broker-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function setup(overrides: Partial<AuditBrokerDeps> = {}) {
  const storage = new MemoryStorage();
  const { sinks, deviceTypes } = testTypes();
  const deps: AuditBrokerDeps = { storage, crypto: nodeCrypto, random: seededRandom(7), clock: new TestClock(), logger: createSilentLogger(), deviceTypes, ...overrides };
  return { storage, sinks, deps, broker: createAuditBroker(deps) };
}

async function thrown(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe('audit broker: table', () => {
  it('enables, lists in A1 shape, and disables', async () => {
    const { broker } = setup();
    await broker.enable('mem', { type: 'memory', description: 'in memory', options: { hmac_accessor: 'false' } });
    await broker.enable('/other/', { type: 'memory', local: true });
    expect(broker.list()).toStrictEqual({
      'mem/': { type: 'memory', description: 'in memory', options: { hmac_accessor: 'false' }, local: false, path: 'mem/' },
      'other/': { type: 'memory', description: '', options: {}, local: true, path: 'other/' },
    });
    expect(broker.hasDevices()).toBe(true);
    expect(await broker.disable('mem')).toBe(true);
    expect(await broker.disable('mem/')).toBe(false);
    expect(Object.keys(broker.list())).toEqual(['other/']);
  });

  it('refuses a used or overlapping path, an unknown type, bad options, and prefix unless allowed', async () => {
    const { broker } = setup();
    await broker.enable('a/b', { type: 'memory' });
    for (const path of ['a/b', 'a/b/', 'a', 'a/b/c']) expect((await thrown(broker.enable(path, { type: 'memory' }))).errors).toEqual(['path already in use']);
    const unknown = await thrown(broker.enable('x', { type: 'syslog' }));
    expect(unknown.status).toBe(400);
    expect(unknown.errors).toEqual(['unknown backend type: "syslog"']);
    expect((await thrown(broker.enable('y', { type: 'memory', options: { log_raw: 'maybe' } }))).errors).toEqual(['unable to parse "log_raw"']);
    expect((await thrown(broker.enable('y', { type: 'memory', options: { filter: 'x' } }))).errors).toEqual(['enterprise-only options supplied']);
    expect((await thrown(broker.enable('y', { type: 'memory', options: { prefix: '#!/bin/sh\n' } }))).errors).toEqual(['audit log prefixing is not allowed']);
    expect((await thrown(broker.enable('', { type: 'memory' }))).errors).toEqual(['backend path must be specified']);
    expect(Object.keys(broker.list())).toEqual(['a/b/']);
  });

  it('a file device on an unwritable path fails at enable with 400 and leaves nothing behind', async () => {
    const { broker, storage } = setup();
    const error = await thrown(broker.enable('file', { type: 'file', options: { file_path: join(dir, 'no-such-dir', 'audit.log') } }));
    expect(error.status).toBe(400);
    expect(error.errors[0]).toMatch(/^sanity check failed; unable to open ".*audit\.log" for writing/);
    expect(broker.hasDevices()).toBe(false);
    expect(await storage.list('')).toEqual([]);
  });

  it('refuses two file devices on the same file', async () => {
    const { broker } = setup();
    const path = join(dir, 'audit.log');
    await broker.enable('one', { type: 'file', options: { file_path: path } });
    expect((await thrown(broker.enable('two', { type: 'file', options: { file_path: path } }))).errors[0]).toMatch(/"file_path" ".*" already in use on device: "one\/"/);
    await broker.unload();
  });

  it('persists the table and a UUID salt per device behind the given storage', async () => {
    const { broker, storage } = setup();
    await broker.enable('mem', { type: 'memory' });
    const table = JSON.parse(fromUtf8((await storage.get(AUDIT_TABLE_KEY))!)) as { path: string; uuid: string }[];
    expect(table).toHaveLength(1);
    expect(table[0]!.path).toBe('mem/');
    const salt = fromUtf8((await storage.get(`audit/${table[0]!.uuid}/salt`))!);
    expect(salt).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(broker.hash('mem', 'x')).toBe(hmacAuditValue(nodeCrypto, salt, 'x'));
    await broker.disable('mem');
    expect(await storage.list('audit/')).toEqual([]);
  });

  it('load() on a new broker over the same storage reproduces the same hashes; unload() forgets the devices', async () => {
    const { broker, storage, deps } = setup();
    await broker.enable('mem', { type: 'memory' });
    await broker.enable('file', { type: 'file', options: { file_path: join(dir, 'audit.log') } });
    const before = [broker.hash('mem', 'secret'), broker.hash('file/', 'secret')];
    await broker.unload();
    expect(broker.hasDevices()).toBe(false);
    const reloaded = createAuditBroker({ ...deps, storage, random: seededRandom(99) });
    expect(reloaded.hasDevices()).toBe(false);
    await reloaded.load();
    expect(Object.keys(reloaded.list())).toEqual(['mem/', 'file/']);
    expect([reloaded.hash('mem/', 'secret'), reloaded.hash('file', 'secret')]).toEqual(before);
    await reloaded.logRequest(input());
    expect((await readFile(join(dir, 'audit.log'), 'utf8')).split('\n')).toHaveLength(2);
    await reloaded.unload();
  });

  it('re-enabling at the same path after disable gets a new salt', async () => {
    const { broker } = setup();
    await broker.enable('mem', { type: 'memory' });
    const first = broker.hash('mem', 'secret');
    await broker.disable('mem');
    expect(() => broker.hash('mem', 'secret')).toThrow('unknown audit backend "mem/"');
    await broker.enable('mem', { type: 'memory' });
    expect(broker.hash('mem', 'secret')).not.toBe(first);
  });

  it('a failed table write leaves no device and no salt', async () => {
    const storage = new MemoryStorage();
    const failing = { ...storage, get: storage.get.bind(storage), list: storage.list.bind(storage), delete: storage.delete.bind(storage), put: async (key: string, value: Uint8Array) => (key === AUDIT_TABLE_KEY ? Promise.reject(new Error('storage down')) : storage.put(key, value)) };
    const { broker } = setup({ storage: failing });
    await expect(broker.enable('mem', { type: 'memory' })).rejects.toThrow('storage down');
    expect(broker.hasDevices()).toBe(false);
    expect(await storage.list('')).toEqual([]);
  });
});

describe('audit broker: logging', () => {
  it('with zero devices logging needs nothing', async () => {
    const { broker } = setup();
    await broker.logRequest(input());
    await broker.logResponse(input());
  });

  it('fails closed: one broken device alone throws a 500 for request and response', async () => {
    const { logger, messages } = capturingLogger();
    const { broker } = setup({ logger });
    await broker.enable('broken', { type: 'broken' });
    const request = await thrown(broker.logRequest(input()));
    expect(request.status).toBe(500);
    // The client sees Vault's bare "internal error"; the broker's reason is the cause and in the log.
    expect(request.errors).toEqual(['internal error']);
    expect((request.cause as Error).message).toBe(AUDIT_REQUEST_FAILED);
    expect(messages.some((m) => m.fields?.error === AUDIT_REQUEST_FAILED)).toBe(true);
    expect(messages.some((m) => m.message === 'backend failed to log request' && m.fields?.backend === 'broken/')).toBe(true);
    expect((await thrown(broker.logResponse(input()))).status).toBe(500);
  });

  it('fails closed when the only device never answers, once the write deadline passes (F9c)', async () => {
    const clock = new TestClock();
    const hanging: AuditDeviceFactory = () => ({ write: () => new Promise<void>(() => undefined), close: async () => undefined });
    const { broker } = setup({ clock, writeDeadlineMs: 5_000, deviceTypes: { ...testTypes().deviceTypes, hanging } });
    await broker.enable('hang', { type: 'hanging' });
    let settled: VaultError | 'ok' | undefined;
    const logging = broker.logRequest(input()).then(
      () => (settled = 'ok'),
      (e: VaultError) => (settled = e),
    );
    await clock.advance(4_999);
    expect(settled).toBeUndefined();
    await clock.advance(1);
    await logging;
    expect(settled).toBeInstanceOf(VaultError);
    expect((settled as VaultError).status).toBe(500);
  });

  it('one broken plus one healthy device succeeds, and the healthy one has both entries', async () => {
    const { broker, sinks } = setup();
    await broker.enable('broken', { type: 'broken' });
    await broker.enable('mem', { type: 'memory' });
    await broker.logRequest(input());
    await broker.logResponse(input());
    const lines = sinks.get('mem/')!.map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(['request', 'response']);
  });

  it('fails closed with real sinks: a socket whose peer is gone alone fails, plus a healthy file succeeds', async () => {
    const peers: Socket[] = [];
    const server = createServer((socket: Socket) => {
      peers.push(socket);
      socket.resume();
    });
    server.listen(0);
    await once(server, 'listening');
    let onDisconnect: () => void = () => undefined;
    const logger: Logger = { log: (_level, message) => message === 'audit socket disconnected' && onDisconnect(), child: () => logger };
    const { broker } = setup({ logger });
    await broker.enable('socket', { type: 'socket', options: { address: `127.0.0.1:${(server.address() as AddressInfo).port}` } });
    await broker.logRequest(input());
    const disconnected = new Promise<void>((resolve) => (onDisconnect = resolve));
    await new Promise<void>((resolve) => {
      for (const peer of peers) peer.destroy();
      server.close(() => resolve());
    });
    await disconnected;
    expect((await thrown(broker.logRequest(input()))).status).toBe(500);
    const healthy = join(dir, 'audit.log');
    await broker.enable('file', { type: 'file', options: { file_path: healthy } });
    await broker.logRequest(input());
    expect((await readFile(healthy, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
    await broker.unload();
  });

  it('writes one JSON line per entry to a 0600 file with no plaintext secret in its bytes', async () => {
    const { broker } = setup();
    const path = join(dir, 'audit.log');
    await broker.enable('file', { type: 'file', options: { file_path: path } });
    await broker.logRequest(input());
    await broker.logResponse(input());
    await broker.unload();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const bytes = await readFile(path);
    for (const canary of CANARIES) expect(bytes.includes(Buffer.from(canary))).toBe(false);
    const lines = bytes.toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    const [request, response] = lines.map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
    expect(request!.type).toBe('request');
    expect(response!.type).toBe('response');
    expect(request!.auth!.policies).toEqual(['root']);
    expect((request!.request!.data as Record<string, unknown>).port).toBe(5432);
  });

  it('audit-hash of a plaintext equals the value logged for it', async () => {
    const { broker, sinks } = setup();
    await broker.enable('mem', { type: 'memory' });
    await broker.logResponse(input());
    const entry = JSON.parse(sinks.get('mem/')![0]!) as { request: { client_token: string; data: { password: string; deep: { value: string }[] } }; response: { wrap_info: { token: string } } };
    expect(entry.request.client_token).toBe(broker.hash('mem', TOKEN));
    expect(entry.request.data.password).toBe(broker.hash('mem', PASSWORD));
    expect(entry.request.data.deep[0]!.value).toBe(broker.hash('mem', NESTED));
    expect(entry.response.wrap_info.token).toBe(broker.hash('mem', WRAP_TOKEN));
  });

  it('a raw device does not leak into a hashed one, each device uses its own salt, and the input is untouched (CVE-2024-0831)', async () => {
    const { broker, sinks } = setup();
    await broker.enable('raw', { type: 'memory', options: { log_raw: 'true' } });
    await broker.enable('hashed', { type: 'memory' });
    await broker.enable('hashed2', { type: 'memory' });
    const data = input();
    const snapshot = structuredClone(data);
    await broker.logRequest(data);
    await broker.logResponse(data);
    expect(data).toStrictEqual(snapshot);
    const raw = sinks.get('raw/')!.join('');
    const hashed = sinks.get('hashed/')!.join('');
    for (const canary of CANARIES) {
      expect(hashed).not.toContain(canary);
      expect(sinks.get('hashed2/')!.join('')).not.toContain(canary);
    }
    expect(raw).toContain(PASSWORD);
    expect(raw).toContain(TOKEN);
    expect(broker.hash('hashed', PASSWORD)).not.toBe(broker.hash('hashed2', PASSWORD));
    expect(hashed).toContain(broker.hash('hashed', PASSWORD));
  });

  it('applies the device options: hmac_accessor=false and prefix (when the host allows prefixing)', async () => {
    const { broker, sinks } = setup({ allowAuditLogPrefixing: true });
    await broker.enable('mem', { type: 'memory', options: { hmac_accessor: 'false', prefix: 'AUDIT ' } });
    await broker.logRequest(input());
    const line = sinks.get('mem/')![0]!;
    expect(line.startsWith('AUDIT {"time":"2026-01-01T00:00:00Z",')).toBe(true);
    const entry = JSON.parse(line.slice('AUDIT '.length)) as { auth: { accessor: string; client_token: string } };
    expect(entry.auth.accessor).toBe(ACCESSOR);
    expect(entry.auth.client_token).toBe(broker.hash('mem', TOKEN));
  });

  it('a persisted device that can no longer be built still fails closed after load', async () => {
    const { broker, storage, deps } = setup();
    await broker.enable('mem', { type: 'memory' });
    const { memory: _memory, ...withoutMemory } = testTypes().deviceTypes;
    const reloaded = createAuditBroker({ ...deps, storage, deviceTypes: withoutMemory });
    await reloaded.load();
    expect(reloaded.hasDevices()).toBe(true);
    expect((await thrown(reloaded.logRequest(input()))).status).toBe(500);
  });

  it('a formatting failure on one device counts as that device failing', async () => {
    const { broker } = setup();
    await broker.enable('mem', { type: 'memory' });
    const cyclic = input();
    const data: Record<string, unknown> = {};
    data.self = data;
    cyclic.request.data = data;
    expect((await thrown(broker.logRequest(cyclic))).status).toBe(500);
  });
});
