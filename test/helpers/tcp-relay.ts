// A TCP relay on loopback to another local port. Closing it is, to a client, what stopping the service
// behind it looks like (connections cut, new ones refused), without stopping a service that other
// test files share (the run's one Azurite).
import { connect, createServer, type Socket } from 'node:net';

export interface TcpRelay {
  port: number;
  /** Cuts every relayed connection and stops listening. Idempotent. */
  close(): Promise<void>;
}

/**
 * @param delayMs - each connection reaches the target only this long after it was accepted: a service
 * that is up but slow to answer, as on a starved host.
 */
export async function startTcpRelay(targetPort: number, delayMs = 0): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    client.pause();
    const relay = (): void => {
      if (client.destroyed) return;
      const upstream = connect({ host: '127.0.0.1', port: targetPort });
      track(upstream);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    };
    if (delayMs > 0) setTimeout(relay, delayMs).unref();
    else relay();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('tcp relay: no TCP address');
  let closed: Promise<void> | undefined;
  return {
    port: address.port,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })),
  };
}
