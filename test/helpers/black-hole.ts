// A TCP server on loopback that accepts every connection and never answers: what a storage endpoint
// behind a broken proxy or a dead load balancer looks like to a client.
import { createServer, type Socket } from 'node:net';
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from '../../src/local-services/azurite.js';

export interface BlackHole {
  port: number;
  /** Connections accepted so far (each one a request that will never get an answer). */
  accepted(): number;
  /** Destroys every held connection and stops listening. Idempotent. */
  close(): Promise<void>;
}

export async function startBlackHole(): Promise<BlackHole> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    // Read and drop whatever is sent, so the client's writes never block on a full buffer.
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('black hole: no TCP address');
  let closed: Promise<void> | undefined;
  return {
    port: address.port,
    accepted: () => accepted,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })),
  };
}

/** An Azurite-style connection string (the well-known development account) pointing at `port`. */
export function storageConnectionString(port: number, accountKey = AZURITE_ACCOUNT_KEY): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${accountKey};BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME};`;
}
