import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** This process's secret, for a worker without a data folder to keep one in. */
const PROCESS_SECRET = randomBytes(32);

/** The file in the data folder (POLYGLYPH_LOCAL_DIR) that keeps the secret, readable by its owner only. */
export const FINGERPRINT_SECRET_FILE = 'fingerprint.key';

/**
 * The key of configFingerprint's HMAC (unusable-note.ts). Kept in the data folder when it exists, so
 * every worker on this machine compares the same fingerprints (a restarted worker with the same
 * refused key keeps the hold); created there with mode 0600 on first use. Without a data folder (a
 * worker configured wholly by settings) or where it cannot be written, a per-process secret: a
 * worker then cannot tell its configuration from another process's and tries a held deployment once.
 * Never in Redis: whoever reads the note must not hold the key to test guesses against it.
 */
export async function loadFingerprintSecret(dir: string | undefined): Promise<Buffer> {
  if (!dir) return PROCESS_SECRET;
  const file = join(dir, FINGERPRINT_SECRET_FILE);
  try {
    await writeFile(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    // EEXIST: made before (or by a worker starting beside this one); anything else: no folder or read-only.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return PROCESS_SECRET;
  }
  try {
    const secret = Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
    return secret.length >= 32 ? secret : PROCESS_SECRET;
  } catch {
    return PROCESS_SECRET;
  }
}

/** For code that builds a pool without loading the data folder's secret (tests, tools). */
export function processFingerprintSecret(): Buffer {
  return PROCESS_SECRET;
}
