// Vitest globalSetup: one Azurite for the whole test run, started on the first file that asks for it.
//
// Each integration file used to boot its own Azurite. Booting costs about two CPU-seconds, so with
// two saturated cores every file's beforeAll waited close to a minute, and Azurite's 30 s start limit
// failed most of the suite (issue 14 item 10). The files only ever need a storage account with
// containers of their own (uniqueContainerName), so one Azurite serves them all. Files that stop,
// kill or restart Azurite (faults-storage, local-services, storage-hangs, redis-cluster) still start
// their own with startAzurite.
//
// Test files run in child processes and globalSetup in the main one; a value given with provide()
// cannot start anything later, so this process serves a small HTTP endpoint instead: the first GET
// starts Azurite, every GET answers with how to reach it. A unit-only run never asks, never starts it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestProject } from 'vitest/node';
import { startAzurite, type AzuriteProcess } from '../../src/local-services/azurite.js';
import { SHARED_AZURITE_BROKER, SHARED_AZURITE_READY_TIMEOUT_MS, type SharedAzurite } from './shared-azurite.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let starting: Promise<AzuriteProcess> | undefined;
  const azurite = (): Promise<AzuriteProcess> => {
    // A failed start is not kept: the next file tries again rather than inheriting the failure.
    starting ??= startAzurite({ readyTimeoutMs: SHARED_AZURITE_READY_TIMEOUT_MS }).catch((error: unknown) => {
      starting = undefined;
      throw error;
    });
    return starting;
  };

  const server: Server = createServer((_request, response) => {
    azurite().then(
      (started) => {
        const shared: SharedAzurite = { connectionString: started.connectionString, blobEndpoint: started.blobEndpoint, port: started.port };
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(shared));
      },
      (error: unknown) => response.writeHead(503, { 'content-type': 'text/plain' }).end(error instanceof Error ? error.message : String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  project.provide(SHARED_AZURITE_BROKER, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);

  return async () => {
    server.close();
    const started = await starting?.catch(() => undefined);
    await started?.stop();
  };
}
