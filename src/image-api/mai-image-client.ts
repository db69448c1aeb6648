import { BadRequestError, InvalidResponseError } from '../errors/api-error.js';
import { MAI_DEFAULT_SIZE, maiSizeProblem } from '../images/mai-size-rules.js';
import { checkImage, inspectImage } from '../images/verify-image.js';
import { HttpImageClient, type ImageClientOptions } from './http-exchange.js';
import { ImageMismatchError } from './azure-image-client.js';
import { attachPartialGeneration } from './partial-generation.js';
import { inlineImageBytes } from './inline-images.js';
import { parseGenerationBody } from './parse-response.js';
import type { GeneratedImage, ImageApi, ImageGeneration, ImageRequest, ImageUsage } from './types.js';
import { isRecord } from '../json/is-record.js';
import { sumUsage } from './sum-usage.js';

/** `url`: `{resource}/mai/v1/images/generations` (resolveMaiEndpoint). */
export type MaiImageClientOptions = ImageClientOptions;

/**
 * The client for Microsoft's MAI image models on Foundry (MAI-Image-2, MAI-Image-2e):
 * `POST {resource}/mai/v1/images/generations` with MAI's own body, `{model, prompt, width, height}`,
 * and the same answer shape as OpenAI's (`data[].b64_json`, always PNG).
 *
 * MAI's documented request has no `n`, so a call for n images makes n requests, one after another
 * (the pool has already taken n images of the deployment's quota for it). Like AzureImageClient it
 * never retries: a failure ends the call, typed by `APIError.generate`. Images delivered before a
 * failure were paid for; they travel on the error (partialGeneration) so the job can keep them.
 *
 * Parameters MAI does not document (quality, output_format, output_compression, background,
 * moderation) are not sent. Every image is checked for PNG and the asked size, as AzureImageClient does.
 */
export class MaiImageClient extends HttpImageClient implements ImageApi {
  protected readonly label = 'MAI image API';
  /** MAI's documented request has no `n`: one image per request, each taking its own quota slot. */
  readonly maxImagesPerRequest = 1;

  async generate(request: ImageRequest, options: { signal?: AbortSignal } = {}): Promise<ImageGeneration> {
    const started = this.now();
    // Refused before anything is sent (and paid for): MAI would answer with a PNG of another size or format.
    if (request.format !== 'png') throw refuse(`MAI image models return PNG only; asked for ${request.format}`, 'unsupported_format');
    const { width, height } = request.size === 'auto' ? MAI_DEFAULT_SIZE : parseSize(request.size);
    const problem = maiSizeProblem(width, height);
    if (problem) throw refuse(`size ${width}x${height} ${problem} (MAI's limits)`, 'invalid_size');

    const body = JSON.stringify({ model: this.bodyModel, prompt: request.prompt, width, height });
    const generation: ImageGeneration = { images: [], usage: undefined, requestId: undefined, durationMs: 0 };
    for (let index = 0; index < request.n; index++) {
      try {
        const answer = await this.requestOne(body, options.signal);
        const facts = inspectImage(answer.bytes);
        if (typeof facts === 'string') throw new InvalidResponseError(`image ${index + 1}: ${facts}`, 'malformed_image', answer.requestId);
        const mismatch = checkImage(facts, { format: 'png', size: `${width}x${height}` });
        if (mismatch) throw new ImageMismatchError(`image ${index + 1}: ${mismatch}`, answer.requestId);
        const image: GeneratedImage = { bytes: answer.bytes, ...facts, revisedPrompt: answer.revisedPrompt };
        generation.images.push(image);
        generation.usage = sumUsage([generation.usage, answer.usage]);
        generation.requestId ??= answer.requestId;
      } catch (error) {
        throw attachPartialGeneration(error, { ...generation, durationMs: this.now() - started });
      }
    }
    return { ...generation, durationMs: this.now() - started };
  }

  /** One HTTP request for one image. */
  private async requestOne(body: string, signal: AbortSignal | undefined): Promise<{ bytes: Buffer; revisedPrompt: string | undefined; usage: ImageUsage | undefined; requestId: string | undefined }> {
    const { json, requestId, images: inline } = await this.post(this.url, body, { 'content-type': 'application/json' }, signal);
    const parsed = parseGenerationBody(json);
    if (typeof parsed === 'string') throw new InvalidResponseError(`the MAI image API answered with an unexpected body: ${parsed}`, 'malformed_response', requestId);
    if (parsed.images.length !== 1) throw new InvalidResponseError(`asked for 1 image, got ${parsed.images.length}`, 'incomplete_response', requestId);
    const [image] = parsed.images as [(typeof parsed.images)[number]];
    // OpenAI's usage names when present, else MAI's own.
    const usage = parsed.usage && Object.values(parsed.usage).some((value) => value !== undefined) ? parsed.usage : maiUsage(json);
    return { bytes: inlineImageBytes(image.b64, inline), revisedPrompt: image.revisedPrompt, usage, requestId };
  }
}

function refuse(message: string, code: string): BadRequestError {
  return new BadRequestError(message, { status: undefined, code, requestId: undefined, retryAfterMs: undefined });
}

function parseSize(size: string): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (!match) throw refuse(`size '${size}' is not WIDTHxHEIGHT`, 'invalid_size');
  return { width: Number(match[1]), height: Number(match[2]) };
}

/**
 * Usage in MAI's own names, when it reports them (`num_input_text_tokens`, `num_output_tokens`, as
 * seen in MAI answers; undocumented, so read only when present).
 */
function maiUsage(body: unknown): ImageUsage | undefined {
  const usage = isRecord(body) && isRecord(body.usage) ? body.usage : undefined;
  if (!usage) return undefined;
  const input = numberOrUndefined(usage.num_input_text_tokens) ?? numberOrUndefined(usage.input_tokens);
  const output = numberOrUndefined(usage.num_output_tokens) ?? numberOrUndefined(usage.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  return { inputTokens: input, outputTokens: output, totalTokens: input !== undefined && output !== undefined ? input + output : undefined, inputTextTokens: input };
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
