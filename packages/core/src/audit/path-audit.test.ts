// sys/audit, sys/audit/:path, sys/audit-hash/:path through a backend built from their declarations (vault-api.md A1–A4).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStorage } from '@coffer/storage';
import { createSilentLogger, defineBackend, nodeCrypto, VaultError, type Backend, type HandlerResult, type Operation } from '@coffer/sdk';
import { TestClock, seededRandom } from '@coffer/sdk/testing';
import { auditPaths } from '../sys/path-audit.js';
import { createAuditBroker, type AuditBroker } from './audit-broker.js';

let dir: string;
let broker: AuditBroker;
let backend: Backend;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coffer-audit-paths-'));
  const clock = new TestClock();
  const random = seededRandom(3);
  const logger = createSilentLogger();
  const storage = new MemoryStorage();
  broker = createAuditBroker({ storage, crypto: nodeCrypto, random, clock, logger });
  const factory = defineBackend(() => ({ type: 'system', help: 'sys', paths: auditPaths({ broker }) }));
  backend = await factory({
    storage,
    clock,
    random,
    crypto: nodeCrypto,
    logger,
    mount: () => ({ path: 'sys/', type: 'system', uuid: 'u', accessor: 'system_1', defaultLeaseTtlSec: 0, maxLeaseTtlSec: 0, options: {} }),
  });
});

afterEach(async () => {
  await broker.unload();
  await rm(dir, { recursive: true, force: true });
});

function handle(operation: Operation, path: string, data: Record<string, unknown> = {}): Promise<HandlerResult | undefined> {
  return backend.handle({ operation, path, data, caller: { requestId: 'r', headers: {} } });
}

async function failure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe('sys audit paths', () => {
  it('A2 enables a file device (204), A1 lists it injected, A3 disables it (204)', async () => {
    const filePath = join(dir, 'audit.log');
    // Vault's options are key/value strings; a JSON boolean is weakly decoded like Vault's "1".
    expect(await handle('update', 'audit/file', { type: 'file', description: 'local file', options: { file_path: filePath, log_raw: false } })).toBeUndefined();
    expect(await handle('read', 'audit')).toStrictEqual({
      data: { 'file/': { type: 'file', description: 'local file', options: { file_path: filePath, log_raw: '0' }, local: false, path: 'file/' } },
      injectData: true,
    });
    await broker.logRequest({ request: { id: 'r', operation: 'read', mountPoint: 'sys/', mountType: 'system', mountAccessor: 'system_1', mountClass: 'secret', clientToken: 't', clientTokenAccessor: 'a', path: 'sys/audit', data: null } });
    expect((await readFile(filePath, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
    expect(await handle('delete', 'audit/file')).toBeUndefined();
    expect(await handle('read', 'audit')).toStrictEqual({ data: {}, injectData: true });
    // Disabling what is not there is still a 204.
    expect(await handle('delete', 'audit/file')).toBeUndefined();
  });

  it('A2 answers 400 for an unwritable path, a used path and an unknown type', async () => {
    const unwritable = await failure(handle('update', 'audit/file', { type: 'file', options: { file_path: join(dir, 'missing', 'audit.log') } }));
    expect(unwritable.status).toBe(400);
    expect(unwritable.errors[0]).toMatch(/sanity check failed/);
    await handle('update', 'audit/file', { type: 'file', options: { file_path: join(dir, 'a.log') } });
    const used = await failure(handle('update', 'audit/file/', { type: 'file', options: { file_path: join(dir, 'b.log') } }));
    expect([used.status, used.errors]).toEqual([400, ['path already in use']]);
    const unknown = await failure(handle('update', 'audit/x', { type: 'nope' }));
    expect([unknown.status, unknown.errors]).toEqual([400, ['unknown backend type: "nope"']]);
    const badOptions = await failure(handle('update', 'audit/y', { type: 'file', options: 'not a map' }));
    expect(badOptions.status).toBe(400);
  });

  it('A4 returns the hash the device logs, and a new one after disable and re-enable', async () => {
    await handle('update', 'audit/file', { type: 'file', options: { file_path: join(dir, 'audit.log') } });
    const first = await handle('update', 'audit-hash/file', { input: 'my-secret' });
    expect(first).toStrictEqual({ data: { hash: broker.hash('file/', 'my-secret') }, injectData: true });
    expect((first!.data as { hash: string }).hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    await handle('delete', 'audit/file');
    await handle('update', 'audit/file', { type: 'file', options: { file_path: join(dir, 'audit.log') } });
    const second = await handle('update', 'audit-hash/file', { input: 'my-secret' });
    expect((second!.data as { hash: string }).hash).not.toBe((first!.data as { hash: string }).hash);
  });

  it('A4 answers 400 for an empty input and an unknown device', async () => {
    await handle('update', 'audit/file', { type: 'file', options: { file_path: join(dir, 'audit.log') } });
    expect((await failure(handle('update', 'audit-hash/file', {}))).errors).toEqual(['the "input" parameter is empty']);
    const unknown = await failure(handle('update', 'audit-hash/none', { input: 'x' }));
    expect([unknown.status, unknown.errors]).toEqual([400, ['unknown audit backend "none/"']]);
  });
});
