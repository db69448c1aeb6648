import type { Config } from '../config/settings.js';
import type { Runtime } from '../runtime/runtime.js';
import { MasterStore } from '../sources/master-store.js';
import { BlobStore } from '../storage/blob-store.js';

/** For producers without a worker runtime: masters go to Redis; blob URLs on our account are read with its credentials. */
export function producerMasterStore(runtime: Runtime, config: Config): MasterStore {
  return new MasterStore(runtime.redis, runtime.runStore.keys.base, { storage: BlobStore.ifConfigured(config) });
}
