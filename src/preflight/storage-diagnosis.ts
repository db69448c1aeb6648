import { RestError } from '@azure/storage-blob';
import { networkFailure } from '../errors/network-failure.js';
import type { StorageDiagnosisKind } from './check-report.js';

/** What a storage step needs, named for the fix: its SAS permission letter and its Entra ID role. */
export interface StorageStep {
  what: string;
  sasPermission: string;
  role: string;
}

export interface StorageDiagnosis {
  kind: StorageDiagnosisKind;
  problem: string;
  fix: string;
}

/**
 * Storage failures as Azure Storage reports them (Microsoft Learn, "Blob Storage error codes" and
 * "Common REST API error codes"): 403 `AuthenticationFailed` (a wrong account key or SAS signature,
 * an expired SAS, clock skew), 403 `AuthorizationPermissionMismatch` (the SAS or the role lacks the
 * operation's permission: Set Blob Tags needs the SAS permission `t`, Find Blobs by Tags `f`, and
 * with Entra ID the tags data actions are in "Storage Blob Data Owner", not Contributor — Microsoft
 * Learn, "Set Blob Tags" and "Manage and find data with blob index tags"), 403 `AuthorizationFailure`
 * (network rules, or a SAS for another resource type), 404 `ContainerNotFound`.
 */
export function diagnoseStorage(error: unknown, step: StorageStep, entra: boolean): StorageDiagnosis {
  const network = networkFailure(error);
  const said = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  if (!(error instanceof RestError) || error.statusCode === undefined) {
    if (isCredentialError(error))
      return {
        kind: 'no-credential',
        problem: `no Microsoft Entra ID token for storage: ${said}`,
        fix: 'sign in (az login) or give the process a managed identity; or use AZURE_STORAGE_CONNECTION_STRING',
      };
    if (network) {
      const kind = network.kind === 'reset' ? 'unreachable' : network.kind;
      return {
        kind,
        problem: `cannot ${step.what}: ${describeNetwork(network.kind)} (${network.code})`,
        fix: 'check the account endpoint in AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_ACCOUNT_URL, and that this machine can reach it',
      };
    }
    return { kind: 'unreachable', problem: `cannot ${step.what}: ${said}`, fix: 'check the account endpoint in AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_ACCOUNT_URL' };
  }
  const code = error.code ?? `HTTP ${error.statusCode}`;
  const statusCode = `${error.statusCode} ${code}`;
  if (code === 'AuthenticationFailed' || code === 'InvalidAuthenticationInfo') {
    return {
      kind: 'wrong-key',
      problem: `cannot ${step.what}: the account key or SAS was refused (${statusCode})`,
      fix: 'copy the connection string again (storage account -> Access keys, or a new SAS: check its expiry and the machine clock)',
    };
  }
  if (code === 'AuthorizationPermissionMismatch') {
    const tags = step.sasPermission === 't';
    const filter = step.sasPermission === 'f';
    return {
      kind: tags ? 'missing-tags-permission' : filter ? 'missing-filter-permission' : 'missing-permission',
      problem: `cannot ${step.what}: ${entra ? 'the signed-in identity' : 'the SAS'} lacks the permission (${statusCode})`,
      fix: entra
        ? `assign the identity ${step.role} on the account or container`
        : `issue a SAS that includes the permission '${step.sasPermission}' (e.g. sp=racwdt${filter ? 'f' : ''}), or use the account key`,
    };
  }
  if (
    code === 'AuthorizationFailure' ||
    code === 'AuthorizationResourceTypeMismatch' ||
    code === 'AuthorizationServiceMismatch' ||
    code === 'AuthorizationSourceIPMismatch' ||
    code === 'AuthorizationProtocolMismatch'
  ) {
    return {
      kind: 'not-authorised',
      problem: `cannot ${step.what}: not authorised (${statusCode})`,
      fix: entra
        ? `assign the identity ${step.role}, and check the account's network rules allow this machine`
        : "check the SAS covers the service, resource types (sco) and this IP, and the account's network rules allow this machine",
    };
  }
  if (code === 'ContainerNotFound') {
    return {
      kind: 'container-not-found',
      problem: `the container does not exist (${statusCode})`,
      fix: 'create it, or let a worker create it (needs permission to create containers), or set POLYGLYPH_CONTAINER',
    };
  }
  return { kind: 'unexpected', problem: `cannot ${step.what}: ${statusCode}: ${said}`, fix: 'see the message' };
}

function describeNetwork(kind: string): string {
  return (
    ({ dns: 'the host does not resolve', refused: 'the connection was refused', tls: 'the TLS handshake failed', timeout: 'no answer in time' } as Record<string, string>)[kind] ??
    'the connection failed'
  );
}

function isCredentialError(error: unknown): boolean {
  return error instanceof Error && ['CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationRequiredError'].includes(error.name);
}
