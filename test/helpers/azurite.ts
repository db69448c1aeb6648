import { uniqueSuffix } from './unique.js';

export {
  AzuriteNotInstalledError,
  AzuriteStartError,
  startAzurite,
  type AzuriteOptions,
  type AzuriteProcess,
} from '../../src/local-services/azurite.js';

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
