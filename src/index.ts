/**
 * Polyglyph as a library: importing it starts nothing (no connection, no server, no timer). The CLI
 * (`polyglyph`) is built from these parts; so can a program that embeds the pipeline.
 */
export { resolveConfig, type FlagValues } from './config/resolve-config.js';
export { SETTINGS, type Config, type Setting, type SettingName } from './config/settings.js';
export { validateManifest, type ManifestSummary } from './manifest/validate-manifest.js';
export { readManifest, type ManifestEvent } from './manifest/read-manifest.js';
export { enqueueManifest, ManifestInvalidError, type EnqueueManifestOptions, type EnqueueResult } from './queue/enqueue-manifest.js';
export { openRuntime, openWorkerRuntime, type Runtime, type WorkerRuntime } from './runtime/runtime.js';
export { createImageApi, type ImageApiSettings } from './image-api/create-image-api.js';
export { AzureImageClient, type AzureImageClientOptions } from './image-api/azure-image-client.js';
export type { ImageApi, ImageGeneration, ImageRequest, ImageUsage } from './image-api/types.js';
export * from './errors/api-error.js';
export { PolyglyphError, ConfigError, InputError, ServiceUnavailableError } from './errors/polyglyph-error.js';
export { BlobStore, type StorageSettings } from './storage/blob-store.js';
export { RunStore, isRunComplete, type RunRecord } from './runs/run-store.js';
export { createMockImageApi, type MockImageApi, type MockImageApiOptions } from './mock-api/server.js';
