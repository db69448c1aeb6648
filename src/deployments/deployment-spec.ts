import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Config } from '../config/settings.js';
import { ConfigError } from '../errors/polyglyph-error.js';
import type { ImageApiSettings } from '../image-api/create-image-api.js';
import { IMAGE_PROVIDERS, providerForModel, type ImageProvider } from '../image-api/provider.js';
import { deploymentInUrl, deploymentModel } from './deployment-model.js';
import { assertStorableDeployments } from './storable-names.js';

/** One deployment of an image model: where it is, how to authenticate, what it may take. */
export interface DeploymentSpec {
  /** Unique in the pool; names the deployment in reports, metadata and Redis keys. */
  name: string;
  /**
   * The model it serves (never its deployment name): jobs are matched to deployments by it, and it
   * decides size rules, prices and each image's identity (deployment-model.ts).
   */
  model: string;
  /** Its quota, shared by every worker: a request for n images counts n. */
  imagesPerMinute: number;
  /** Which image API it speaks: `mai` for a model named `MAI-...` unless forced (provider.ts). */
  provider: ImageProvider;
  api: ImageApiSettings;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

const entrySchema = z
  .object({
    name: z.string().regex(NAME, 'letters, digits, . _ - (at most 64)'),
    endpoint: z.url().optional(),
    gptEndpoint: z.url().optional(),
    deployment: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    apiStyle: z.enum(['deployment', 'v1']).optional(),
    apiVersion: z.string().min(1).optional(),
    apiKey: z.string().min(1).optional(),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional(),
    entraScope: z.string().min(1).optional(),
    provider: z.enum(IMAGE_PROVIDERS).optional(),
    imagesPerMinute: z.number().positive(),
  })
  .strict()
  .refine((entry) => entry.endpoint !== undefined || entry.gptEndpoint !== undefined, { message: 'needs "endpoint" (or "gptEndpoint", the full generations URL)' });

const fileSchema = z.object({ deployments: z.array(entrySchema).min(1, 'list at least one deployment') }).strict();

/**
 * The deployments a worker may use: those of POLYGLYPH_DEPLOYMENTS_FILE, or else the single one the
 * AZURE_OPENAI_* settings describe. Keys can stay out of the file (`apiKeyEnv`); without a key a
 * deployment uses Microsoft Entra ID.
 */
export function loadDeployments(config: Config, env: NodeJS.ProcessEnv = process.env): DeploymentSpec[] {
  if (!config.deploymentsFile) {
    // A full deployment-style URL (AZURE_GPT_ENDPOINT) names its deployment itself.
    const deployment = (config.gptEndpoint && deploymentInUrl(config.gptEndpoint)) || config.deployment;
    const api: ImageApiSettings = { ...config, deployment };
    // A forced MAI provider with no model named keeps the deployment name as its model, as before.
    const configured = config.model ?? config.gptModel ?? (config.provider === 'mai' ? deployment : undefined);
    const model = deploymentModel(deployment, configured);
    const specs = [{ name: deployment, model, imagesPerMinute: config.imagesPerMinute, provider: providerForModel(model, config.provider), api }];
    assertStorableDeployments(specs, undefined);
    return specs;
  }
  const file = config.deploymentsFile;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError(`cannot read the deployments file ${file}: ${reason}`, {
      hint: 'check POLYGLYPH_DEPLOYMENTS_FILE / --deployments-file (a JSON file: {"deployments": [{"name", "endpoint", "deployment", "imagesPerMinute", ...}]})',
    });
  }
  const result = fileSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) =>
        `${
          issue.path
            .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
            .join('')
            .replace(/^\./, '') || '(file)'
        }: ${issue.message}`,
    );
    throw new ConfigError(`the deployments file ${file} is not valid:\n  ${problems.join('\n  ')}`, {
      hint: 'each deployment needs name, endpoint (or gptEndpoint) and imagesPerMinute; optional: deployment, model, provider (azure-openai or mai), apiStyle, apiVersion, apiKey or apiKeyEnv, entraScope',
    });
  }
  const specs = result.data.deployments.map((entry, index): DeploymentSpec => {
    let apiKey = entry.apiKey;
    if (entry.apiKeyEnv !== undefined) {
      apiKey = env[entry.apiKeyEnv];
      if (!apiKey)
        throw new ConfigError(`${file}: deployments[${index}] (${entry.name}) takes its key from ${entry.apiKeyEnv}, which is not set`, {
          hint: `set ${entry.apiKeyEnv}, or remove apiKeyEnv to use Microsoft Entra ID`,
        });
    }
    const api: ImageApiSettings = {
      endpoint: entry.endpoint,
      gptEndpoint: entry.gptEndpoint,
      deployment: entry.deployment ?? (entry.gptEndpoint && deploymentInUrl(entry.gptEndpoint)) ?? config.deployment,
      apiVersion: entry.apiVersion ?? config.apiVersion,
      apiStyle: entry.apiStyle ?? config.apiStyle,
      apiKey,
      entraScope: entry.entraScope,
      requestTimeoutMs: config.requestTimeoutMs,
    };
    const model = deploymentModel(api.deployment, entry.model ?? (entry.provider === 'mai' ? api.deployment : undefined));
    return { name: entry.name, model, imagesPerMinute: entry.imagesPerMinute, provider: providerForModel(model, entry.provider), api };
  });
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name)) throw new ConfigError(`${file}: two deployments are named '${spec.name}'`, { hint: 'give each deployment its own name' });
    names.add(spec.name);
  }
  assertStorableDeployments(specs, file);
  return specs;
}
