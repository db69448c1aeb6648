import { APIConnectionError, APITimeoutError, AuthenticationError, NotFoundError, PermissionDeniedError } from './api-error.js';
import { networkFailure } from './network-failure.js';

/**
 * Failures that say a deployment cannot be used as configured, whatever the request: a refused key or
 * token (401), a refused identity or a blocked resource (403), no such deployment or URL (404), or an
 * endpoint that does not exist or accept connections (DNS, connection refused, TLS). Retrying the item
 * cannot help and failing it would lose it to a typo: the item waits, the deployment is held, and a
 * run whose every deployment is in this state stops with a diagnosis (issue 13, defect 3).
 */
export type DeploymentFaultKind = 'unauthenticated' | 'forbidden' | 'not-found' | 'unreachable';

export function deploymentFault(error: unknown): DeploymentFaultKind | undefined {
  if (error instanceof AuthenticationError) return 'unauthenticated';
  if (error instanceof PermissionDeniedError) return 'forbidden';
  if (error instanceof NotFoundError) return 'not-found';
  // A timeout may be a slow answer (Azure's gpt-image calls can take minutes): not a configuration fault.
  if (error instanceof APIConnectionError && !(error instanceof APITimeoutError)) {
    const failure = networkFailure(error);
    if (failure && (failure.kind === 'dns' || failure.kind === 'refused' || failure.kind === 'tls')) return 'unreachable';
  }
  return undefined;
}
