import type { GeneratedImage, ImageUsage } from '../image-api/types.js';
import { getLocale } from '../locales/registry.js';
import type { ImageJobData } from '../queue/image-job.js';
import { assertValidMetadata, assertValidTags } from './blob-metadata.js';
import { imageBlobName } from './blob-name.js';

/**
 * Blob metadata: ASCII-only facts a DAM can filter on. Everything non-ASCII or long (message, text,
 * prompt) goes to the sidecar JSON instead, because Azure rejects non-ASCII metadata.
 */
export function imageMetadata(data: ImageJobData, variant: number, image: Pick<GeneratedImage, 'width' | 'height' | 'format'>, deployment: string): Record<string, string> {
  return {
    locale: data.locale,
    script: getLocale(data.locale).script,
    messageid: data.messageId,
    campaign: data.campaign,
    runid: data.runId,
    model: data.model,
    deployment,
    size: `${image.width}x${image.height}`,
    requestedsize: data.requestedSize ?? data.request.size,
    quality: data.request.quality,
    format: image.format,
    // Only what was sent: an absent key means the service's default applied.
    ...(data.request.outputCompression !== undefined ? { compression: String(data.request.outputCompression) } : {}),
    ...(data.request.background !== undefined ? { background: data.request.background } : {}),
    ...(data.request.moderation !== undefined ? { moderation: data.request.moderation } : {}),
    variant: String(variant),
    variants: String(data.request.n),
    inputsha256: data.inputSha256,
    manifestline: String(data.line),
    generator: 'polyglyph',
  };
}

/**
 * Index tags, so `findBlobsByTags("locale='ja' AND campaign='spring'")` finds a locale's assets and
 * `"campaign='spring' AND model='MAI-Image-2e'"` one model's (model names fit Azure's tag characters).
 */
export function imageTags(data: ImageJobData): Record<string, string> {
  return { locale: data.locale, campaign: data.campaign, messageid: data.messageId, runid: data.runId, model: data.model };
}

export interface SidecarFacts {
  variant: number;
  deployment?: string | undefined;
  imageBlobName: string;
  image?: Pick<GeneratedImage, 'width' | 'height' | 'format' | 'revisedPrompt'> & { bytes: number; contentType: string };
  usage?: ImageUsage | undefined;
  requestId?: string | undefined;
  timings?: { generateMs: number; uploadMs: number; startedAt: string; finishedAt: string };
  /** True when written for an image that existed without its sidecar (nothing regenerated). */
  recovered?: boolean;
}

/** The sidecar JSON beside each image: everything needed to audit or reproduce it. */
export function imageSidecar(data: ImageJobData, facts: SidecarFacts): Record<string, unknown> {
  const locale = getLocale(data.locale);
  return {
    schema: 'polyglyph.sidecar/v1',
    image: facts.imageBlobName,
    messageId: data.messageId,
    locale: data.locale,
    language: locale.englishName,
    nativeLanguage: locale.nativeName,
    script: locale.script,
    campaign: data.campaign,
    runId: data.runId,
    manifest: data.manifest,
    manifestLine: data.line,
    message: data.message,
    localizedText: data.text ?? null,
    textSource: data.textSource ?? (data.text ? 'manifest' : 'model-translation'),
    ...(data.translationModel !== undefined ? { translationModel: data.translationModel } : {}),
    direction: data.direction,
    prompt: data.request.prompt,
    revisedPrompt: facts.image?.revisedPrompt ?? null,
    model: data.model,
    deployment: facts.deployment ?? null,
    request: {
      size: data.request.size,
      requestedSize: data.requestedSize ?? data.request.size,
      quality: data.request.quality,
      format: data.request.format,
      outputCompression: data.request.outputCompression ?? null,
      background: data.request.background ?? null,
      moderation: data.request.moderation ?? null,
      n: data.request.n,
    },
    variant: facts.variant,
    inputSha256: data.inputSha256,
    delivered: facts.image ? { width: facts.image.width, height: facts.image.height, format: facts.image.format, bytes: facts.image.bytes, contentType: facts.image.contentType } : null,
    usage: facts.usage ?? null,
    requestId: facts.requestId ?? null,
    timings: facts.timings ?? null,
    ...(facts.recovered ? { recovered: true } : {}),
  };
}

/**
 * Why this job's images could not be stored (a blob name, metadata or tag Azure would refuse), or
 * undefined. Checked by the worker before it pays for an image, so that a job whose names slipped
 * past validation (enqueued by an older version, or by hand) fails at once, unpaid, instead of
 * generating images whose upload is refused on every attempt. Each deployment is tried by name,
 * with the largest size figures, since either may end up in the metadata.
 */
export function blobFieldsProblem(data: ImageJobData, deployments: readonly string[]): string | undefined {
  try {
    for (let variant = 1; variant <= data.request.n; variant += 1) imageBlobName({ ...data, variant, format: data.request.format });
    for (const deployment of deployments) assertValidMetadata(imageMetadata(data, data.request.n, { width: 99_999, height: 99_999, format: data.request.format }, deployment));
    assertValidTags(imageTags(data));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
