import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors/polyglyph-error.js';

export interface Listening {
  /** `http://host:port`, for logs and tests. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops open connections; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Listens, turning the errors a user can fix (port taken, not allowed, no such interface) into a
 * ConfigError with `hint`, and returns a handle whose close also ends keep-alive connections.
 */
export async function listen(server: Server, port: number, host: string, what: string, hint: string): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const fixable = error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND';
      reject(fixable ? new ConfigError(`cannot serve ${what} on ${host}:${port} (${error.code})`, { hint, cause: error }) : error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    port: actual,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
