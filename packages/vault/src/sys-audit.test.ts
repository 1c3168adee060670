// Audit devices through handle(): entries with HMAC'd secrets, audit-hash, fail closed (vault-api.md §1.6, §2.12; reliability.md §5).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectVaultError, unsealedVault } from './testing/helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-audit-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'audit.log');
}

async function readEntries(file: string): Promise<Record<string, unknown>[]> {
  return (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function listen(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, port: (server.address() as { port: number }).port, sockets };
}

describe('audit devices', () => {
  it('enables, lists and disables a file device (sudo), with one request and one response entry per request', async () => {
    const h = await unsealedVault();
    const file = await tempFile();
    expect((await h.req('update', 'sys/audit/file', { type: 'file', options: { file_path: file } })).status).toBe(204);
    const listed = await h.req('read', 'sys/audit');
    expect(listed.data).toMatchObject({ 'file/': { type: 'file', path: 'file/', local: false, options: { file_path: file } } });
    await h.req('update', 'cubbyhole/app', { password: 'hunter2-marker' });
    const entries = await readEntries(file);
    const forWrite = entries.filter((e) => (e.request as { path: string }).path === 'cubbyhole/app');
    expect(forWrite.map((e) => e.type)).toEqual(['request', 'response']);
    const request = forWrite[0]!.request as Record<string, unknown>;
    expect(request).toMatchObject({ operation: 'create', mount_type: 'cubbyhole', mount_point: 'cubbyhole/' });
    expect((request.data as { password: string }).password).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(request.client_token).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect((await h.req('delete', 'sys/audit/file')).status).toBe(204);
    await expectVaultError(h.req('read', 'sys/audit/file'), 405);
  });

  it('never writes a token or a secret in plaintext, and audit-hash reproduces the logged value', async () => {
    const h = await unsealedVault();
    const file = await tempFile();
    await h.req('update', 'sys/audit/file', { type: 'file', options: { file_path: file } });
    const created = await h.req('update', 'auth/token/create', { policies: ['default'] });
    const child = created.auth!.client_token;
    await h.req('update', 'cubbyhole/k', { secret: 'plain-secret-value' }, child);
    await h.req('read', 'cubbyhole/k', undefined, child);
    const text = await readFile(file, 'utf8');
    for (const plaintext of [h.token, child, created.auth!.accessor, 'plain-secret-value']) expect(text).not.toContain(plaintext);
    const hashed = (await h.req('update', 'sys/audit-hash/file', { input: 'plain-secret-value' })).data!.hash as string;
    expect(text).toContain(hashed);
  });

  it('audits denied requests with the error', async () => {
    const h = await unsealedVault();
    const file = await tempFile();
    await h.req('update', 'sys/audit/file', { type: 'file', options: { file_path: file } });
    const weak = (await h.req('update', 'auth/token/create', { policies: ['default'] })).auth!.client_token;
    await expectVaultError(h.req('read', 'sys/mounts', undefined, weak), 403);
    const denied = (await readEntries(file)).filter((e) => (e.request as { path: string }).path === 'sys/mounts');
    expect(denied.map((e) => e.type)).toEqual(['request', 'response']);
    expect(denied[0]!.error).toContain('permission denied');
  });

  it('fails closed: when no device can record, the request fails and changes nothing', async () => {
    const h = await unsealedVault();
    const { server, port, sockets } = await listen();
    await h.req('update', 'sys/audit/sock', { type: 'socket', options: { address: `127.0.0.1:${port}` } });
    await h.req('update', 'cubbyhole/before', { v: '1' });
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expectVaultError(h.req('update', 'cubbyhole/after', { v: '2' }), 500);
    // A second healthy device is enough again.
    const file = await tempFile();
    await expectVaultError(h.req('update', 'sys/audit/file', { type: 'file', options: { file_path: file } }), 500);
    await h.vault.seal();
  });

  it('keeps working when one of two devices fails', async () => {
    const h = await unsealedVault();
    const file = await tempFile();
    const { server, port, sockets } = await listen();
    await h.req('update', 'sys/audit/sock', { type: 'socket', options: { address: `127.0.0.1:${port}` } });
    await h.req('update', 'sys/audit/file', { type: 'file', options: { file_path: file } });
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect((await h.req('update', 'cubbyhole/x', { v: '1' })).status).toBe(204);
    expect((await h.req('read', 'cubbyhole/x')).data).toEqual({ v: '1' });
  });

  it('keeps devices and salts across seal and unseal', async () => {
    const h = await unsealedVault();
    const file = await tempFile();
    await h.req('update', 'sys/audit/file', { type: 'file', options: { file_path: file } });
    const before = (await h.req('update', 'sys/audit-hash/file', { input: 'x' })).data!.hash;
    await h.vault.seal();
    await h.vault.unseal(h.keys[0]!);
    await h.vault.unseal(h.keys[1]!);
    expect((await h.req('update', 'sys/audit-hash/file', { input: 'x' })).data!.hash).toBe(before);
  });

  it('needs sudo to list or enable devices', async () => {
    const h = await unsealedVault();
    await h.req('update', 'sys/policies/acl/auditor', { policy: 'path "sys/audit*" { capabilities = ["read", "update"] }' });
    const token = (await h.req('update', 'auth/token/create', { policies: ['auditor'] })).auth!.client_token;
    await expectVaultError(h.req('read', 'sys/audit', undefined, token), 403);
    await expectVaultError(h.req('update', 'sys/audit/file', { type: 'file', options: { file_path: await tempFile() } }, token), 403);
  });
});
