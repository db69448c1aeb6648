import type { Config } from '../config/settings.js';
import { readEnv } from '../config/read-env.js';
import type { FlagValues } from '../config/resolve-config.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deploymentModel } from '../deployments/deployment-model.js';
import { namedModels } from '../deployments/run-models.js';
import type { ManifestDefaults } from '../manifest/manifest-options.js';
import { validateManifest } from '../manifest/validate-manifest.js';
import { startAzurite, type AzuriteProcess } from '../local-services/azurite.js';
import { lockDir, type DirLock } from '../local-services/dir-lock.js';
import { findSharedServices, publishSharedServices, waitForSharedServices } from '../local-services/shared-services.js';
import { ServiceUnavailableError } from '../errors/polyglyph-error.js';
import { createMockImageApi, type MockDeployment, type MockImageApi } from '../mock-api/server.js';

/** Quota the embedded stand-in enforces (and we pace to) when the user set none: a quick demo. */
export const LOCAL_IMAGES_PER_MINUTE = 120;

export interface LocalServicesOptions {
  /** The run's manifest and defaults: the stand-in serves every model they name (--models, model cells). */
  manifest?: string;
  defaults?: ManifestDefaults;
  /** false: only use services another process on this data folder runs (`enqueue`); start none. */
  start?: boolean;
  /** false: no image API needed (`enqueue`, `retry` without workers): only storage is looked for. */
  api?: boolean;
}

export interface LocalServices {
  config: Config;
  notes: string[];
  stop(): Promise<void>;
}

/**
 * For a machine with nothing configured (`run`, `worker`, `retry`, `enqueue`): the stand-in image API
 * when no endpoint is set, and Azurite when no storage is set; those another process on the same data
 * folder already runs are used instead of starting new ones (see shared-services.ts). With real
 * endpoints configured this starts nothing.
 */
export async function startLocalServices(config: Config, flags: FlagValues, options: LocalServicesOptions = {}): Promise<LocalServices> {
  const notes: string[] = [];
  let mock: MockImageApi | undefined;
  let azurite: AzuriteProcess | undefined;
  let azuriteLock: DirLock | undefined;
  let unpublish: (() => Promise<void>) | undefined;
  let resolved = config;
  const stop = async (): Promise<void> => {
    await unpublish?.().catch(() => undefined);
    await Promise.allSettled([mock?.close(), azurite?.stop()]);
    await azuriteLock?.release();
  };
  // A deployments file names every deployment's own endpoint: no stand-in then, and never another
  // process's stand-in (adopting one replaced the user's file with the stand-in's).
  const needsApi = !config.endpoint && !config.gptEndpoint && !config.deploymentsFile && options.api !== false;
  const needsStorage = !config.storageConnectionString && !config.storageAccountUrl;
  if (!needsApi && !needsStorage) return { config, notes, stop };
  // Another process on this data folder runs them already: use its services, start none of ours.
  const shared = await findSharedServices(config.localDir);
  if (needsApi && shared?.api) {
    resolved = {
      ...resolved,
      endpoint: shared.api.endpoint,
      apiKey: config.apiKey ?? shared.api.apiKey,
      imagesPerMinute: shared.api.imagesPerMinute,
      deploymentsFile: shared.api.deploymentsFile,
    };
    notes.push(`no AZURE_OPENAI_ENDPOINT: using the built-in stand-in image API of polyglyph (pid ${shared.pid}) at ${shared.api.endpoint}`);
  }
  if (needsStorage && shared?.storage) {
    resolved = { ...resolved, storageConnectionString: shared.storage.connectionString };
    notes.push(`no AZURE_STORAGE_CONNECTION_STRING: using the Azurite of polyglyph (pid ${shared.pid}) at ${shared.storage.blobEndpoint}`);
  }
  if (options.start === false) return { config: resolved, notes, stop };
  try {
    if (needsApi && !shared?.api) {
      const quotaSet = flags.imagesPerMinute !== undefined || readEnv('POLYGLYPH_IMAGES_PER_MINUTE') !== undefined;
      const imagesPerMinute = quotaSet ? config.imagesPerMinute : LOCAL_IMAGES_PER_MINUTE;
      const served = await deploymentsToServe(config, options);
      mock = createMockImageApi({ deployments: served, chatDeployments: [config.translationDeployment], imagesPerMinute, latencyMs: 300, latencyJitterMs: 700 });
      const url = await mock.listen(0);
      resolved = { ...resolved, endpoint: url, apiKey: config.apiKey ?? 'local-stand-in-key', imagesPerMinute };
      if (served.length > 1 || served[0]!.name !== config.deployment) {
        // One local deployment per model, each with the stand-in's quota, through the deployments file
        // every worker reads: the pool, the plan and the checks then work as with real deployments.
        const file = join(config.localDir, 'stand-in-deployments.json');
        await mkdir(config.localDir, { recursive: true });
        const deployments = served.map(({ name, model }) => ({ name, endpoint: url, deployment: name, model, imagesPerMinute, apiKey: resolved.apiKey }));
        await writeFile(file, `${JSON.stringify({ deployments }, null, 2)}\n`);
        resolved = { ...resolved, deploymentsFile: file };
      }
      notes.push(`no AZURE_OPENAI_ENDPOINT: using the built-in stand-in image API at ${url} for ${served.map(describeDeployment).join(', ')} (${imagesPerMinute} images/min each)`);
    }
    if (needsStorage && !shared?.storage) {
      // Azurite's data outlives the run, so running the same manifest again finds its images and skips them.
      const location = join(config.localDir, 'azurite');
      await mkdir(config.localDir, { recursive: true });
      // Two Azurites on one data folder would corrupt it.
      let holder = 0;
      const inUse = (pid: number): ServiceUnavailableError => {
        holder = pid;
        return new ServiceUnavailableError(`another polyglyph run${pid ? ` (pid ${pid})` : ''} is using the embedded Azurite's data in ${location}/`, {
          hint: 'wait for it to finish, give this run its own --local-dir (POLYGLYPH_LOCAL_DIR), or run a shared Azurite and set AZURE_STORAGE_CONNECTION_STRING',
        });
      };
      const starting = await lockDir(location, inUse).then(
        (lock) => {
          azuriteLock = lock;
          return undefined;
        },
        async (error: unknown) => {
          // The holder may be starting its services right now (two workers started together): use
          // them once it publishes them, rather than refusing.
          const theirs = holder > 0 ? await waitForSharedServices(config.localDir, holder) : undefined;
          if (!theirs?.storage) throw error;
          return theirs.storage;
        },
      );
      // Tell a process started at the same moment to wait for our Azurite instead of refusing.
      if (azuriteLock) unpublish = await publishSharedServices(config.localDir, { starting: true });
      if (starting) {
        resolved = { ...resolved, storageConnectionString: starting.connectionString };
        notes.push(`no AZURE_STORAGE_CONNECTION_STRING: using the Azurite of polyglyph (pid ${holder}) at ${starting.blobEndpoint}`);
      } else {
        azurite = await startAzurite({ location });
        resolved = { ...resolved, storageConnectionString: azurite.connectionString };
        notes.push(`no AZURE_STORAGE_CONNECTION_STRING: started Azurite at ${azurite.blobEndpoint} (data in ${location}/)`);
      }
    }
    if (mock || azurite) {
      // For the other processes on this data folder (workers in other terminals, enqueue, retry).
      await mkdir(config.localDir, { recursive: true });
      unpublish = await publishSharedServices(config.localDir, {
        api: mock ? { endpoint: resolved.endpoint!, apiKey: resolved.apiKey!, imagesPerMinute: resolved.imagesPerMinute, deploymentsFile: resolved.deploymentsFile } : undefined,
        storage: azurite ? { blobEndpoint: azurite.blobEndpoint, connectionString: azurite.connectionString } : undefined,
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { config: resolved, notes, stop };
}

/**
 * The deployments the stand-in serves: the configured deployment under its own name, serving its
 * model (so `AZURE_OPENAI_DEPLOYMENT=img-prod-eastus` runs locally as it would on Azure), or one
 * deployment per `--models` model; plus one per model a `model` cell names, so a manifest that
 * compares models runs locally as it would on Foundry. A user's own deployments file is left alone.
 */
async function deploymentsToServe(config: Config, options: LocalServicesOptions): Promise<MockDeployment[]> {
  const configured: MockDeployment = { name: config.deployment, model: deploymentModel(config.deployment, config.model ?? config.gptModel) };
  if (config.deploymentsFile) return [configured];
  const named = namedModels(config);
  const deployments = named ? named.map((model) => ({ name: model, model })) : [configured];
  if (options.manifest && options.defaults) {
    // A manifest that cannot be read is reported where it is enqueued, with its line and column.
    const summary = await validateManifest(options.manifest, options.defaults).catch(() => undefined);
    for (const model of Object.keys(summary?.modelLines ?? {})) {
      if (!deployments.some((deployment) => deployment.model === model)) deployments.push({ name: model, model });
    }
  }
  return deployments;
}

function describeDeployment({ name, model }: MockDeployment): string {
  return name === model ? name : `${name} (${model})`;
}
