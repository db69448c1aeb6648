import { DefaultAzureCredential } from '@azure/identity';
import { BlobServiceClient, RestError, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import { ConfigError } from '../errors/polyglyph-error.js';
import { StorageTimeoutError, storageUnusable } from '../errors/storage-error.js';
import { assertValidMetadata, assertValidTags } from './blob-metadata.js';
import { storageDestination } from './destination.js';
import { publicBlobUrl } from './public-blob-url.js';

export interface UploadOptions {
  contentType: string;
  metadata?: Record<string, string>;
  tags?: Record<string, string>;
}

/** `created`: we wrote it; `exists`: it was already there (a re-run, or another worker won the race). */
export type UploadOutcome = 'created' | 'exists';

export interface StorageSettings {
  storageConnectionString?: string | undefined;
  storageAccountUrl?: string | undefined;
  container: string;
  /** Deadline of one storage operation, the SDK's retries included. Default DEFAULT_STORAGE_TIMEOUT_MS. */
  storageTimeoutMs?: number | undefined;
  /** Tries per operation (the SDK's own retry policy). Default 4, the SDK's. */
  storageMaxTries?: number | undefined;
  /** The data folder (POLYGLYPH_LOCAL_DIR): on this machine it, not the port, tells one embedded Azurite from another (destination.ts). */
  localDir?: string | undefined;
}

/** POLYGLYPH_STORAGE_TIMEOUT_MS's default: two minutes for one operation, a 4K image upload included. */
export const DEFAULT_STORAGE_TIMEOUT_MS = 120_000;

/**
 * The image container. Uploads are create-only (`If-None-Match: *`), so a job that runs twice never
 * overwrites or duplicates an image; the storage SDK retries its own transient failures, so there is
 * no retry loop here.
 *
 * Every operation has a deadline (`storageTimeoutMs`, an AbortSignal): the SDK's `tryTimeoutInMs` only
 * sends the server a `timeout=` query parameter (StorageRetryPolicyV2 in @azure/storage-common 12.x),
 * which cannot end a request to an endpoint that accepts the connection and never answers.
 */
export class BlobStore {
  readonly timeoutMs: number;
  private readonly localDir: string | undefined;

  /** `service`: the account's client, for what only the account can do (user delegation keys). */
  constructor(
    readonly container: ContainerClient,
    readonly service?: BlobServiceClient,
    options: { timeoutMs?: number | undefined; localDir?: string | undefined } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_STORAGE_TIMEOUT_MS;
    this.localDir = options.localDir;
  }

  /** The configured container, or undefined when no storage is configured (a producer that can do without). */
  static ifConfigured(settings: StorageSettings): BlobStore | undefined {
    return settings.storageConnectionString || settings.storageAccountUrl ? BlobStore.fromSettings(settings) : undefined;
  }

  static fromSettings(settings: StorageSettings): BlobStore {
    let service: BlobServiceClient;
    const pipeline: StoragePipelineOptions = { retryOptions: { maxTries: settings.storageMaxTries ?? 4 } };
    if (settings.storageConnectionString) {
      try {
        service = BlobServiceClient.fromConnectionString(settings.storageConnectionString, pipeline);
      } catch (error) {
        throw new ConfigError(`AZURE_STORAGE_CONNECTION_STRING is not a valid connection string (${error instanceof Error ? error.message : String(error)})`, {
          hint: 'copy it from the storage account\'s "Access keys" page, or use AZURE_STORAGE_ACCOUNT_URL with Entra ID',
        });
      }
    } else if (settings.storageAccountUrl) {
      service = new BlobServiceClient(settings.storageAccountUrl, new DefaultAzureCredential(), pipeline);
    } else {
      throw new ConfigError('no blob storage is configured', { hint: 'set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL' });
    }
    return new BlobStore(service.getContainerClient(settings.container), service, { timeoutMs: settings.storageTimeoutMs, localDir: settings.localDir });
  }

  /**
   * Runs one storage operation under this store's deadline (and `stop`, a caller's signal such as
   * SIGTERM). A deadline that passes becomes a StorageTimeoutError naming the operation; an abort by
   * `stop` is rethrown as the SDK's AbortError. For code that calls the ContainerClient itself.
   */
  async call<T>(operation: string, run: (abortSignal: AbortSignal) => Promise<T>, stop?: AbortSignal): Promise<T> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      return await run(stop ? AbortSignal.any([deadline, stop]) : deadline);
    } catch (error) {
      if (deadline.aborted && !stop?.aborted) throw new StorageTimeoutError(operation, this.timeoutMs, { cause: error });
      throw error;
    }
  }

  /**
   * Creates the container when missing: the start-up check of every command that uses storage. Its
   * failures are one-line errors (exit 2) saying what to fix; `stop` ends the wait early (a signal).
   */
  async ensureContainer(options: { stop?: AbortSignal } = {}): Promise<void> {
    try {
      await this.call(`creating container ${this.container.containerName}`, (abortSignal) => this.container.createIfNotExists({ abortSignal }), options.stop);
    } catch (error) {
      if (options.stop?.aborted) throw error;
      throw storageUnusable(error, this.container.url);
    }
  }

  async exists(name: string): Promise<boolean> {
    return this.call(`checking ${name}`, (abortSignal) => this.container.getBlockBlobClient(name).exists({ abortSignal }));
  }

  /** The blob's URL without any SAS the client authenticates with (public-blob-url.ts): safe to store and show. */
  url(name: string): string {
    return publicBlobUrl(this.container.getBlockBlobClient(name).url);
  }

  /** The container's URL, safe to show (no SAS). */
  get displayUrl(): string {
    return publicBlobUrl(this.container.url);
  }

  /** Where the images go, as a short non-secret hash that qualifies job ids (destination.ts). */
  get destination(): string {
    return storageDestination(this.container.url, this.localDir);
  }

  async upload(name: string, body: Buffer, options: UploadOptions): Promise<UploadOutcome> {
    if (options.metadata) assertValidMetadata(options.metadata);
    if (options.tags) assertValidTags(options.tags);
    try {
      await this.call(`uploading ${name}`, (abortSignal) =>
        this.container.getBlockBlobClient(name).uploadData(body, {
          blobHTTPHeaders: { blobContentType: options.contentType },
          ...(options.metadata ? { metadata: options.metadata } : {}),
          ...(options.tags ? { tags: options.tags } : {}),
          conditions: { ifNoneMatch: '*' },
          abortSignal,
        }),
      );
      return 'created';
    } catch (error) {
      if (isAlreadyExists(error)) return 'exists';
      throw error;
    }
  }

  /**
   * Uploads a local file, replacing any blob of that name: for run reports, whose single writer is
   * decided in Redis (a run reopened by `retry` gets a new report under the same name).
   */
  async uploadFile(name: string, path: string, contentType: string): Promise<void> {
    await this.call(`uploading ${name}`, (abortSignal) => this.container.getBlockBlobClient(name).uploadFile(path, { blobHTTPHeaders: { blobContentType: contentType }, abortSignal }));
  }

  async download(name: string): Promise<Buffer> {
    return this.call(`downloading ${name}`, (abortSignal) => this.container.getBlockBlobClient(name).downloadToBuffer(0, undefined, { abortSignal }));
  }

  /** The blob's metadata, or undefined when it does not exist. */
  async metadata(name: string): Promise<Record<string, string> | undefined> {
    try {
      return (await this.call(`reading the properties of ${name}`, (abortSignal) => this.container.getBlockBlobClient(name).getProperties({ abortSignal }))).metadata ?? {};
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Adds to a blob's metadata (Azure replaces the whole set, so the current set is read first). */
  async mergeMetadata(name: string, fields: Record<string, string>): Promise<void> {
    const current = (await this.metadata(name)) ?? {};
    const merged = { ...current, ...fields };
    assertValidMetadata(merged);
    await this.call(`setting the metadata of ${name}`, (abortSignal) => this.container.getBlockBlobClient(name).setMetadata(merged, { abortSignal }));
  }

  /** Writes over any blob of that name: a sidecar that gains the text check's result, a run's contact sheet. */
  async replace(name: string, body: Buffer, contentType: string): Promise<void> {
    await this.call(`uploading ${name}`, (abortSignal) => this.container.getBlockBlobClient(name).uploadData(body, { blobHTTPHeaders: { blobContentType: contentType }, abortSignal }));
  }

  async replaceJson(name: string, value: unknown): Promise<void> {
    await this.replace(name, Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8'), 'application/json; charset=utf-8');
  }

  /** Names (and sizes) of the blobs under a prefix, page by page. */
  async *list(prefix: string): AsyncGenerator<{ name: string; bytes: number }> {
    for await (const blob of this.container.listBlobsFlat({ prefix })) yield { name: blob.name, bytes: blob.properties.contentLength ?? 0 };
  }

  async uploadJson(name: string, value: unknown, options: Omit<UploadOptions, 'contentType'> = {}): Promise<UploadOutcome> {
    return this.upload(name, Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8'), { ...options, contentType: 'application/json; charset=utf-8' });
  }
}

/** 409 BlobAlreadyExists, or 412 when the create-only condition fails. */
function isAlreadyExists(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412);
}
