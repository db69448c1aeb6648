import type { IncomingHttpHeaders } from 'node:http';
import { invalidCredentials, missingCredentials } from './errors.js';
import type { MockResponse } from './http-io.js';

/**
 * Key or Entra ID auth as Azure sees it. With a configured key only that key opens the door; without
 * one the stand-in cannot check tokens, so any key or bearer token does, but a request with neither
 * is still refused, which catches a client that forgot its credentials.
 */
export function checkAuth(headers: IncomingHttpHeaders, apiKey: string | undefined): MockResponse | undefined {
  const key = headerValue(headers['api-key']);
  const bearer = /^Bearer\s+(\S+)/i.exec(headerValue(headers.authorization) ?? '')?.[1];
  if (apiKey !== undefined) {
    if (key === apiKey) return undefined;
    return key === undefined && bearer === undefined ? missingCredentials() : invalidCredentials();
  }
  return key !== undefined || bearer !== undefined ? undefined : missingCredentials();
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed === '' ? undefined : trimmed;
}
