import { createServer } from 'node:net';

/**
 * A TCP port that is free on `host` right now, chosen by the operating system (listen on port 0).
 *
 * Another process can take it between this call and the caller's own `listen`, so callers that
 * spawn a server on it should be ready to pick again when the server reports the address in use
 * (`startAzurite` and the test Redis helper do).
 *
 * @param host - interface to probe; default `127.0.0.1`, the only one local services bind to.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close((error) => {
        if (error) reject(error);
        else if (port === undefined) reject(new Error(`could not read the port the system gave on ${host}`));
        else resolve(port);
      });
    });
  });
}
