import { APIError, InvalidResponseError } from '../errors/api-error.js';
import { checkImage, inspectImage } from '../images/verify-image.js';
import { HttpImageClient, type ImageClientOptions } from './http-exchange.js';
import { attachPartialGeneration } from './partial-generation.js';
import { inlineImageBytes } from './inline-images.js';
import { parseGenerationBody } from './parse-response.js';
import type { GeneratedImage, ImageApi, ImageGeneration, ImageRequest, SourceImage } from './types.js';

export type AzureImageClientOptions = ImageClientOptions;

/** A mismatched image is the service's deliberate output (e.g. a resized request): retrying pays again for the same result. */
export class ImageMismatchError extends APIError {
  constructor(message: string, requestId: string | undefined) {
    super(message, { status: undefined, code: 'image_mismatch', requestId, retryAfterMs: undefined });
  }
}

/**
 * The Azure OpenAI / Foundry image generation client. It makes exactly one HTTP request per call
 * and never retries: retries, 429 back-off and quota belong to the queue, where they are shared by
 * every worker (openai-node with `maxRetries: 0` would behave the same).
 */
export class AzureImageClient extends HttpImageClient implements ImageApi {
  protected readonly label = 'image API';

  async generate(request: ImageRequest, options: { signal?: AbortSignal } = {}): Promise<ImageGeneration> {
    const body = JSON.stringify({ ...this.parameters(request), n: request.n });
    return this.send(this.url, body, { 'content-type': 'application/json' }, request, options.signal);
  }

  /**
   * The images edits endpoint (multipart): the master creative plus the instructions, for localizing
   * an existing image rather than generating from nothing. Same URL as generations, `/edits` instead.
   */
  async edit(request: ImageRequest, source: SourceImage, options: { signal?: AbortSignal } = {}): Promise<ImageGeneration> {
    const form = new FormData();
    form.append('image', new Blob([source.bytes], { type: source.contentType }), source.filename);
    // `moderation` is a generations parameter only (openai-openapi CreateImageEditRequest has none): never sent to edits.
    const { moderation: _generationsOnly, ...parameters } = this.parameters(request);
    for (const [name, value] of Object.entries({ ...parameters, n: request.n })) form.append(name, String(value));
    return this.send(editsUrl(this.url), form, {}, request, options.signal);
  }

  /** Optional parameters are sent only when set, so the service's own defaults apply otherwise. */
  private parameters(request: ImageRequest): Record<string, string | number> {
    return {
      prompt: request.prompt,
      ...(this.bodyModel !== undefined ? { model: this.bodyModel } : {}),
      size: request.size,
      quality: request.quality,
      output_format: request.format,
      ...(request.outputCompression !== undefined && request.format !== 'png' ? { output_compression: request.outputCompression } : {}),
      ...(request.background !== undefined ? { background: request.background } : {}),
      ...(request.moderation !== undefined ? { moderation: request.moderation } : {}),
    };
  }

  private async send(url: string, body: string | FormData, contentHeaders: Record<string, string>, request: ImageRequest, callerSignal: AbortSignal | undefined): Promise<ImageGeneration> {
    const started = this.now();
    const { json, requestId, images: inline } = await this.post(url, body, contentHeaders, callerSignal);
    const parsed = parseGenerationBody(json);
    if (typeof parsed === 'string') throw new InvalidResponseError(`the image API answered with an unexpected body: ${parsed}`, 'malformed_response', requestId);
    if (parsed.images.length > request.n) throw new InvalidResponseError(`asked for ${request.n} images, got ${parsed.images.length}`, 'incomplete_response', requestId);

    const images: GeneratedImage[] = parsed.images.map((image, index) => {
      const bytes = inlineImageBytes(image.b64, inline);
      const facts = inspectImage(bytes);
      if (typeof facts === 'string') throw new InvalidResponseError(`image ${index + 1}: ${facts}`, 'malformed_image', requestId);
      const mismatch = checkImage(facts, { format: request.format, size: request.size });
      if (mismatch) throw new ImageMismatchError(`image ${index + 1}: ${mismatch}`, requestId);
      return { bytes, ...facts, revisedPrompt: image.revisedPrompt };
    });
    const generation: ImageGeneration = { images, usage: parsed.usage, requestId, durationMs: this.now() - started };
    if (images.length < request.n) {
      // Fewer images than asked: those delivered were paid for. They travel on the (retryable) error,
      // so the job stages them and the retry asks only for the rest (partial-generation.ts).
      throw attachPartialGeneration(new InvalidResponseError(`asked for ${request.n} images, got ${images.length}`, 'incomplete_response', requestId), generation);
    }
    return generation;
  }
}

/** `.../images/generations?api-version=...` -> `.../images/edits?api-version=...`. */
export function editsUrl(generationsUrl: string): string {
  const url = new URL(generationsUrl);
  url.pathname = url.pathname.replace(/\/images\/generations\/?$/, '/images/edits');
  return url.toString();
}
