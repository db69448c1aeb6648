import type { ImageBackground, ImageFormat, ImageModeration, ImageQuality } from '../images/image-options.js';

/** One generation request: the parameters that decide what is generated (and so what it costs). */
export interface ImageRequest {
  prompt: string;
  /** `auto` or a `WxH` the model accepts (resolveSize); the images are checked against it. */
  size: string;
  quality: ImageQuality;
  format: ImageFormat;
  /** jpeg / webp only; sent as `output_compression` as is. */
  outputCompression?: number | undefined;
  /** Sent as `background` when set (`transparent` needs png or webp). */
  background?: ImageBackground | undefined;
  /** Sent as `moderation` when set. */
  moderation?: ImageModeration | undefined;
  /** Images to generate, 1..10. */
  n: number;
}

export interface GeneratedImage {
  bytes: Buffer;
  format: ImageFormat;
  width: number;
  height: number;
  revisedPrompt?: string | undefined;
}

/** Token usage as reported by the service; absent when it reports none. */
export interface ImageUsage {
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  totalTokens?: number | undefined;
  inputTextTokens?: number | undefined;
  inputImageTokens?: number | undefined;
  /** `output_tokens_details.image_tokens`: the image itself, at the image output price. */
  outputImageTokens?: number | undefined;
  /** `output_tokens_details.text_tokens`: text the model wrote (reasoning), at the text output price. */
  outputTextTokens?: number | undefined;
}

export interface ImageGeneration {
  images: GeneratedImage[];
  usage: ImageUsage | undefined;
  requestId: string | undefined;
  /** Wall-clock time of the request, response body included. */
  durationMs: number;
}

/** A master creative to localize (images edits). */
export interface SourceImage {
  bytes: Buffer;
  contentType: string;
  filename: string;
}

/**
 * What the jobs need from an image provider. Implementations: AzureImageClient (Azure OpenAI's images
 * API) and MaiImageClient (Microsoft's MAI models on Foundry); createProviderImageApi picks one.
 */
export interface ImageApi {
  /** The body's `model`: the deployment name on v1 and MAI URLs, undefined (not sent) on deployment-style URLs. */
  readonly bodyModel: string | undefined;
  /** Images one HTTP request returns at most (MAI: 1, so a call for n makes n requests); absent: `n` is sent as asked. */
  readonly maxImagesPerRequest?: number | undefined;
  generate(request: ImageRequest, options?: { signal?: AbortSignal }): Promise<ImageGeneration>;
  /** Edits `source` as the prompt says; absent when the provider has no edits endpoint. */
  edit?(request: ImageRequest, source: SourceImage, options?: { signal?: AbortSignal }): Promise<ImageGeneration>;
}
