import type { ImageRequest } from '../image-api/types.js';

/**
 * Bytes a worker process may hold for images at once (POLYGLYPH_MEMORY_BUDGET_MB). Concurrency counts
 * requests, not bytes: sixteen 4K PNGs in flight hold over a gigabyte (each arrives as base64 text,
 * is parsed, decoded, staged and uploaded), sixteen 1024x1024 ones a fraction of it. A job reserves
 * what its images may take before it asks for them and gives it back once they are stored; jobs
 * that do not fit wait their turn, in order. A reservation larger than the whole budget is granted
 * when nothing else is held, so no job waits forever.
 */
export class MemoryBudget {
  readonly capacityBytes: number;
  #heldBytes = 0;
  readonly #waiting: Array<{ bytes: number; grant: () => void }> = [];

  /** `capacityBytes` 0: no budget (every reservation is granted at once). */
  constructor(capacityBytes: number) {
    this.capacityBytes = capacityBytes;
  }

  static fromMegabytes(megabytes: number): MemoryBudget {
    return new MemoryBudget(megabytes * 1024 * 1024);
  }

  /** Bytes reserved now. */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Resolves once `bytes` fit, with the function that gives them back (calling it twice is harmless). */
  async reserve(bytes: number): Promise<() => void> {
    if (this.capacityBytes <= 0) return () => {};
    if (this.#waiting.length > 0 || !this.#fits(bytes)) {
      await new Promise<void>((grant) => this.#waiting.push({ bytes, grant }));
    } else {
      this.#heldBytes += bytes;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#heldBytes -= bytes;
      this.#grantWaiting();
    };
  }

  #fits(bytes: number): boolean {
    return this.#heldBytes === 0 || this.#heldBytes + bytes <= this.capacityBytes;
  }

  #grantWaiting(): void {
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0]!.bytes)) {
      const next = this.#waiting.shift()!;
      this.#heldBytes += next.bytes;
      next.grant();
    }
  }
}

/**
 * Memory one image of `request` may take in a worker, at most: the encoded image is at most its raw
 * pixels (3 bytes each, 4 with transparency; noise is the worst case, which no format compresses), and
 * while it arrives it exists about four times over (the answer's text, the parsed base64 string, the
 * decoded bytes, the copy the Redis client writes when staging it). `auto` is the largest size it may
 * choose (1536x1024).
 */
export function imageMemoryBytes(request: Pick<ImageRequest, 'size' | 'background'>): number {
  const match = /^(\d+)x(\d+)$/.exec(request.size);
  const pixels = match ? Number(match[1]) * Number(match[2]) : 1536 * 1024;
  const bytesPerPixel = request.background === 'transparent' ? 4 : 3;
  return pixels * bytesPerPixel * COPIES_WHILE_RECEIVED;
}

const COPIES_WHILE_RECEIVED = 4;
