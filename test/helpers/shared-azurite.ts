// The test run's one Azurite (see shared-azurite-setup.ts): how a test file reaches it.
import { inject } from 'vitest';

export const SHARED_AZURITE_BROKER = 'sharedAzuriteBroker';

/**
 * Booting Azurite costs about two CPU-seconds: ~1 s on an idle machine, close to a minute on two
 * cores saturated by other work. It happens once per run, so it may take its time rather than fail
 * the files waiting for it.
 */
export const SHARED_AZURITE_READY_TIMEOUT_MS = 150_000;

declare module 'vitest' {
  export interface ProvidedContext {
    [SHARED_AZURITE_BROKER]: string;
  }
}

/** What a test file needs of the shared Azurite; it is not the file's to stop, kill or restart. */
export interface SharedAzurite {
  /** Connection string for the development account. */
  connectionString: string;
  /** `http://127.0.0.1:<port>/devstoreaccount1`. */
  blobEndpoint: string;
  port: number;
}

/** Starts the shared Azurite if no file has yet, and resolves once it answers. */
export async function sharedAzurite(): Promise<SharedAzurite> {
  const broker = inject(SHARED_AZURITE_BROKER);
  if (!broker) throw new Error('no shared Azurite: run the tests with vitest.config.ts, whose globalSetup serves it');
  const response = await fetch(broker, { signal: AbortSignal.timeout(SHARED_AZURITE_READY_TIMEOUT_MS + 10_000) });
  if (!response.ok) throw new Error(`the shared Azurite did not start: ${await response.text()}`);
  return (await response.json()) as SharedAzurite;
}
