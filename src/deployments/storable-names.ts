import { ConfigError } from '../errors/polyglyph-error.js';
import { metadataValueProblem, tagValueProblem } from '../storage/blob-metadata.js';
import type { DeploymentSpec } from './deployment-spec.js';

/**
 * Every image stores its deployment's name in blob metadata (`deployment`) and its model in metadata
 * and in an index tag (`model`; image-blob-fields.ts). Azure refuses a tag like `img@eu` or
 * `gpt-image-2 (eu)` and non-ASCII metadata, and the refusal would come after the image was
 * generated and paid for: so the names are checked here, when the deployments are loaded (validate,
 * enqueue, run, worker start-up), and a bad one stops the command with exit 2 and the fix.
 * `fromFile`: the deployments file's path, when the specs come from one.
 */
export function assertStorableDeployments(specs: readonly DeploymentSpec[], fromFile: string | undefined): void {
  for (const spec of specs) {
    const modelProblem = tagValueProblem(spec.model) ?? metadataValueProblem(spec.model);
    if (modelProblem) {
      throw new ConfigError(
        fromFile
          ? `${fromFile}: the model '${spec.model}' of deployment '${spec.name}' cannot be stored with its images (blob index tag 'model'): ${modelProblem}`
          : `the model '${spec.model}' (AZURE_OPENAI_MODEL / --model-name, AZURE_GPT_MODEL, or a MAI deployment's name) cannot be stored with its images (blob index tag 'model'): ${modelProblem}`,
        {
          hint: fromFile
            ? 'set "model" to the model the deployment serves, e.g. "gpt-image-2" (the Azure deployment name goes in "deployment", which may be anything Azure allows)'
            : 'set AZURE_OPENAI_MODEL (--model-name) to the model the deployment serves, e.g. gpt-image-2; the deployment name (AZURE_OPENAI_DEPLOYMENT) is separate and may be anything Azure allows',
        },
      );
    }
    const nameProblem = metadataValueProblem(spec.name);
    if (nameProblem) {
      throw new ConfigError(
        `${fromFile ? `${fromFile}: the deployment name` : 'AZURE_OPENAI_DEPLOYMENT / --deployment: the deployment name'} '${spec.name}' cannot be stored with its images (blob metadata 'deployment'): ${nameProblem}`,
        {
          hint: 'describe the deployment in a deployments file (POLYGLYPH_DEPLOYMENTS_FILE): "name" is ours (letters, digits, . _ -), "deployment" is Azure\'s and is never stored',
        },
      );
    }
  }
}
