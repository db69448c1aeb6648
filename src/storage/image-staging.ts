import type { RedisClient } from '../redis/connection.js';
import type { GeneratedImage, ImageUsage } from '../image-api/types.js';

/** What is known of a generated image besides its bytes, for the sidecar and the report. */
export interface StagedFacts {
  deployment: string;
  requestId: string | undefined;
  usage: ImageUsage | undefined;
  generateMs: number;
  startedAt: number;
}

export interface StagedImage {
  image: GeneratedImage;
  facts: StagedFacts;
}

/** Long enough to outlast any storage outage a run should ride out; `retry` finds them within it. */
const STAGING_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Generated images waiting for their upload, kept in RedisClient (durable with AOF, shared by every
 * worker) under the blob name they are going to. An image is paid for when it is generated; if the
 * upload then fails or the worker dies, whichever worker retries the job uploads these bytes instead
 * of generating (and paying) again. Dropped once the blob exists.
 */
export class ImageStaging {
  readonly #redis: RedisClient;
  readonly #keyBase: string;

  constructor(redis: RedisClient, keyBase: string) {
    this.#redis = redis;
    this.#keyBase = keyBase;
  }

  async put(blobName: string, staged: StagedImage): Promise<void> {
    const { bytes, ...image } = staged.image;
    const key = this.#key(blobName);
    // Header, then the bytes appended in the same transaction: the same value as one SET of both,
    // without first copying a 25 MB image into a new buffer (the Redis client copies it once more).
    const results = await this.#redis
      .multi()
      .set(key, encodeHeader({ image, facts: staged.facts }), 'PX', STAGING_TTL_MS)
      .append(key, bytes)
      .exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (!results || failed) throw failed ?? new Error(`staging ${blobName}: the Redis transaction was discarded`);
  }

  async get(blobName: string): Promise<StagedImage | undefined> {
    const value = await this.#redis.getBuffer(this.#key(blobName));
    return value ? decode(value) : undefined;
  }

  async drop(blobName: string): Promise<void> {
    await this.#redis.del(this.#key(blobName));
  }

  #key(blobName: string): string {
    return `${this.#keyBase}:staged:${blobName}`;
  }
}

/** One value per image: a 4-byte header length, the JSON header, then the raw bytes (no base64 bloat). This is its start. */
function encodeHeader(header: { image: Omit<GeneratedImage, 'bytes'>; facts: StagedFacts }): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([length, json]);
}

function decode(value: Buffer): StagedImage {
  const length = value.readUInt32BE(0);
  const header = JSON.parse(value.subarray(4, 4 + length).toString('utf8')) as { image: Omit<GeneratedImage, 'bytes'>; facts: StagedFacts };
  return { image: { ...header.image, bytes: value.subarray(4 + length) }, facts: header.facts };
}
