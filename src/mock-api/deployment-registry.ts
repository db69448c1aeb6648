/**
 * The stand-in's deployments, as an Azure resource knows its own: each deployment name serves one
 * model. Written out here rather than shared with the client's deployment-model.ts on purpose: a
 * stand-in that shares the client's idea of names would agree with the client's mistakes.
 */

/** One deployment: its name (in the URL, or the body's `model` on v1 and MAI) and the model it serves. */
export interface MockDeployment {
  name: string;
  model: string;
}

/**
 * Model names the image API recognises in a body's `model` on deployment-style URLs. Source: the
 * image models of MicrosoftDocs/azure-ai-docs, articles/ai-foundry/openai/how-to/dall-e.md (gpt-image-2,
 * gpt-image-1.5, gpt-image-1, gpt-image-1-mini, dall-e-3) and Microsoft's MAI image models. Any other
 * name there is refused as Azure refuses a deployment name (openclaw/openclaw#71526, #71705,
 * BerriAI/litellm#26316). Models the registry's deployments serve are recognised too.
 */
const BASE_MODELS = ['gpt-image-2', 'gpt-image-1.5', 'gpt-image-1', 'gpt-image-1-mini', 'dall-e-3', 'MAI-Image-2', 'MAI-Image-2e', 'MAI-Image-1'] as const;

/** What a bare deployment name (no `=model`) serves: the model of that name, else gpt-image-2. */
const DEFAULT_MODEL = 'gpt-image-2';

export class DeploymentRegistry {
  readonly #models = new Map<string, string>();
  readonly #knownModels: ReadonlySet<string>;

  /** `entries`: `{name, model}`, or a bare name that serves the model of that name (gpt-image-2 for other names). */
  constructor(entries: ReadonlyArray<string | MockDeployment>) {
    for (const entry of entries) {
      const deployment = typeof entry === 'string' ? { name: entry, model: bareModel(entry) } : entry;
      if (deployment.name.trim() === '' || deployment.model.trim() === '') throw new RangeError(`expected a deployment name and a model, got ${JSON.stringify(entry)}`);
      if (this.#models.has(deployment.name)) throw new RangeError(`the deployment '${deployment.name}' is listed twice`);
      this.#models.set(deployment.name, deployment.model);
    }
    if (this.#models.size === 0) throw new RangeError('expected at least one deployment');
    this.#knownModels = new Set([...BASE_MODELS, ...this.#models.values()].map((name) => name.toLowerCase()));
  }

  /** The model `deployment` serves, or undefined when there is no such deployment. */
  modelOf(deployment: string): string | undefined {
    return this.#models.get(deployment);
  }

  has(deployment: string): boolean {
    return this.#models.has(deployment);
  }

  /** Whether `name` is a model the service knows (model names are matched regardless of case). */
  isModel(name: string): boolean {
    return this.#knownModels.has(name.toLowerCase());
  }

  list(): MockDeployment[] {
    return [...this.#models].map(([name, model]) => ({ name, model }));
  }
}

function bareModel(name: string): string {
  return BASE_MODELS.find((model) => model.toLowerCase() === name.toLowerCase()) ?? DEFAULT_MODEL;
}

/** `name=model` or a bare `name` (command line, environment), to a registry entry. */
export function parseDeploymentEntry(text: string): string | MockDeployment | undefined {
  const [name, model, extra] = text.split('=').map((part) => part.trim());
  if (!name || extra !== undefined || model === '') return undefined;
  return model === undefined ? name : { name, model };
}
