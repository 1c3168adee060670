// The socket audit device against real local listeners (event/sink_socket.go): delivery, reconnect, failure.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSilentLogger, VaultError, type Logger } from '@coffer/sdk';
import { TestClock } from '@coffer/sdk/testing';
import type { AuditDevice } from './audit-device.js';
import { createSocketDevice, parseSocketDeviceOptions } from './socket-device.js';

interface Listener {
  server: Server;
  sockets: Socket[];
  received: string[];
  /** Resolves when `count` lines have arrived in total. */
  lines(count: number): Promise<string[]>;
}

async function listen(target: number | string = 0, onSocket?: (socket: Socket) => void): Promise<Listener> {
  const sockets: Socket[] = [];
  const received: string[] = [];
  let waiters: { count: number; resolve: (lines: string[]) => void }[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        received.push(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
      waiters = waiters.filter((w) => (received.length >= w.count ? (w.resolve([...received]), false) : true));
    });
    socket.on('error', () => undefined);
    onSocket?.(socket);
  });
  server.listen(target);
  await once(server, 'listening');
  return {
    server,
    sockets,
    received,
    lines: (count) => (received.length >= count ? Promise.resolve([...received]) : new Promise((resolve) => waiters.push({ count, resolve }))),
  };
}

/** A logger that lets a test await a message (the device's disconnect notice) instead of sleeping. */
function watchingLogger(): { logger: Logger; next(message: string): Promise<void> } {
  const waiting = new Map<string, () => void>();
  const logger: Logger = {
    log: (_level, message) => waiting.get(message)?.(),
    child: () => logger,
  };
  return { logger, next: (message) => new Promise((resolve) => waiting.set(message, resolve)) };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function closeServer(listener: Listener): Promise<void> {
  return new Promise((resolve) => {
    for (const socket of listener.sockets) socket.destroy();
    listener.server.close(() => resolve());
  });
}

function track(device: AuditDevice): AuditDevice {
  cleanups.push(() => device.close());
  return device;
}

function portOf(listener: Listener): number {
  return (listener.server.address() as AddressInfo).port;
}

describe('socket device', () => {
  it('delivers each line to a TCP listener, in order', async () => {
    const listener = await listen();
    cleanups.push(() => closeServer(listener));
    const device = track(createSocketDevice({ path: 'socket/', options: { address: `127.0.0.1:${portOf(listener)}` }, logger: createSilentLogger(), clock: new TestClock() }));
    await device.open!();
    await Promise.all(['{"n":1}\n', '{"n":2}\n', '{"n":3}\n'].map((line) => device.write(line)));
    expect(await listener.lines(3)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('reconnects after the peer drops the connection', async () => {
    const listener = await listen();
    cleanups.push(() => closeServer(listener));
    const watch = watchingLogger();
    const device = track(createSocketDevice({ path: 'socket/', options: { address: `127.0.0.1:${portOf(listener)}` }, logger: watch.logger, clock: new TestClock() }));
    await device.write('one\n');
    await listener.lines(1);
    const disconnected = watch.next('audit socket disconnected');
    listener.sockets[0]!.destroy();
    await disconnected;
    await device.write('two\n');
    expect(await listener.lines(2)).toEqual(['one', 'two']);
    expect(listener.sockets).toHaveLength(2);
  });

  it('rejects a write when the peer is gone, and open fails when nobody listens', async () => {
    const listener = await listen();
    const address = `127.0.0.1:${portOf(listener)}`;
    const watch = watchingLogger();
    const device = track(createSocketDevice({ path: 'socket/', options: { address }, logger: watch.logger, clock: new TestClock() }));
    await device.write('delivered\n');
    await listener.lines(1);
    const disconnected = watch.next('audit socket disconnected');
    await closeServer(listener);
    await disconnected;
    await expect(device.write('lost\n')).rejects.toThrow(/error connecting to tcp address/);
    const fresh = track(createSocketDevice({ path: 'socket2/', options: { address }, logger: createSilentLogger(), clock: new TestClock() }));
    await expect(fresh.open!()).rejects.toThrow(/ECONNREFUSED/);
  });

  it('rejects within write_timeout when the peer stops reading', async () => {
    const listener = await listen(0, (socket) => {
      socket.pause();
      socket.removeAllListeners('data');
    });
    cleanups.push(() => closeServer(listener));
    const clock = new TestClock();
    const device = track(createSocketDevice({ path: 'socket/', options: { address: `127.0.0.1:${portOf(listener)}`, write_timeout: '200ms' }, logger: createSilentLogger(), clock }));
    await device.open!();
    // Far more than the loopback socket buffers hold, so the write cannot complete.
    const huge = `${'x'.repeat(16 * 1024 * 1024)}\n`;
    let settled = false;
    const writing = device.write(huge).finally(() => (settled = true));
    const outcome = expect(writing).rejects.toThrow('timed out after 200ms');
    // Each attempt (the first and its one retry) arms its deadline once the write reaches a socket.
    while (!settled) {
      if (clock.pendingTimers > 0) await clock.advance(200);
      else await new Promise((resolve) => setImmediate(resolve));
    }
    await outcome;
  });

  it('delivers over a Unix socket', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-audit-sock-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'audit.sock');
    const listener = await listen(path);
    cleanups.push(() => closeServer(listener));
    const device = track(createSocketDevice({ path: 'socket/', options: { address: path, socket_type: 'unix' }, logger: createSilentLogger(), clock: new TestClock() }));
    await device.write('over unix\n');
    expect(await listener.lines(1)).toEqual(['over unix']);
  });

  it('validates options', () => {
    expect(parseSocketDeviceOptions({ address: '127.0.0.1:9090' })).toEqual({ address: '127.0.0.1:9090', socketType: 'tcp', writeTimeoutMs: 2000, host: '127.0.0.1', port: 9090 });
    expect(parseSocketDeviceOptions({ address: '[::1]:9090', write_timeout: '1m30s' })).toMatchObject({ host: '::1', port: 9090, writeTimeoutMs: 90_000 });
    expect(parseSocketDeviceOptions({ address: 'x', socket_type: 'unix', write_timeout: '5' }).writeTimeoutMs).toBe(5000);
    for (const options of [{}, { address: 'no-port' }, { address: 'h:99999' }, { address: 'h:1', socket_type: 'udp' }, { address: 'h:1', write_timeout: 'soon' }] as Record<string, string>[]) {
      expect(() => parseSocketDeviceOptions(options)).toThrow(VaultError);
    }
  });
});
