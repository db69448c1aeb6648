/**
 * A generations answer carries each image as base64 in `data[].b64_json`: a 25 MB PNG is a 33 MB
 * string. Read as text and parsed, that image exists twice more as JavaScript strings (the body, then
 * the parsed value) before it is decoded, and those strings stay in the heap until a full garbage
 * collection: with many big images in flight that garbage, not the images, is what fills a worker.
 * So the body is read as bytes, each image is decoded straight from them, and only the rest of the
 * body (without the images) is parsed as JSON; the value left in `b64_json` names the decoded image.
 */
export interface InlineImages {
  /** The body as text, each `b64_json` value replaced by a reference (`#image:<index>`). */
  text: string;
  images: Buffer[];
}

const KEY = Buffer.from('"b64_json"');
const REFERENCE = /^#image:(\d+)$/;

/**
 * Splits the images out of a JSON body. A body whose base64 holds anything but the base64 alphabet
 * (and JSON's `\/`) is left whole (`images` empty): the ordinary parse then sees it as it is.
 */
export function splitInlineImages(body: Buffer): InlineImages {
  const pieces: Buffer[] = [];
  const images: Buffer[] = [];
  let copiedUpTo = 0;
  let from = 0;
  for (;;) {
    const at = body.indexOf(KEY, from);
    if (at === -1) break;
    from = at + KEY.length;
    // Only a key: `"b64_json"` then `:` then a string. Inside another string its quotes would be escaped.
    let index = skipSpace(body, at + KEY.length);
    if (body[index] !== 0x3a /* : */) continue;
    index = skipSpace(body, index + 1);
    if (body[index] !== 0x22 /* " */) continue;
    const start = index + 1;
    const end = body.indexOf(0x22, start);
    if (end === -1) break;
    const decoded = decodeBase64(body, start, end);
    if (decoded === undefined) return { text: body.toString('utf8'), images: [] };
    pieces.push(body.subarray(copiedUpTo, start), Buffer.from(`#image:${images.length}`));
    images.push(decoded);
    copiedUpTo = end;
    from = end + 1;
  }
  if (images.length === 0) return { text: body.toString('utf8'), images };
  pieces.push(body.subarray(copiedUpTo));
  return { text: Buffer.concat(pieces).toString('utf8'), images };
}

/** The bytes a `b64_json` value stands for: an image split out by splitInlineImages, or base64 to decode. */
export function inlineImageBytes(b64: string, images: readonly Buffer[]): Buffer {
  const reference = REFERENCE.exec(b64);
  const image = reference ? images[Number(reference[1])] : undefined;
  return image ?? Buffer.from(b64, 'base64');
}

function skipSpace(body: Buffer, index: number): number {
  while (index < body.length && (body[index] === 0x20 || body[index] === 0x0a || body[index] === 0x0d || body[index] === 0x09)) index += 1;
  return index;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUES = new Int8Array(256).fill(-1);
for (const [value, char] of [...ALPHABET].entries()) VALUES[char.charCodeAt(0)] = value;

/** Decodes base64 bytes in [start, end) into a new buffer; undefined for a character outside it. */
function decodeBase64(body: Buffer, start: number, end: number): Buffer | undefined {
  const out = Buffer.allocUnsafe(Math.floor(((end - start) * 3) / 4) + 3);
  let length = 0;
  let bits = 0;
  let count = 0;
  for (let index = start; index < end; index += 1) {
    const char = body[index]!;
    if (char === 0x3d /* = */) break;
    // JSON may escape '/' as '\/'.
    if (char === 0x5c /* \ */ && body[index + 1] === 0x2f) continue;
    const value = VALUES[char]!;
    if (value < 0) return undefined;
    bits = (bits << 6) | value;
    count += 1;
    if (count === 4) {
      out[length++] = (bits >> 16) & 0xff;
      out[length++] = (bits >> 8) & 0xff;
      out[length++] = bits & 0xff;
      bits = 0;
      count = 0;
    }
  }
  if (count === 1) return undefined;
  if (count === 2) out[length++] = (bits >> 4) & 0xff;
  if (count === 3) {
    out[length++] = (bits >> 10) & 0xff;
    out[length++] = (bits >> 2) & 0xff;
  }
  return out.subarray(0, length);
}
