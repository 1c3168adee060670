// A TCP proxy in front of PostgreSQL that breaks connections at chosen protocol moments (reliability.md F6, F7).
import { connect, createServer, type Socket } from 'node:net';

export type CutMoment =
  /** The message never reaches the server: the connection dies as it is sent. */
  | 'before'
  /** The server gets the message, but the client is cut off before the answer arrives. */
  | 'after';

export interface ChaosProxy {
  readonly host: string;
  readonly port: number;
  /** Breaks the next connection that sends a message containing `marker` (once). */
  cutOn(marker: string, moment: CutMoment): void;
  /** While on, new connections are closed at once, as if the server were unreachable. */
  refuse(on: boolean): void;
  close(): Promise<void>;
}

export async function startChaosProxy(target: { host: string; port: number }): Promise<ChaosProxy> {
  const sockets = new Set<Socket>();
  let rule: { marker: string; moment: CutMoment } | undefined;
  let refusing = false;
  const track = (socket: Socket): Socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  };

  const server = createServer((client) => {
    track(client);
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = track(connect(target.port, target.host));
    /** An 'after' cut keeps the server side open until it has answered, so the message runs. */
    let awaitingAnswer = false;
    upstream.on('data', (chunk) => {
      if (awaitingAnswer) upstream.destroy();
      else client.write(chunk);
    });
    upstream.on('close', () => client.destroy());
    client.on('close', () => {
      if (!awaitingAnswer) upstream.destroy();
    });
    client.on('data', (chunk) => {
      const matched = rule && chunk.includes(rule.marker);
      if (!matched) {
        upstream.write(chunk);
        return;
      }
      const { moment } = rule!;
      rule = undefined;
      if (moment === 'before') {
        client.destroy();
        upstream.destroy();
        return;
      }
      awaitingAnswer = true;
      upstream.write(chunk);
      client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: '127.0.0.1',
    port,
    cutOn(marker, moment) {
      rule = { marker, moment };
    },
    refuse(on) {
      refusing = on;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
