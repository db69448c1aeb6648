import { startAzurite as startProductAzurite, type AzuriteOptions, type AzuriteProcess } from '../../src/local-services/azurite.js';
import { uniqueSuffix } from './unique.js';

export { AzuriteNotInstalledError, AzuriteStartError, type AzuriteOptions, type AzuriteProcess } from '../../src/local-services/azurite.js';

/**
 * How long a test waits for an Azurite of its own to answer. Booting one costs about two
 * CPU-seconds: ~1 s on an idle machine, close to a minute on two cores saturated by other work
 * (measured at load 30-40), past the product's 30 s default.
 */
export const AZURITE_BOOT_TIMEOUT_MS = 150_000;

/**
 * The limit of a test or hook that boots an Azurite of its own (or two, one after the other): three
 * times the worst boot seen on saturated cores, so such a test stays within a third of its limit.
 */
export const AZURITE_TEST_TIMEOUT_MS = 180_000;

/**
 * An Azurite of the test's own, for tests that stop, kill or restart it; other tests share the run's
 * one (services.ts). Waits up to AZURITE_BOOT_TIMEOUT_MS unless told otherwise.
 */
export function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteProcess> {
  return startProductAzurite({ readyTimeoutMs: AZURITE_BOOT_TIMEOUT_MS, ...options });
}

/**
 * A container name no other test uses, valid for Azure: 3-63 characters, lowercase letters, digits
 * and single hyphens, starting and ending with a letter or digit. The prefix is cleaned to fit.
 */
export function uniqueContainerName(prefix = 'test'): string {
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return clean ? `${clean}-${uniqueSuffix()}` : `c${uniqueSuffix()}`;
}
