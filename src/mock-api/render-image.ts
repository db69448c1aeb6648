import { createCipheriv, createHash } from 'node:crypto';
import sharp from 'sharp';
import type { LocaleCode } from '../locales/registry.js';
import { keepWordsTogether } from '../text-render/keep-words.js';
import { SCRIPT_FONTS, escapeMarkup } from '../text-render/script-fonts.js';
import type { Background, OutputFormat } from './routes/validation.js';
import type { ImageFill } from './types.js';

export interface RenderSpec {
  width: number;
  height: number;
  format: OutputFormat;
  /** 0..100 for jpeg and webp (OpenAI's meaning: 100 = least compression); undefined = 100. */
  compression: number | undefined;
  background: Background;
  /** Prompt and variant index pick the colours, so variants differ and a retry repeats the same image. */
  prompt: string;
  variant: number;
  /** The words to draw (already garbled when that fault applies) in their locale's script; none: no text. */
  text?: { value: string; locale: LocaleCode } | undefined;
  /** An edit's master creative: the text is drawn onto it, scaled to cover the output size. */
  master?: Buffer | undefined;
  /** `noise`: random pixels only (no format compresses them), the same for every prompt of a size. Default flat. */
  fill?: ImageFill | undefined;
}

/** Encoding a 4K image takes up to half a second; retries and repeated prompts hit this cache. */
const CACHE_ENTRIES = 64;

/**
 * Real, decodable images of exactly the asked size and format, showing the asked text: a two-colour
 * gradient derived from the prompt (or the edit's master creative) with the text centred on it in
 * the Noto face of its script, bold, in black or white, whichever contrasts with the background.
 * pango (through sharp) shapes the text, so Devanagari conjuncts and Bengali vowel signs come out as
 * a font renders them. With transparency asked, the gradient is an opaque block on a clear canvas.
 */
export class ImageRenderer {
  private readonly cache = new Map<string, Promise<Buffer>>();

  render(spec: RenderSpec): Promise<Buffer> {
    // Noise (memory benchmarks) is random pixels only, no text, the same for every prompt of a size:
    // one render serves a whole benchmark.
    const noise = spec.fill === 'noise';
    const colour = noise ? NOISE_KEY : colourOf(spec.prompt, spec.variant);
    const master = !noise && spec.master ? createHash('sha256').update(spec.master).digest('hex') : null;
    const key = JSON.stringify([spec.width, spec.height, spec.format, spec.compression, spec.background, colour, noise ? null : (spec.text ?? null), master]);
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

const NOISE_KEY: Colour = { r: -1, g: -1, b: -1 };

interface Colour {
  r: number;
  g: number;
  b: number;
}

function colourOf(prompt: string, variant: number): Colour {
  const digest = createHash('sha256').update(`${variant}\u0000${prompt}`).digest();
  return { r: digest[0] ?? 0, g: digest[1] ?? 0, b: digest[2] ?? 0 };
}

/** Relative luminance (ITU-R BT.709 weights), 0..1. */
function isLight(colour: Colour): boolean {
  return (0.2126 * colour.r + 0.7152 * colour.g + 0.0722 * colour.b) / 255 > 0.5;
}

function hex(colour: Colour): string {
  return `#${[colour.r, colour.g, colour.b].map((value) => Math.round(value).toString(16).padStart(2, '0')).join('')}`;
}

/** The gradient's far end moves away from the text colour, so the contrast only grows across the image. */
function farEnd(colour: Colour): Colour {
  const target = isLight(colour) ? 255 : 0;
  const mix = (value: number): number => value + (target - value) * 0.35;
  return { r: mix(colour.r), g: mix(colour.g), b: mix(colour.b) };
}

function gradientSvg(width: number, height: number, colour: Colour): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">` +
      `<stop offset="0" stop-color="${hex(colour)}"/><stop offset="1" stop-color="${hex(farEnd(colour))}"/></linearGradient></defs>` +
      `<rect width="100%" height="100%" fill="url(#g)"/></svg>`,
  );
}

/** The text as an RGBA layer at most `width` x `height`, pango fitting the font size to the box. */
async function textLayer(text: { value: string; locale: LocaleCode }, width: number, height: number, foreground: string): Promise<Buffer> {
  return sharp({
    text: {
      text: `<span foreground="${foreground}">${escapeMarkup(keepWordsTogether(text.value, text.locale))}</span>`,
      font: `${SCRIPT_FONTS[text.locale]} Bold`,
      width,
      height,
      rgba: true,
      wrap: 'word-char',
      align: 'centre',
    },
  })
    .png()
    .toBuffer();
}

async function encode(spec: RenderSpec, colour: Colour): Promise<Buffer> {
  if (spec.fill === 'noise') return encodeNoise(spec);
  const { width, height } = spec;
  const transparent = spec.background === 'transparent';
  const layers: sharp.OverlayOptions[] = [];
  let image: sharp.Sharp;
  let light = isLight(colour);
  if (spec.master) {
    image = sharp(await sharp(spec.master).resize(width, height, { fit: 'cover' }).ensureAlpha().png().toBuffer());
    if (!transparent) image = image.flatten({ background: colour });
    // A dark band keeps the white text legible on any master, as a designer's text box would.
    const band = { width: Math.round(width * 0.9), height: Math.round(height * 0.4) };
    layers.push({ input: { create: { ...band, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.6 } } }, gravity: 'centre' });
    light = false;
  } else if (transparent) {
    const block = await sharp(gradientSvg(Math.ceil(width / 2), Math.ceil(height / 2), colour))
      .png()
      .toBuffer();
    image = sharp({ create: { width, height, channels: 4, background: { ...colour, alpha: 0 } } });
    layers.push({ input: block, gravity: 'centre' });
  } else {
    image = sharp(gradientSvg(width, height, colour));
  }
  if (spec.text && spec.text.value.trim() !== '') {
    // On a transparent canvas the text sits on the half-size block.
    const box = transparent && !spec.master ? { width: Math.round(width * 0.4), height: Math.round(height * 0.2) } : { width: Math.round(width * 0.8), height: Math.round(height * 0.3) };
    layers.push({ input: await textLayer(spec.text, box.width, box.height, light ? '#111111' : '#ffffff'), gravity: 'centre' });
  }
  if (layers.length > 0) image = sharp(await image.composite(layers).png({ compressionLevel: 1 }).toBuffer());
  if (!transparent) image = image.removeAlpha();
  const quality = spec.compression ?? 100;
  if (spec.format === 'jpeg') return image.jpeg({ quality: Math.max(1, quality) }).toBuffer();
  if (spec.format === 'webp') return image.webp({ quality: Math.max(1, quality) }).toBuffer();
  return image.png().toBuffer();
}

/** Random pixels in the asked size and format; noise does not compress, so PNG's fastest level loses nothing. */
async function encodeNoise(spec: RenderSpec): Promise<Buffer> {
  const { width, height } = spec;
  const image = sharp(noisePixels(width * height * 3, spec), { raw: { width, height, channels: 3 } });
  const quality = spec.compression ?? 100;
  if (spec.format === 'jpeg') return image.jpeg({ quality: Math.max(1, quality) }).toBuffer();
  if (spec.format === 'webp') return image.webp({ quality: Math.max(1, quality) }).toBuffer();
  return image.png({ compressionLevel: 0 }).toBuffer();
}

/** Deterministic random bytes (an AES-CTR keystream keyed by the size): a retry repeats the same image. */
function noisePixels(length: number, spec: Pick<RenderSpec, 'width' | 'height'>): Buffer {
  const key = createHash('sha256').update(`noise\u0000${spec.width}x${spec.height}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}
