/**
 * Model-aware size resolution: the same `size` cell (or `--size`) gives each model a size it accepts.
 * gpt-image-2 (and every Azure OpenAI image model) follows size.ts through resolveSize, unchanged;
 * MAI models follow mai-size-rules.ts. The manifest's words are the same for both, so a row sent to
 * two models is asked for "the same" picture: the same aspect, within each model's limits.
 */
import { describeProvider, providerOf, type ImageProvider, type ModelProviders } from '../image-api/provider.js';
import { MAI_DEFAULT_SIZE, MAI_MAX_ASPECT_RATIO, MAI_MAX_PIXELS, maiSizeProblem, nearestMaiSize } from './mai-size-rules.js';
import { resolveSize, type ResolvedSize } from './resolve-size.js';
import { routePixels, type SizeRoute } from './size-routing.js';

/** Resolves `input` for a model of `provider`: resolveSize for Azure OpenAI, MAI's rules for MAI. */
export function resolveSizeFor(input: string, provider: ImageProvider): ResolvedSize {
  const resolved = resolveSize(input);
  if (provider !== 'mai' || !resolved.ok) return resolved;
  const { requested, derivation } = resolved;
  switch (derivation.kind) {
    case 'auto':
      // MAI takes width and height, never `auto`: ask for the size of the documented example.
      return {
        ok: true,
        size: `${MAI_DEFAULT_SIZE.width}x${MAI_DEFAULT_SIZE.height}`,
        ...MAI_DEFAULT_SIZE,
        requested,
        derivation: { kind: 'normalised', problem: 'is not a size MAI image models take (they need a width and a height)' },
      };
    case 'routed': {
      const size = maiRouteSize(derivation.route);
      return { ok: true, size: `${size.width}x${size.height}`, ...size, requested, derivation };
    }
    default: {
      // `requested` is the canonical `WxH` as written (normalised or not for gpt-image-2).
      const [width, height] = requested.split('x').map(Number) as [number, number];
      const problem = maiSizeProblem(width, height);
      if (!problem) return { ok: true, size: requested, width, height, requested, derivation: { kind: 'exact' } };
      const nearest = nearestMaiSize(width, height);
      // resolveSize already refused edges of 0, so there is always a nearest size.
      if (!nearest) throw new Error(`no MAI size near ${requested}`);
      return { ok: true, size: `${nearest.width}x${nearest.height}`, ...nearest, requested, derivation: { kind: 'normalised', problem } };
    }
  }
}

/** `resolveSizeFor` with the provider looked up for `model`. */
export function resolveSizeForModel(input: string, model: string, providers?: ModelProviders): ResolvedSize {
  return resolveSizeFor(input, providerOf(model, providers));
}

/**
 * A route for MAI: the tier's or bucket's pixel budget (clamped to MAI's 1,048,576) at its aspect
 * (clamped to MAI's widest, about 16:9). `small` is 1024x1024 for both model families; `large` is as
 * large as MAI goes.
 */
export function maiRouteSize(route: SizeRoute): { width: number; height: number } {
  const aspect = route.aspect.width / route.aspect.height;
  const ratio = Math.min(Math.max(aspect, 1 / MAI_MAX_ASPECT_RATIO), MAI_MAX_ASPECT_RATIO);
  const pixels = Math.min(routePixels(route), MAI_MAX_PIXELS);
  const size = nearestMaiSize(Math.sqrt(pixels * ratio), Math.sqrt(pixels / ratio));
  // Unreachable: nearestMaiSize finds a size for every positive input (the tests walk every route).
  if (!size) throw new Error(`no MAI size for route ${JSON.stringify(route)}`);
  return size;
}

/** The warning for a size a model's rules changed, the same wherever it is reported. */
export function modelSizeWarning(model: string, provider: ImageProvider, size: { requested: string; size: string; problem: string }): { message: string; hint: string } {
  return {
    message: `size ${size.requested} is outside ${model}'s limits (${describeProvider(provider)}); ${model} will be asked for ${size.size}`,
    hint:
      provider === 'mai'
        ? `${size.requested} ${size.problem}; MAI image models take both edges at least 768 and at most 1,048,576 pixels (e.g. 1024x1024, 1360x768, 768x1360); a row for several models can name a tier such as 'small landscape' instead`
        : `${size.requested} ${size.problem}; write ${size.size} (or another valid size) to ask for it directly`,
  };
}
