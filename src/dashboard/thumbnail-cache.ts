import sharp from 'sharp';

/** Longest edge of a gallery thumbnail, in pixels. */
export const THUMBNAIL_EDGE_PX = 320;

/**
 * Thumbnails made with sharp (WebP, at most THUMBNAIL_EDGE_PX on the long edge), kept in memory by
 * blob name. Blob names derive from the inputs and uploads are create-only, so a name's bytes never
 * change and an entry never goes stale; the oldest entries leave past `maxEntries` (a Map keeps
 * insertion order; a hit moves the entry to the end).
 */
export class ThumbnailCache {
  private readonly entries = new Map<string, Buffer>();

  constructor(private readonly maxEntries = 500) {}

  async get(blobName: string, load: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.entries.get(blobName);
    if (hit) {
      this.entries.delete(blobName);
      this.entries.set(blobName, hit);
      return hit;
    }
    const thumbnail = await sharp(await load())
      .resize({ width: THUMBNAIL_EDGE_PX, height: THUMBNAIL_EDGE_PX, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    this.entries.set(blobName, thumbnail);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return thumbnail;
  }

  get size(): number {
    return this.entries.size;
  }
}
