import { open } from 'node:fs/promises';

/** How much of the file's start is looked at. */
const SAMPLE_BYTES = 4096;

export type Utf16Encoding = 'UTF-16LE' | 'UTF-16BE';

/**
 * Whether a manifest is UTF-16 (what Excel's "Unicode Text" and PowerShell 5's `Out-File` save):
 * a byte order mark FF FE or FE FF, or, without one, NUL bytes in a quarter of its first bytes (a
 * UTF-8 CSV has none; text in UTF-16 has one in every other byte for Latin letters, digits and
 * commas). Read as UTF-8 such a file turns into garbled column names; saying what it is gives the
 * user the fix. Returns the byte order found, or undefined for anything else.
 */
export async function detectUtf16(path: string): Promise<{ encoding: Utf16Encoding; bom: boolean } | undefined> {
  const file = await open(path, 'r');
  let sample: Buffer;
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await file.read(buffer, 0, SAMPLE_BYTES, 0);
    sample = buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
  if (sample[0] === 0xff && sample[1] === 0xfe) return { encoding: 'UTF-16LE', bom: true };
  if (sample[0] === 0xfe && sample[1] === 0xff) return { encoding: 'UTF-16BE', bom: true };
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] === 0) {
      if (i % 2 === 0) evenNuls++;
      else oddNuls++;
    }
  }
  if (sample.length < 4 || (evenNuls + oddNuls) * 4 < sample.length) return undefined;
  // ASCII in UTF-16LE is the character then NUL (NULs at odd offsets); in UTF-16BE, NUL first.
  return { encoding: oddNuls >= evenNuls ? 'UTF-16LE' : 'UTF-16BE', bom: false };
}
