import type { IncomingHttpHeaders } from 'node:http';
import { entraUnauthorized, invalidCredentials, missingCredentials } from './errors.js';
import type { MockResponse } from './http-io.js';

/** What the stand-in accepts: a key, a bearer token, or (unset) any of either. */
export interface MockCredentials {
  apiKey: string | undefined;
  bearerToken: string | undefined;
}

/**
 * Audiences Azure OpenAI / Foundry accept in an Entra token: Cognitive Services (dated-API examples)
 * and ai.azure.com (recommended for v1). MicrosoftDocs/azure-ai-docs, "Microsoft Entra ID" how-to.
 */
const AUDIENCES = new Set(['https://cognitiveservices.azure.com', 'https://ai.azure.com']);
/** The audience Azure names in its 401 message (as public reports quote it). */
const NAMED_AUDIENCE = 'https://cognitiveservices.azure.com';

/**
 * Key or Entra ID auth as Azure sees it. A key: with a configured key only that key opens the door
 * (Azure's gateway 401 otherwise). A bearer token: with a configured token only that one; a JWT for
 * another audience never; without a configured token any other is accepted, as the stand-in cannot
 * check signatures. A refused token gets Entra's own body (`{statusCode, message}`), not the `error`
 * envelope. Neither credential: 401, which catches a client that forgot its credentials.
 */
export function checkAuth(headers: IncomingHttpHeaders, credentials: MockCredentials): MockResponse | undefined {
  const key = headerValue(headers['api-key']);
  const bearer = /^Bearer\s+(\S+)/i.exec(headerValue(headers.authorization) ?? '')?.[1];
  if (key !== undefined) return credentials.apiKey === undefined || key === credentials.apiKey ? undefined : invalidCredentials();
  if (bearer !== undefined) {
    const audience = jwtAudience(bearer);
    if (audience !== undefined && !AUDIENCES.has(audience.replace(/\/+$/, ''))) return entraUnauthorized(NAMED_AUDIENCE);
    if (credentials.bearerToken !== undefined) return bearer === credentials.bearerToken ? undefined : entraUnauthorized(NAMED_AUDIENCE);
    // A key-only resource in the stand-in: a token cannot be checked, so it is refused as Azure refuses a bad one.
    return credentials.apiKey === undefined ? undefined : entraUnauthorized(NAMED_AUDIENCE);
  }
  return missingCredentials();
}

/** The `aud` claim of a JWT (header.payload.signature), or undefined for an opaque token. */
function jwtAudience(token: string): string | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined || token.split('.').length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    const aud = typeof claims === 'object' && claims !== null ? (claims as { aud?: unknown }).aud : undefined;
    return typeof aud === 'string' ? aud : undefined;
  } catch {
    return undefined;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed === '' ? undefined : trimmed;
}
