import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { Background, OutputFormat } from './routes/validation.js';

export interface RenderSpec {
  width: number;
  height: number;
  format: OutputFormat;
  /** 0..100 for jpeg and webp (OpenAI's meaning: 100 = least compression); undefined = 100. */
  compression: number | undefined;
  background: Background;
  /** Prompt and variant index pick the colour, so variants differ and a retry repeats the same image. */
  prompt: string;
  variant: number;
}

/** Encoding a 4K image takes up to half a second; retries and repeated prompts hit this cache. */
const CACHE_ENTRIES = 64;

/**
 * Real, decodable images of exactly the asked size and format. A flat colour (with an opaque block
 * on a transparent canvas when transparency was asked) keeps even 4K outputs small and quick.
 */
export class ImageRenderer {
  private readonly cache = new Map<string, Promise<Buffer>>();

  render(spec: RenderSpec): Promise<Buffer> {
    const colour = colourOf(spec.prompt, spec.variant);
    const key = JSON.stringify([spec.width, spec.height, spec.format, spec.compression, spec.background, colour]);
    const cached = this.cache.get(key);
    if (cached) {
      // Map keeps insertion order: re-inserting marks the entry as recently used.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const rendering = encode(spec, colour);
    // A failed render must not be served from the cache forever.
    void rendering.catch(() => this.cache.delete(key));
    this.cache.set(key, rendering);
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    return rendering;
  }
}

interface Colour {
  r: number;
  g: number;
  b: number;
}

function colourOf(prompt: string, variant: number): Colour {
  const digest = createHash('sha256').update(`${variant}\u0000${prompt}`).digest();
  return { r: digest[0] ?? 0, g: digest[1] ?? 0, b: digest[2] ?? 0 };
}

async function encode(spec: RenderSpec, colour: Colour): Promise<Buffer> {
  const { width, height } = spec;
  const transparent = spec.background === 'transparent';
  let image = sharp({ create: { width, height, channels: transparent ? 4 : 3, background: transparent ? { ...colour, alpha: 0 } : colour } });
  if (transparent) {
    const block = await sharp({ create: { width: Math.ceil(width / 2), height: Math.ceil(height / 2), channels: 4, background: { ...colour, alpha: 1 } } }).png().toBuffer();
    image = image.composite([{ input: block, gravity: 'centre' }]);
  }
  const quality = spec.compression ?? 100;
  if (spec.format === 'jpeg') return image.jpeg({ quality: Math.max(1, quality) }).toBuffer();
  if (spec.format === 'webp') return image.webp({ quality: Math.max(1, quality) }).toBuffer();
  return image.png().toBuffer();
}
