import { DefaultAzureCredential, getBearerTokenProvider, type TokenCredential } from '@azure/identity';

/** Produces the auth header for one request; called per request so tokens refresh themselves. */
export type AuthHeaders = () => Promise<Record<string, string>>;

/** Key auth: Azure's `api-key` header. */
export function apiKeyAuth(apiKey: string): AuthHeaders {
  const headers = { 'api-key': apiKey };
  return () => Promise.resolve(headers);
}

/**
 * Microsoft Entra ID: bearer tokens for `scope` from `DefaultAzureCredential` (managed identity,
 * workload identity, Azure CLI, ...), cached and refreshed before expiry by `getBearerTokenProvider`.
 */
export function entraIdAuth(scope: string, credential: TokenCredential = new DefaultAzureCredential()): AuthHeaders {
  const getToken = getBearerTokenProvider(credential, scope);
  return async () => ({ Authorization: `Bearer ${await getToken()}` });
}
