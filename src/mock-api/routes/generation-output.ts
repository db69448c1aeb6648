import { contentFilterResults, promptFilterResults } from '../content-filter.js';
import type { OutputFault } from '../faults.js';
import { textToDraw } from '../prompt-text.js';
import type { ImageFill } from '../types.js';
import type { ImageRenderer, RenderSpec } from '../render-image.js';
import { AUTO_SIZE, type ImageDimensions } from '../size-rules.js';
import { estimateUsage } from '../usage.js';
import type { GenerationRequest, OutputFormat } from './validation.js';

/** The images of an answer, and which of them (0-based) had their text garbled on purpose. */
export interface RenderedOutput {
  images: Buffer[];
  garbled: number[];
}

/**
 * Renders the n images of a request, each showing the prompt's text (prompt-text.ts); an edit's are
 * drawn onto its master. Output faults bend the size or format, or garble the text, on purpose.
 */
export async function renderOutput(request: GenerationRequest, renderer: ImageRenderer, fault: OutputFault | undefined, master?: Buffer, fill: ImageFill = 'flat'): Promise<RenderedOutput> {
  const { width, height } = fault === 'wrong-size' ? otherSize(request.dimensions) : request.dimensions;
  const format = fault === 'wrong-format' ? otherFormat(request.format) : request.format;
  const base: Omit<RenderSpec, 'variant'> = { width, height, format, compression: request.compression, background: request.background, prompt: request.prompt, master, fill };
  // fewer-images: the service delivered (and billed) fewer images than asked.
  const count = fault === 'fewer-images' ? request.n - 1 : request.n;
  const garble = fault === 'garbled-text';
  const texts = Array.from({ length: count }, (_, variant) => textToDraw(request.prompt, variant, garble));
  const images = await Promise.all(texts.map((text, variant) => renderer.render({ ...base, variant, text })));
  // Only an image with text can have garbled text.
  return { images, garbled: garble ? texts.flatMap((text, index) => (text ? [index] : [])) : [] };
}

/** The 200 body: gpt-image's fields plus the filter results Azure adds to every image. */
export function successBody(request: GenerationRequest, images: Buffer[], createdSeconds: number): Record<string, unknown> {
  const { width, height } = request.dimensions;
  return {
    created: createdSeconds,
    background: request.background === 'transparent' ? 'transparent' : 'opaque',
    output_format: request.format,
    quality: request.quality === 'auto' ? 'medium' : request.quality,
    size: `${width}x${height}`,
    data: images.map((image) => ({
      b64_json: image.toString('base64'),
      content_filter_results: contentFilterResults(false),
      prompt_filter_results: promptFilterResults(),
    })),
    usage: estimateUsage(request.prompt, request.quality, width * height, images.length),
  };
}

/** A body cut off mid-stream, as a dropped connection behind a proxy delivers it. */
export function truncated(body: Record<string, unknown>): string {
  const text = JSON.stringify(body);
  return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
}

function otherSize(asked: ImageDimensions): ImageDimensions {
  return asked.width === AUTO_SIZE.width && asked.height === AUTO_SIZE.height ? { width: 1536, height: 1024 } : AUTO_SIZE;
}

function otherFormat(asked: OutputFormat): OutputFormat {
  return asked === 'png' ? 'jpeg' : 'png';
}
