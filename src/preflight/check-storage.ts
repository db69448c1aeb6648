import { randomBytes } from 'node:crypto';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import { ConfigError } from '../errors/polyglyph-error.js';
import type { StorageSettings } from '../storage/blob-store.js';
import { line, type CheckLine, type TargetReport } from './check-report.js';
import { displayUrl } from './deployment-context.js';
import { diagnoseStorage, type StorageStep } from './storage-diagnosis.js';

/** Where probe blobs go: a prefix no image, sidecar or report uses. */
export const PROBE_PREFIX = 'polyglyph-check/';

/** The check's own client gives up fast: one retry, 15 s per try (the workers' SDK default retries for minutes). */
const PIPELINE: StoragePipelineOptions = { retryOptions: { maxTries: 2, tryTimeoutInMs: 15_000, retryDelayInMs: 500 } };

const ROLE_WRITE = '"Storage Blob Data Contributor" (or Owner)';
const ROLE_TAGS = '"Storage Blob Data Owner" (the tags data actions are not in Contributor)';
const STEPS = {
  container: { what: 'reach the container', sasPermission: 'r', role: '"Storage Blob Data Reader" (or Contributor)' },
  create: { what: 'create a blob', sasPermission: 'c', role: ROLE_WRITE },
  read: { what: 'read a blob', sasPermission: 'r', role: ROLE_WRITE },
  metadata: { what: 'write blob metadata', sasPermission: 'w', role: ROLE_WRITE },
  tags: { what: 'set and read blob index tags', sasPermission: 't', role: ROLE_TAGS },
  query: { what: 'query blobs by index tags', sasPermission: 'f', role: ROLE_TAGS },
  delete: { what: 'delete a blob', sasPermission: 'd', role: ROLE_WRITE },
} satisfies Record<string, StorageStep>;

export interface StorageCheckOptions {
  credential?: TokenCredential | undefined;
}

export interface StorageCheck {
  report: TargetReport;
  /** The container, when the probe blob could be created, read and deleted: --generate stores its images there. */
  usable?: ContainerClient | undefined;
}

/**
 * The storage account as workers use it: the container reachable, a probe blob created (create-only,
 * as images are), read back, its metadata written, index tags set and read back and queried, then
 * deleted. Each failure names the missing permission (SAS letter or Entra ID role).
 */
export async function checkStorage(settings: StorageSettings, options: StorageCheckOptions = {}): Promise<StorageCheck> {
  const about: Record<string, string> = { container: settings.container };
  let container: ContainerClient;
  const entra = !settings.storageConnectionString && settings.storageAccountUrl !== undefined;
  try {
    container = openContainer(settings, options);
  } catch (error) {
    const fix = error instanceof ConfigError ? error.hint : undefined;
    return {
      report: {
        kind: 'storage',
        name: 'storage',
        about,
        checks: [
          line('configuration', 'fail', error instanceof Error ? error.message : String(error), {
            fix: fix ?? 'set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL',
            diagnosis: 'not-configured',
          }),
        ],
      },
    };
  }
  Object.assign(about, {
    account: displayUrl(container.url).replace(/\/[^/]*$/, ''),
    auth: entra ? 'Entra ID' : /SharedAccessSignature=/i.test(settings.storageConnectionString ?? '') ? 'SAS' : 'account key',
  });

  const checks: CheckLine[] = [];
  const fail = (step: StorageStep, error: unknown, status: 'fail' | 'warn' = 'fail'): void => {
    const diagnosis = diagnoseStorage(error, step, entra);
    checks.push(line(checkName(step), status, diagnosis.problem, { fix: diagnosis.fix, diagnosis: diagnosis.kind }));
  };
  const skipRest = (from: number): CheckLine[] =>
    Object.values(STEPS)
      .slice(from)
      .map((step) => line(checkName(step), 'skip', 'not checked: an earlier step failed'));

  try {
    if (await container.exists()) checks.push(line(checkName(STEPS.container), 'ok', `${settings.container} exists`));
    else {
      await container.create();
      checks.push(line(checkName(STEPS.container), 'ok', `${settings.container} did not exist; created it (as workers would)`));
    }
  } catch (error) {
    fail(STEPS.container, error);
    return { report: { kind: 'storage', name: 'storage', about, checks: [...checks, ...skipRest(1)] } };
  }

  const id = `${new Date().toISOString().replace(/[-:.]/g, '').toLowerCase()}-${randomBytes(4).toString('hex')}`;
  const blob = container.getBlockBlobClient(`${PROBE_PREFIX}${id}.txt`);
  const content = `polyglyph check ${id}\n`;
  try {
    await blob.upload(content, Buffer.byteLength(content), { conditions: { ifNoneMatch: '*' }, blobHTTPHeaders: { blobContentType: 'text/plain; charset=utf-8' } });
    checks.push(line(checkName(STEPS.create), 'ok', `${PROBE_PREFIX}${id}.txt created (create-only, as images are)`));
  } catch (error) {
    fail(STEPS.create, error);
    return { report: { kind: 'storage', name: 'storage', about, checks: [...checks, ...skipRest(2)] } };
  }

  let usable = true;
  await step(STEPS.read, async () => {
    const read = (await blob.downloadToBuffer()).toString('utf8');
    if (read !== content) throw new Mismatch(`read back ${read.length} characters, not what was written`);
    return 'read back what was written';
  });
  await step(STEPS.metadata, async () => {
    await blob.setMetadata({ polyglyphcheck: id, locale: 'ja' });
    const { metadata } = await blob.getProperties();
    if (metadata?.polyglyphcheck !== id) throw new Mismatch('the metadata read back differs from what was written');
    return 'metadata written and read back';
  });
  await step(STEPS.tags, async () => {
    await blob.setTags({ polyglyphcheck: id, locale: 'ja' });
    const { tags } = await blob.getTags();
    if (tags.polyglyphcheck !== id) throw new Mismatch('the tags read back differ from what was set');
    return 'tags set and read back';
  });
  // Polyglyph itself never queries tags; whoever picks the images up (a DAM, a CMS) does. The index is
  // updated asynchronously on Azure, so only the permission is checked, not that the probe is found.
  await step(
    STEPS.query,
    async () => {
      const found = container.findBlobsByTags(`"polyglyphcheck"='${id}'`).byPage({ maxPageSize: 1 });
      await found.next();
      return 'tag query allowed';
    },
    'warn',
  );
  await step(STEPS.delete, async () => {
    await blob.delete();
    return 'probe blob deleted';
  });
  return { report: { kind: 'storage', name: 'storage', about, checks }, usable: usable ? container : undefined };

  async function step(which: StorageStep, run: () => Promise<string>, status: 'fail' | 'warn' = 'fail'): Promise<void> {
    try {
      checks.push(line(checkName(which), 'ok', await run()));
    } catch (error) {
      if (status === 'fail') usable = false;
      if (error instanceof Mismatch) checks.push(line(checkName(which), status, error.message, { fix: 'a storage emulator or proxy that does not keep what is written?', diagnosis: 'mismatch' }));
      else fail(which, error, status);
    }
  }
}

function checkName(step: StorageStep): string {
  return step.what;
}

class Mismatch extends Error {}

/** The container with a client that gives up quickly; the workers' BlobStore keeps the SDK's patient defaults. */
function openContainer(settings: StorageSettings, options: StorageCheckOptions): ContainerClient {
  if (settings.storageConnectionString) {
    try {
      return BlobServiceClient.fromConnectionString(settings.storageConnectionString, PIPELINE).getContainerClient(settings.container);
    } catch (error) {
      throw new ConfigError(`AZURE_STORAGE_CONNECTION_STRING is not a valid connection string (${error instanceof Error ? error.message : String(error)})`, {
        hint: 'copy it from the storage account\'s "Access keys" page',
      });
    }
  }
  if (settings.storageAccountUrl) return new BlobServiceClient(settings.storageAccountUrl, options.credential ?? new DefaultAzureCredential(), PIPELINE).getContainerClient(settings.container);
  throw new ConfigError('no blob storage is configured', { hint: 'set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL (`run` starts Azurite on its own, workers do not)' });
}
