import type { Config } from '../config/settings.js';
import { readEnv } from '../config/read-env.js';
import type { FlagValues } from '../config/resolve-config.js';
import { join } from 'node:path';
import { startAzurite, type AzuriteProcess } from '../local-services/azurite.js';
import { createMockImageApi, type MockImageApi } from '../mock-api/server.js';

/** Quota the embedded stand-in enforces (and we pace to) when the user set none: a quick demo. */
export const LOCAL_IMAGES_PER_MINUTE = 120;

export interface LocalServices {
  config: Config;
  notes: string[];
  stop(): Promise<void>;
}

/**
 * For `polyglyph run` on a machine with nothing configured: the stand-in image API when no endpoint
 * is set, and Azurite when no storage is set. With real endpoints configured this starts nothing.
 */
export async function startLocalServices(config: Config, flags: FlagValues): Promise<LocalServices> {
  const notes: string[] = [];
  let mock: MockImageApi | undefined;
  let azurite: AzuriteProcess | undefined;
  let resolved = config;
  const stop = async (): Promise<void> => {
    await Promise.allSettled([mock?.close(), azurite?.stop()]);
  };
  try {
    if (!config.endpoint && !config.gptEndpoint) {
      const quotaSet = flags.imagesPerMinute !== undefined || readEnv('POLYGLYPH_IMAGES_PER_MINUTE') !== undefined;
      const imagesPerMinute = quotaSet ? config.imagesPerMinute : LOCAL_IMAGES_PER_MINUTE;
      mock = createMockImageApi({ deployments: [config.deployment], imagesPerMinute, latencyMs: 300, latencyJitterMs: 700 });
      const url = await mock.listen(0);
      resolved = { ...resolved, endpoint: url, apiKey: config.apiKey ?? 'local-stand-in-key', imagesPerMinute };
      notes.push(`no AZURE_OPENAI_ENDPOINT: using the built-in stand-in image API at ${url} (${imagesPerMinute} images/min)`);
    }
    if (!config.storageConnectionString && !config.storageAccountUrl) {
      // Azurite's data outlives the run, so running the same manifest again finds its images and skips them.
      const location = join(config.localDir, 'azurite');
      azurite = await startAzurite({ location });
      resolved = { ...resolved, storageConnectionString: azurite.connectionString };
      notes.push(`no AZURE_STORAGE_CONNECTION_STRING: started Azurite at ${azurite.blobEndpoint} (data in ${location}/)`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { config: resolved, notes, stop };
}
