import sharp from 'sharp';

/**
 * The pages Tesseract is given, one way per pass (tesseract-reader.ts). Every way starts grey, scaled
 * to at most `maxEdgePx`, inverted when mostly dark (Tesseract reads dark text on a light page best;
 * marketing images often carry light text on a dark ground) and stretched to full contrast.
 */

/** Pass 0: the whole page, black and white (measured: halved the worst good-image error rate; strokes merge less). */
export async function wholePage(image: Buffer, maxEdgePx: number): Promise<Buffer> {
  return (await contrastGrey(image, maxEdgePx)).threshold(128).png({ compressionLevel: 1 }).toBuffer();
}

/**
 * Pass 1: the text lines one by one. The ink's bounding box is cut out, split into lines where blank
 * rows separate them, and each line padded with white on every side. What it mends (measured on the
 * stand-in's images): marks from the background beside the text read as extra characters, and a
 * line Tesseract's page layout broke into fragments or dropped.
 */
export async function textLines(image: Buffer, maxEdgePx: number): Promise<Buffer[]> {
  const page = await (await contrastGrey(image, maxEdgePx)).threshold(128).raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = page.info;
  const ink = (x: number, y: number): boolean => page.data[(y * width + x) * channels]! < 128;
  const rowInk: number[] = [];
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y += 1) {
    let count = 0;
    for (let x = 0; x < width; x += 1) {
      if (!ink(x, y)) continue;
      count += 1;
      if (x < left) left = x;
      if (x > right) right = x;
    }
    rowInk.push(count);
  }
  if (right < left) return [];
  // A line: a run of rows with ink; runs closer than MIN_GAP rows are one line (a vowel sign, a dot).
  const minGap = Math.max(3, Math.round(height / 100));
  const lines: Array<[number, number]> = [];
  for (let y = 0; y < height; y += 1) {
    if (rowInk[y] === 0) continue;
    const last = lines.at(-1);
    if (last && y - last[1] <= minGap) last[1] = y;
    else lines.push([y, y]);
  }
  const tall = lines.filter(([top, bottom]) => bottom - top + 1 >= Math.max(8, height / 60));
  const bytes = Buffer.from(page.data);
  return Promise.all(
    tall.map(([top, bottom]) => {
      const pad = Math.round((bottom - top + 1) * 0.3) + 8;
      return sharp(bytes, { raw: page.info })
        .extract({ left, top, width: right - left + 1, height: bottom - top + 1 })
        .extend({ top: pad, bottom: pad, left: pad, right: pad, background: '#ffffff' })
        .png({ compressionLevel: 1 })
        .toBuffer();
    }),
  );
}

/** Pass 2: the whole page in grey, not thresholded (thin strokes a threshold breaks stay whole). */
export async function greyPage(image: Buffer, maxEdgePx: number): Promise<Buffer> {
  return (await contrastGrey(image, maxEdgePx)).png({ compressionLevel: 1 }).toBuffer();
}

async function contrastGrey(image: Buffer, maxEdgePx: number): Promise<sharp.Sharp> {
  const { data, info } = await sharp(image)
    .flatten({ background: '#ffffff' })
    .greyscale()
    .resize(maxEdgePx, maxEdgePx, { fit: 'inside', withoutEnlargement: true })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // The mean of the grey pixels themselves: a mostly dark page is the background, the text is light.
  let sum = 0;
  for (let index = 0; index < data.length; index += info.channels) sum += data[index]!;
  const grey = sharp(data, { raw: info });
  return (sum / (data.length / info.channels) < 128 ? grey.negate({ alpha: false }) : grey).normalise();
}
