import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import { ConfigError } from '../errors/polyglyph-error.js';

/** What a request may present: a bearer token, or basic auth (user + password, or any user + the token). */
export interface DashboardCredentials {
  token?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
}

export function hasCredentials(credentials: DashboardCredentials): boolean {
  return Boolean(credentials.token || credentials.password);
}

/** `localhost`, `127.0.0.0/8` and `::1`: only processes on this machine can connect. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/**
 * An unauthenticated dashboard on loopback is as safe as the machine; anywhere else it would show
 * every run, manifest path and job payload to the network, so it does not start.
 */
export function assertSafeToListen(host: string, credentials: DashboardCredentials): void {
  if (isLoopback(host) || hasCredentials(credentials)) return;
  throw new ConfigError(`the dashboard would listen on ${host} without authentication`, {
    hint: 'set POLYGLYPH_DASHBOARD_TOKEN (--token; e.g. `openssl rand -hex 24`) or POLYGLYPH_DASHBOARD_PASSWORD (--password, user --user), or listen on 127.0.0.1 (--host)',
  });
}

/**
 * Requires the configured credentials on every request it guards. A browser gets a basic-auth prompt
 * (`WWW-Authenticate`); the token works there as the password, so one secret serves people and scripts.
 * Comparisons are constant-time over SHA-256 digests, so neither content nor length leaks by timing.
 */
export function requireAuth(credentials: DashboardCredentials): RequestHandler {
  const token = credentials.token ? digest(credentials.token) : undefined;
  const password = credentials.password ? digest(credentials.password) : undefined;
  const user = digest(credentials.user ?? 'admin');
  const accepts = (header: string | undefined): boolean => {
    if (!header) return false;
    const [scheme = '', value = ''] = header.split(/\s+/, 2);
    if (scheme.toLowerCase() === 'bearer') return token !== undefined && same(digest(value), token);
    if (scheme.toLowerCase() !== 'basic') return false;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const given = digest(decoded.slice(colon + 1));
    const userMatches = same(digest(decoded.slice(0, colon)), user);
    return (password !== undefined && userMatches && same(given, password)) || (token !== undefined && same(given, token));
  };
  return (request, response, next) => {
    if (accepts(request.headers.authorization)) {
      next();
      return;
    }
    response
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="Polyglyph dashboard", charset="UTF-8"')
      .set('Cache-Control', 'no-store')
      .type('text/plain')
      .send('authentication required: basic auth (the dashboard user and password, or any user and the token) or Authorization: Bearer <token>\n');
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function same(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}
