/**
 * Fans a manifest row out per model: one job per (message, locale, model). Each model gets the row as
 * its own rules take it (itemForModel); everything else, the prompt included, is itemJobs' as before.
 *
 * The model is part of every image's identity (imageInputSha256), so two models' images never share a
 * hash. Blob names: a row whose models the run names (`--models` or a `model` cell) puts each image
 * under a model folder, `<campaign>/<locale>/<id>/<model>/<hash16>-v1.png`, so models' images sit side
 * by side; a row that names none (the run's default model, as every run did before) keeps
 * `<campaign>/<locale>/<id>/<hash16>-v1.png`, so existing runs keep their names and re-runs skip.
 * The worker finds an image under either name (find-stored-image.ts), so switching between the two
 * never pays for an image again.
 */
import { providerOf, type ModelProviders } from '../image-api/provider.js';
import { resolveSizeFor } from '../images/model-size.js';
import type { ManifestItem } from '../manifest/manifest-item.js';
import { itemJobs, type JobContext, type PlannedJob } from './item-jobs.js';

/** The jobs of one row: per model (its models, else the context's), per locale. */
export function modelItemJobs(item: ManifestItem, context: JobContext, providers?: ModelProviders): PlannedJob[] {
  if (!item.models) return itemJobs(itemForModel(item, context.model, providers), context);
  return item.models.flatMap((model) => itemJobs(itemForModel(item, model, providers), { ...context, model }).map((job) => ({ ...job, data: { ...job.data, modelInBlobName: true as const } })));
}

/**
 * The row as `model` takes it. Azure OpenAI models: unchanged (the same jobs, hashes and names as
 * before models could be named). MAI models: the size resolved by MAI's rules from what the row asked
 * for, png (MAI returns nothing else), and no compression, background or moderation (MAI takes none).
 */
export function itemForModel(item: ManifestItem, model: string, providers?: ModelProviders): ManifestItem {
  if (providerOf(model, providers) !== 'mai') return item;
  const size = resolveSizeFor(item.requestedSize, 'mai');
  // The row's size was valid when it was read; MAI's rules normalise every valid size.
  if (!size.ok) throw new Error(`line ${item.line}: size ${item.requestedSize} has no MAI size`);
  const { compression: _compression, background: _background, moderation: _moderation, ...rest } = item;
  return { ...rest, size: size.size, format: 'png' };
}
