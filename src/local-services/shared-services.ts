// The embedded services of a data folder, shared: the first process that needs them (`run`, `worker`)
// starts the stand-in image API and Azurite and writes where they listen to `<localDir>/services.json`;
// every other process on that folder (more workers, `enqueue --wait`, `retry`) finds them there, so a
// local run works in separate terminals as it does in one, with one Azurite per data folder.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { isAlive } from './dir-lock.js';

/** What a process that started local services writes for the others. Nothing secret: the stand-in's key and Azurite's key are fixed development values. */
export interface SharedServices {
  pid: number;
  /** The stand-in image API, when this process runs one. */
  api?: { endpoint: string; apiKey: string; imagesPerMinute: number; deploymentsFile?: string | undefined } | undefined;
  /** Azurite, when this process runs one. */
  storage?: { blobEndpoint: string; connectionString: string } | undefined;
  /** Written as soon as the process holds the data folder's Azurite lock, before Azurite answers. */
  starting?: boolean | undefined;
}

export function sharedServicesFile(localDir: string): string {
  return join(localDir, 'services.json');
}

/**
 * The services another live process runs for this data folder, each only if it answers now;
 * undefined when there are none (no file, its process is gone, nothing answers).
 */
export async function findSharedServices(localDir: string, timeoutMs = 1_000): Promise<SharedServices | undefined> {
  let shared: SharedServices;
  try {
    shared = JSON.parse(await readFile(sharedServicesFile(localDir), 'utf8')) as SharedServices;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(shared.pid) || shared.pid === process.pid || !isAlive(shared.pid)) return undefined;
  const [apiUp, storageUp] = await Promise.all([shared.api && answers(shared.api.endpoint, timeoutMs), shared.storage && answers(shared.storage.blobEndpoint, timeoutMs)]);
  const found: SharedServices = { pid: shared.pid, api: apiUp ? shared.api : undefined, storage: storageUp ? shared.storage : undefined };
  return found.api || found.storage ? found : undefined;
}

/**
 * Waits for the services of a process that holds this data folder's Azurite lock and said it is
 * starting them (two `worker`s started together; Azurite takes seconds to boot). Resolves with them
 * once they answer; undefined at once when that process announced nothing (it is not starting them),
 * or when it dies or `timeoutMs` passes.
 */
export async function waitForSharedServices(localDir: string, holderPid: number, timeoutMs = 120_000, pollMs = 250): Promise<SharedServices | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isAlive(holderPid)) {
    const announced = await readFile(sharedServicesFile(localDir), 'utf8')
      .then((text) => JSON.parse(text) as SharedServices)
      .catch(() => undefined);
    if (announced?.pid !== holderPid) return undefined;
    const shared = await findSharedServices(localDir);
    if (shared?.storage) return shared;
    if (!announced.starting) return undefined;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return undefined;
}

/** Publishes this process's services; the returned function removes the file if it is still ours. */
export async function publishSharedServices(localDir: string, services: Omit<SharedServices, 'pid'>): Promise<() => Promise<void>> {
  const file = sharedServicesFile(localDir);
  await writeFile(file, `${JSON.stringify({ pid: process.pid, ...services }, null, 2)}\n`);
  return async () => {
    const current = await readFile(file, 'utf8').catch(() => '');
    if (current.includes(`"pid": ${process.pid},`)) await rm(file, { force: true });
  };
}

/** Any HTTP answer counts: the stand-in answers 404 on `/`, Azurite 400. */
function answers(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
