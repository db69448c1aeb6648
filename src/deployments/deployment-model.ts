/**
 * A deployment's two names, kept apart: the *deployment name* (chosen by whoever deployed the model:
 * `img-prod-eastus`) decides the URL, the pool member, Redis keys and the report's `deployment`; the
 * *model* it serves (`gpt-image-2`) decides size rules, prices and metadata. Azure refuses a
 * deployment name in the body's `model` on deployment-style URLs ("The model 'img-prod-eastus' does
 * not exist.", openclaw/openclaw#71526, BerriAI/litellm#26316), so the two must never be confused.
 */

/** What a deployment serves when nothing says otherwise: the model Polyglyph is built for. */
export const DEFAULT_MODEL = 'gpt-image-2';

/**
 * Azure OpenAI image models by their base names (MicrosoftDocs/azure-ai-docs, dall-e.md how-to). A
 * deployment named exactly like one (Azure's portal proposes the model name) serves that model.
 */
const BASE_MODELS: ReadonlyMap<string, string> = new Map(['gpt-image-2', 'gpt-image-1.5', 'gpt-image-1', 'gpt-image-1-mini', 'dall-e-3'].map((name) => [name.toLowerCase(), name]));
/** MAI models (MAI-Image-2, MAI-Image-2e, ...): a deployment named `MAI-...` serves the model of that name (provider.ts). */
const MAI_MODEL = /^mai-/i;

/**
 * The model a deployment serves: the configured one, else the deployment name when it names a model
 * (`gpt-image-1.5`, `MAI-Image-2e`), else gpt-image-2.
 */
export function deploymentModel(deploymentName: string, configured?: string): string {
  if (configured !== undefined) return configured;
  if (MAI_MODEL.test(deploymentName)) return deploymentName;
  return BASE_MODELS.get(deploymentName.toLowerCase()) ?? DEFAULT_MODEL;
}

const DEPLOYMENT_SEGMENT = /\/openai\/deployments\/([^/]+)\//;

/**
 * The deployment name of a full deployment-style URL (`.../openai/deployments/{name}/images/...`, as
 * Microsoft's C# sample configures AZURE_GPT_ENDPOINT), or undefined for other URLs (v1, MAI).
 */
export function deploymentInUrl(url: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const segment = DEPLOYMENT_SEGMENT.exec(pathname)?.[1];
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
