/**
 * Image providers: which API family a deployment speaks. Two today:
 *
 * - `azure-openai`: OpenAI's Images API as Azure OpenAI / Foundry serves it (gpt-image-2, ...):
 *   `/openai/deployments/{d}/images/generations` or `/openai/v1/images/generations`, `size: "WxH"`.
 * - `mai`: Microsoft AI's own image models on Foundry (MAI-Image-2, MAI-Image-2e, ...):
 *   `/mai/v1/images/generations`, `width` and `height` as numbers, PNG only.
 *
 * A model whose name starts with `MAI-` (any case) is `mai`; anything else is `azure-openai`. A
 * deployment can force either with `"provider"` (deployments file) or `--provider`.
 */

export const IMAGE_PROVIDERS = ['azure-openai', 'mai'] as const;
export type ImageProvider = (typeof IMAGE_PROVIDERS)[number];

/** Forced providers by model name (from the deployments); models not listed follow the name rule. */
export type ModelProviders = Readonly<Record<string, ImageProvider>>;

const MAI_MODEL = /^mai-/i;

/** The provider of `model`: `forced` when given, else by name (`MAI-...` is MAI). */
export function providerForModel(model: string, forced?: ImageProvider): ImageProvider {
  return forced ?? (MAI_MODEL.test(model) ? 'mai' : 'azure-openai');
}

/** The provider of `model` as the run's deployments say (a forced provider wins), else by name. */
export function providerOf(model: string, providers: ModelProviders | undefined): ImageProvider {
  return providerForModel(model, providers && Object.hasOwn(providers, model) ? providers[model] : undefined);
}

/** Human name for messages: `MAI-Image-2e (MAI)`. */
export function describeProvider(provider: ImageProvider): string {
  return provider === 'mai' ? 'MAI' : 'Azure OpenAI';
}
