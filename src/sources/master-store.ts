import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { BlobClient } from '@azure/storage-blob';
import type { BlobStore } from '../storage/blob-store.js';
import type { RedisClient } from '../redis/connection.js';
import { InputError } from '../errors/polyglyph-error.js';
import { MASTER_HINT, masterBytesProblem } from '../images/azure-request-rules.js';
import { CONTENT_TYPES } from '../images/image-options.js';
import { inspectImage } from '../images/verify-image.js';
import type { SourceImage } from '../image-api/types.js';
import type { SourceRef } from './source-ref.js';
import { displaySource, sourceKey } from './source-ref.js';
import { describeError } from '../errors/describe-error.js';
import { publicBlobUrl } from '../storage/public-blob-url.js';

/** What a job carries of its master: the bytes stay in RedisClient, fetched once per run. */
export interface MasterInfo {
  /**
   * The manifest's reference (URL without its query, or absolute path), for messages. Never the SAS
   * of a signed URL: this travels in job data (Redis, Bull Board), and the worker needs no URL, it
   * reads the bytes the producer stored under `sha256`.
   */
  ref: string;
  sha256: string;
  contentType: string;
  filename: string;
}

/** Masters outlive their runs for a while so `retry` finds them. */
const MASTER_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Master creatives for images edits. The producer fetches each master once per run (whatever the
 * number of locales or rows using it) and keeps the bytes in Redis under their sha256; workers read
 * them from there, so a run localizing one master into six languages downloads it once.
 */
export class MasterStore {
  readonly #redis: RedisClient;
  readonly #keyBase: string;
  readonly #fetch: typeof fetch;
  readonly #storage: BlobStore | undefined;
  /** Per producer (one run): ref -> info, so a master is fetched once. */
  readonly #fetched = new Map<string, Promise<MasterInfo>>();
  /** Per worker: a few recent masters, so consecutive locales of one master skip Redis too. */
  readonly #recent = new Map<string, Buffer>();

  /**
   * `storage`: blob URLs on its account are read with its credentials (no SAS needed), under its
   * deadline (POLYGLYPH_STORAGE_TIMEOUT_MS), as every other storage call is.
   */
  constructor(redis: RedisClient, keyBase: string, options: { fetch?: typeof fetch; storage?: BlobStore | undefined } = {}) {
    this.#redis = redis;
    this.#keyBase = keyBase;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#storage = options.storage;
  }

  /** Fetches the master (once per ref), checks it is an image, stores it; `line` names the row on error. */
  resolve(ref: SourceRef, line: number): Promise<MasterInfo> {
    const key = sourceKey(ref);
    let pending = this.#fetched.get(key);
    if (!pending) {
      pending = this.#load(ref, line);
      this.#fetched.set(key, pending);
    }
    return pending;
  }

  async get(info: MasterInfo): Promise<SourceImage | undefined> {
    let bytes = this.#recent.get(info.sha256);
    if (!bytes) {
      bytes = (await this.#redis.getBuffer(this.#key(info.sha256))) ?? undefined;
      if (!bytes) return undefined;
      this.#recent.set(info.sha256, bytes);
      if (this.#recent.size > 4) this.#recent.delete(this.#recent.keys().next().value!);
    }
    return { bytes, contentType: info.contentType, filename: info.filename };
  }

  async #load(ref: SourceRef, line: number): Promise<MasterInfo> {
    const key = displaySource(ref);
    let bytes: Buffer;
    try {
      bytes = ref.kind === 'file' ? await readFile(ref.path) : await this.#download(ref.url);
    } catch (error) {
      // describeError: a storage RestError can quote the request URL, SAS included.
      throw new InputError(`line ${line}: cannot read the source image ${key}: ${describeError(error)}`, {
        hint: 'check the source_image cell: a readable local path, an https URL, or a blob URL with a SAS token',
      });
    }
    // Azure's edits take PNG or JPEG under 25 MB (azure-request-rules.ts): refused before any request.
    const problem = masterBytesProblem(bytes);
    if (problem) throw new InputError(`line ${line}: the source image ${key} ${problem}`, { hint: MASTER_HINT });
    const facts = inspectImage(bytes);
    if (typeof facts === 'string') throw new InputError(`line ${line}: the source image ${key} is not a readable png or jpeg image (${facts})`, { hint: MASTER_HINT });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.#redis.set(this.#key(sha256), bytes, 'PX', MASTER_TTL_MS);
    const name = ref.kind === 'file' ? basename(ref.path) : basename(new URL(ref.url).pathname) || 'master';
    return { ref: key, sha256, contentType: CONTENT_TYPES[facts.format], filename: name };
  }

  async #download(url: string): Promise<Buffer> {
    // The account's URL is the container's without its last segment (Azurite puts the account in the path).
    const container = this.#storage?.container;
    const storageUrl = container ? new URL(container.url) : undefined;
    const account = storageUrl && `${storageUrl.origin}${storageUrl.pathname}`.replace(/\/[^/]+\/?$/, '/');
    if (this.#storage && container && storageUrl && account && url.startsWith(account)) {
      // Storage configured with a SAS connection string: the client's URLs carry it (an account SAS
      // reads any container); a URL that brings its own SAS keeps it.
      const signed = new URL(url).search === '' && storageUrl.search !== '' ? `${url}${storageUrl.search}` : url;
      // The store's deadline: an account that accepts the connection and never answers would hold the producer forever.
      return this.#storage.call(`downloading the source image ${publicBlobUrl(url)}`, (abortSignal) => new BlobClient(signed, container.credential).downloadToBuffer(0, undefined, { abortSignal }));
    }
    const response = await this.#fetch(url, { signal: AbortSignal.timeout(60_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  #key(sha256: string): string {
    return `${this.#keyBase}:master:${sha256}`;
  }
}
