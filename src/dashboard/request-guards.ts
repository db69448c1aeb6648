import { networkInterfaces } from 'node:os';
import type { RequestHandler, Response } from 'express';
import { isLoopback } from './dashboard-auth.js';

/** The host names a dashboard answers to, beyond loopback. */
export interface AllowedHostsOptions {
  /** The interface it listens on (`--host`). A wildcard (`0.0.0.0`, `::`) admits this machine's addresses. */
  listenHost: string;
  /** Extra names (`POLYGLYPH_DASHBOARD_ALLOWED_HOSTS`), e.g. the name a reverse proxy forwards. */
  allowedHosts?: readonly string[] | undefined;
}

/** `Host` header -> bare lower-case host name: `[::1]:3000` -> `::1`, `Example.com:80` -> `example.com`. */
export function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') > 0 ? value.indexOf(']') : undefined);
  const colons = value.split(':').length - 1;
  // One colon: name:port. More: a bare IPv6 address (no port is possible without brackets).
  return colons === 1 ? value.slice(0, value.indexOf(':')) : value;
}

/** The predicate hostGuard applies; exported for its unit test. */
export function hostAllowed(options: AllowedHostsOptions): (host: string) => boolean {
  const listen = hostName(options.listenHost);
  const names = new Set([listen, ...(options.allowedHosts ?? []).map(hostName)]);
  if (listen === '0.0.0.0' || listen === '::') {
    for (const addresses of Object.values(networkInterfaces())) for (const address of addresses ?? []) names.add(address.address.toLowerCase());
  }
  return (host) => host !== '' && (isLoopback(host) || names.has(host));
}

/**
 * Answers only requests addressed to a name the dashboard serves. A page on `attacker.example` whose
 * name an attacker re-points at 127.0.0.1 (DNS rebinding) reaches the dashboard with
 * `Host: attacker.example`; without this check the browser would let that page read every run and
 * job payload of an unauthenticated loopback dashboard.
 */
export function hostGuard(options: AllowedHostsOptions): RequestHandler {
  const allowed = hostAllowed(options);
  return (request, response, next) => {
    const host = hostName(request.headers.host ?? '');
    if (allowed(host)) {
      next();
      return;
    }
    refuse(
      response,
      `this dashboard does not answer to the host name in the request${host ? ` (${host.slice(0, 100)})` : ''}; if it is yours (e.g. behind a reverse proxy), add it to POLYGLYPH_DASHBOARD_ALLOWED_HOSTS (--allowed-hosts)`,
    );
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every request that changes something (any method but GET, HEAD, OPTIONS), ours and Bull Board's,
 * must come from the dashboard's own pages: `Sec-Fetch-Site: same-origin`, or, from a client that
 * does not send Fetch Metadata, an `Origin` naming the host the request was sent to. A form or a
 * fetch on another site carries its own origin (or `cross-site`) and is refused, credentials or not.
 * A request with neither header (curl, a script) is refused too: it says how to send one.
 */
export const sameOriginGuard: RequestHandler = (request, response, next) => {
  if (SAFE_METHODS.has(request.method)) {
    next();
    return;
  }
  if (isSameOrigin(request.headers['sec-fetch-site'], request.headers.origin, request.headers.host)) {
    next();
    return;
  }
  refuse(
    response,
    'refused: a request that changes something must come from the dashboard\'s own pages (Sec-Fetch-Site: same-origin, or an Origin header naming this dashboard, e.g. `-H "Origin: http://127.0.0.1:3000"` with curl)',
  );
};

/** Both guards refuse the same way: 403, plain text that says how to get through, never cached. */
function refuse(response: Response, reason: string): void {
  response.status(403).set('Cache-Control', 'no-store').type('text/plain').send(`${reason}\n`);
}

/** The rule of sameOriginGuard, on the three headers it reads. */
export function isSameOrigin(fetchSite: string | string[] | undefined, origin: string | undefined, host: string | undefined): boolean {
  if (typeof fetchSite === 'string') return fetchSite === 'same-origin';
  if (origin === undefined || origin === 'null' || host === undefined) return false;
  try {
    // The scheme is not compared: behind a TLS-terminating proxy the browser says https, the request here is http.
    return new URL(origin).host === host.trim().toLowerCase();
  } catch {
    return false;
  }
}
