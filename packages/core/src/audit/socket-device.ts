// Vault's `socket` audit device (audit/backend_socket.go, event/sink_socket.go): JSON lines over TCP or a Unix socket.
import { createConnection, type Socket } from 'node:net';
import { VaultError } from '@coffer/sdk';
import { createWriteQueue, type AuditDevice, type AuditDeviceContext } from './audit-device.js';

export const SOCKET_TYPES = ['tcp', 'tcp4', 'tcp6', 'unix'] as const;
export type SocketType = (typeof SOCKET_TYPES)[number];

export interface SocketDeviceSettings {
  address: string;
  socketType: SocketType;
  /** Bound on connecting and on each write (`write_timeout`, default 2s). */
  writeTimeoutMs: number;
  /** Parsed from `address` for TCP. */
  host?: string;
  port?: number;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const GO_COMPONENT = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** Vault's ParseDurationSecond kept to the millisecond: bare integers are seconds, else Go units. */
function parseWriteTimeoutMs(raw: string): number {
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!GO_DURATION.test(text)) throw VaultError.invalid(`unable to parse "write_timeout": "${raw}"`);
  let totalMs = 0;
  for (const [, amount, unit] of text.matchAll(GO_COMPONENT)) totalMs += Number(amount) * UNIT_MS[unit!]!;
  return Math.max(1, Math.round(totalMs));
}

function splitHostPort(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw VaultError.invalid(`invalid "address" for a tcp socket: "${address}" (want host:port)`);
  return { host: match[1] ?? match[2] ?? '', port };
}

/** Validates the options; throws 400. */
export function parseSocketDeviceOptions(options: Readonly<Record<string, string>>): SocketDeviceSettings {
  const address = options.address?.trim();
  if (!address) throw VaultError.invalid('"address" is required');
  const socketType = (options.socket_type?.trim() || 'tcp') as SocketType;
  if (!SOCKET_TYPES.includes(socketType)) throw VaultError.invalid(`unsupported "socket_type": "${options.socket_type}"`);
  const writeTimeoutMs = parseWriteTimeoutMs(options.write_timeout ?? '2s');
  if (socketType === 'unix') return { address, socketType, writeTimeoutMs };
  return { address, socketType, writeTimeoutMs, ...splitHostPort(address) };
}

/**
 * The socket device. Connects at `open` (enable time) and again whenever a write finds
 * the connection gone; a failed write is retried once on a fresh connection, as Vault
 * does, and only then rejects. Socket timeouts bound both the dial and each write, so a
 * peer that stops reading cannot hang requests for longer than `write_timeout`.
 */
export function createSocketDevice(context: AuditDeviceContext): AuditDevice {
  const settings = parseSocketDeviceOptions(context.options);
  const { address, socketType, writeTimeoutMs } = settings;
  const logger = context.logger.child({ audit_device: context.path, address });
  const enqueue = createWriteQueue();
  let connection: Socket | undefined;
  let closed = false;

  function dial(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket =
        socketType === 'unix'
          ? createConnection({ path: address })
          : createConnection({ host: settings.host!, port: settings.port!, family: socketType === 'tcp4' ? 4 : socketType === 'tcp6' ? 6 : 0 });
      const fail = (error: Error): void => {
        socket.destroy();
        reject(new Error(`error connecting to ${socketType} address "${address}": ${error.message}`, { cause: error }));
      };
      // Vault's write_timeout is a deadline (SetWriteDeadline), kept on the injected clock.
      const deadline = context.clock.setTimer(writeTimeoutMs, () => fail(new Error(`timed out after ${writeTimeoutMs}ms`)));
      socket.once('error', (error) => {
        deadline.cancel();
        fail(error);
      });
      socket.once('connect', () => {
        deadline.cancel();
        socket.removeAllListeners('error');
        // Errors surface through write callbacks; an unheard 'error' event would crash the host.
        socket.on('error', () => undefined);
        // A peer that hangs up is gone: drop the connection so the next write redials.
        socket.once('end', () => socket.destroy());
        socket.once('close', () => {
          if (connection !== socket) return;
          connection = undefined;
          if (!closed) logger.log('warn', 'audit socket disconnected');
        });
        // Reading keeps 'end' observable; anything the peer sends is ignored.
        socket.resume();
        // An embedded vault must never keep the host process alive.
        socket.unref();
        resolve(socket);
      });
    });
  }

  async function connected(): Promise<Socket> {
    if (connection && !connection.destroyed) return connection;
    connection = await dial();
    return connection;
  }

  function send(socket: Socket, line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (error?: Error | null): void => {
        if (settled) return;
        settled = true;
        deadline.cancel();
        socket.removeListener('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onTimeout = (): void => {
        const error = new Error(`write to ${socketType} address "${address}" timed out after ${writeTimeoutMs}ms`);
        socket.destroy(error);
        finish(error);
      };
      const onClose = (): void => finish(new Error(`connection to ${socketType} address "${address}" closed during write`));
      const deadline = context.clock.setTimer(writeTimeoutMs, onTimeout);
      socket.once('close', onClose);
      socket.write(line, (error) => finish(error));
    });
  }

  async function deliver(line: string): Promise<void> {
    try {
      await send(await connected(), line);
      return;
    } catch {
      connection?.destroy();
      connection = undefined;
    }
    // One retry on a fresh connection; its error is the one the broker reports.
    const socket = await connected();
    try {
      await send(socket, line);
    } catch (error) {
      socket.destroy();
      if (connection === socket) connection = undefined;
      throw error;
    }
  }

  return {
    open() {
      return enqueue(async () => {
        await connected();
      });
    },
    write(line) {
      return enqueue(async () => {
        if (closed) throw new Error(`audit socket device "${context.path}" is closed`);
        await deliver(line);
      });
    },
    reopen() {
      return enqueue(async () => {
        if (closed) return;
        connection?.destroy();
        connection = undefined;
        await connected();
      });
    },
    close() {
      return enqueue(async () => {
        closed = true;
        const socket = connection;
        connection = undefined;
        if (!socket || socket.destroyed) return;
        // Flush what was written, but never wait on a peer that stopped reading.
        await new Promise<void>((resolve) => {
          const deadline = context.clock.setTimer(writeTimeoutMs, () => socket.destroy());
          socket.once('close', () => {
            deadline.cancel();
            resolve();
          });
          socket.end(() => socket.destroy());
        });
      });
    },
  };
}
