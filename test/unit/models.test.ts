import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifestDefaults } from '../../src/cli/manifest-defaults.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { checkBudget } from '../../src/cost/budget.js';
import { planManifest } from '../helpers/plan.js';
import { formatPlan } from '../../src/cost/format-plan.js';
import { planOptions } from '../../src/cost/plan-options.js';
import { DEFAULT_PRICE_TABLE } from '../../src/cost/price-table.js';
import { loadDeployments } from '../../src/deployments/deployment-spec.js';
import { checkManifestModelsServed, parseModelList, runModels } from '../../src/deployments/run-models.js';
import { ConfigError, InputError } from '../../src/errors/polyglyph-error.js';
import type { ManifestItem } from '../../src/manifest/manifest-item.js';
import type { ManifestDefaults } from '../../src/manifest/manifest-options.js';
import { readManifest } from '../../src/manifest/read-manifest.js';
import { validateManifest } from '../../src/manifest/validate-manifest.js';
import type { ImageJobData } from '../../src/queue/image-job.js';
import { imageBlobName } from '../../src/storage/blob-name.js';
import { imageTags } from '../../src/storage/image-blob-fields.js';
import { caught } from '../helpers/caught.js';

const DEFAULTS: ManifestDefaults = { size: '1024x1024', quality: 'medium', format: 'png', variants: 1 };
const TWO_MODELS: ManifestDefaults = { ...DEFAULTS, models: ['gpt-image-2', 'MAI-Image-2e'] };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pg-models-'));
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function items(path: string, defaults: ManifestDefaults): Promise<ManifestItem[]> {
  const found: ManifestItem[] = [];
  for await (const event of readManifest(path, defaults)) if (event.type === 'item') found.push(event.item);
  return found;
}

function deploymentsFile(name: string, deployments: unknown[]): Promise<string> {
  return write(name, JSON.stringify({ deployments }));
}

describe('models in the manifest', () => {
  it('reads a model column (several per cell), falls back to --models, and counts images per model', async () => {
    const path = await write('models.csv', 'id,message,locales,model\na,Hello,ja;ko,MAI-Image-2e\nb,Sale,hi,gpt-image-2; MAI-Image-2e\nc,Banner,ja,\n');
    const found = await items(path, TWO_MODELS);
    expect(found.map((item) => item.models)).toEqual([['MAI-Image-2e'], ['gpt-image-2', 'MAI-Image-2e'], ['gpt-image-2', 'MAI-Image-2e']]);
    const summary = await validateManifest(path, TWO_MODELS);
    expect(summary).toMatchObject({ errors: 0, images: 2 + 2 + 2, imagesByLocale: { ja: 3, ko: 1, hi: 2 } });
    expect({ ...summary.modelLines }).toEqual({ 'MAI-Image-2e': 2, 'gpt-image-2': 3 });
    // Without --models a row without a cell names none: the run's default model, as before.
    expect((await items(path, DEFAULTS))[2]!.models).toBeUndefined();
  });

  it('reports bad model names, and what MAI models make of a row, at the cell', async () => {
    const path = await write(
      'mai.csv',
      [
        'id,message,locales,model,size,format,background',
        'a,Hello,ja,gpt image 2!,,,',
        'b,Sale,ja,MAI-Image-2e,1536x1024,jpeg,opaque',
        'c,Both,ja,gpt-image-2;MAI-Image-2e,4096x4096,,',
        'd,Gpt only,ja,gpt-image-2,1536x1024,jpeg,',
      ].join('\n'),
    );
    const summary = await validateManifest(path, DEFAULTS);
    const issues = summary.issues.map((issue) => `${issue.line}:${issue.column} ${issue.severity} ${issue.code}`);
    expect(issues).toEqual([
      '2:12 error invalid-model',
      '3:24 warning size-normalised',
      '3:34 warning format-for-model',
      '3:39 warning parameter-not-sent',
      // gpt-image-2's own warning, then MAI's for the same cell.
      '4:36 warning size-normalised',
      '4:36 warning size-normalised',
    ]);
    expect(summary.issues[1]!.message).toBe("size 1536x1024 is outside MAI-Image-2e's limits (MAI); MAI-Image-2e will be asked for 1248x832");
    expect(summary.issues.filter((issue) => issue.line === 5)).toEqual([]);
  });

  it('refuses a source image for a MAI model (MAI-Image-2 and 2e have no images edits)', async () => {
    const path = await write('edits.csv', 'id,message,locales,model,source_image\na,Hello,ja,MAI-Image-2e,https://example.com/master.png\n');
    const summary = await validateManifest(path, DEFAULTS);
    expect(summary.issues.map((issue) => issue.code)).toContain('edits-not-supported');
  });

  it('parses model lists in any separator, dropping duplicates', () => {
    expect(parseModelList('gpt-image-2, MAI-Image-2e;gpt-image-2 | MAI-Image-2')).toEqual({ models: ['gpt-image-2', 'MAI-Image-2e', 'MAI-Image-2'], invalid: [] });
    expect(parseModelList('ok bad/name').invalid).toEqual(['bad/name']);
  });
});

describe("the run's models and the pool", () => {
  it('takes --models when each is served, and names the model and how to add a deployment when one is not', async () => {
    const file = await deploymentsFile('pool.json', [
      { name: 'gpt', endpoint: 'https://a.openai.azure.com', deployment: 'gpt-image-2', imagesPerMinute: 6, apiKey: 'k' },
      { name: 'mai', endpoint: 'https://b.services.ai.azure.com', deployment: 'mai-prod', model: 'MAI-Image-2e', imagesPerMinute: 10, apiKey: 'k' },
    ]);
    const config = resolveConfig({}, { POLYGLYPH_DEPLOYMENTS_FILE: file, POLYGLYPH_MODELS: 'gpt-image-2,MAI-Image-2e' });
    const specs = loadDeployments(config, {});
    expect(specs.map((spec) => `${spec.name} ${spec.model} ${spec.provider}`)).toEqual(['gpt gpt-image-2 azure-openai', 'mai MAI-Image-2e mai']);
    expect(runModels(config, specs)).toMatchObject({ defaultModel: 'gpt-image-2', named: ['gpt-image-2', 'MAI-Image-2e'] });
    expect(planOptions(config, {})).toMatchObject({ model: 'gpt-image-2', imagesPerMinute: 16, imagesPerMinuteByModel: { 'gpt-image-2': 6, 'MAI-Image-2e': 10 } });

    const missing = resolveConfig({}, { POLYGLYPH_DEPLOYMENTS_FILE: file, POLYGLYPH_MODELS: 'gpt-image-2,MAI-Image-2' });
    const error = caught(() => runModels(missing, specs));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe("no deployment serves model 'MAI-Image-2' (named by --models / POLYGLYPH_MODELS); the deployments serve gpt-image-2, MAI-Image-2e");
    expect((error as ConfigError).hint).toContain('"model": "MAI-Image-2"');
    expect((error as ConfigError).hint).toContain('https://NAME.services.ai.azure.com');

    // Several models and no --models: every row must name its models.
    expect(runModels(resolveConfig({}, { POLYGLYPH_DEPLOYMENTS_FILE: file }), specs)).toMatchObject({ defaultModel: 'gpt-image-2', named: undefined });
    expect(() => checkManifestModelsServed('m.csv', { modelLines: {}, rowsWithoutModel: 2, firstLineWithoutModel: 3 }, specs)).toThrow(
      'the deployments serve several models (gpt-image-2, MAI-Image-2e) and 2 rows of m.csv name none (the first on line 3); nothing was enqueued',
    );
    expect(() => checkManifestModelsServed('m.csv', { modelLines: { 'MAI-Image-2e': 2 }, rowsWithoutModel: 0 }, specs)).not.toThrow();
    const cellError = caught(() => checkManifestModelsServed('m.csv', { modelLines: { 'MAI-Image-9': 4 }, rowsWithoutModel: 0 }, specs));
    expect(cellError).toBeInstanceOf(InputError);
    expect(cellError.message).toContain("no deployment serves model 'MAI-Image-9' (line 4)");
  });

  it('takes a provider from the deployments file or --provider, and refuses deployments of one model that disagree', async () => {
    const forced = await deploymentsFile('forced.json', [{ name: 'img', endpoint: 'https://r.example', model: 'house-model', provider: 'mai', imagesPerMinute: 6 }]);
    expect(loadDeployments(resolveConfig({}, { POLYGLYPH_DEPLOYMENTS_FILE: forced }), {})[0]!.provider).toBe('mai');
    expect(loadDeployments(resolveConfig({}, { AZURE_OPENAI_DEPLOYMENT: 'MAI-Image-2' }), {})[0]!.provider).toBe('mai');
    expect(loadDeployments(resolveConfig({}, { AZURE_OPENAI_DEPLOYMENT: 'mine', POLYGLYPH_PROVIDER: 'mai' }), {})[0]!.provider).toBe('mai');
    expect(() => resolveConfig({}, { POLYGLYPH_PROVIDER: 'dall-e' })).toThrow(/POLYGLYPH_PROVIDER \(--provider\): expected azure-openai or mai/);
    const clash = await deploymentsFile('clash.json', [
      { name: 'a', endpoint: 'https://a.example', model: 'x', provider: 'mai', imagesPerMinute: 6 },
      { name: 'b', endpoint: 'https://b.example', model: 'x', imagesPerMinute: 6 },
    ]);
    const config = resolveConfig({}, { POLYGLYPH_DEPLOYMENTS_FILE: clash });
    expect(() => runModels(config, loadDeployments(config, {}))).toThrow(/disagree on its provider/);
  });

  it("puts MAI-only manifest defaults through MAI's rules with one warning each", () => {
    const warnings: string[] = [];
    const defaults = manifestDefaults(resolveConfig({}, { POLYGLYPH_MODELS: 'MAI-Image-2e', POLYGLYPH_SIZE: '4096x4096', POLYGLYPH_FORMAT: 'jpeg' }), { warn: (message) => warnings.push(message) });
    expect(defaults).toMatchObject({ models: ['MAI-Image-2e'], defaultModel: 'MAI-Image-2e' });
    // gpt-image-2's rules do not concern a MAI-only run; MAI's do.
    expect(warnings).toEqual([
      expect.stringContaining("--size / POLYGLYPH_SIZE: size 4096x4096 is outside MAI-Image-2e's limits (MAI); MAI-Image-2e will be asked for 1024x1024") as unknown as string,
      expect.stringContaining('--format / POLYGLYPH_FORMAT: MAI-Image-2e returns PNG only') as unknown as string,
    ]);
  });
});

describe('cost of a run of two models', () => {
  it('prices the model with a price, says there is none for MAI, and cannot pass a budget', async () => {
    const path = await write('plan.csv', 'id,message,locales\na,Hello,ja;ko\nb,Sale,hi\n');
    const plan = await planManifest(path, TWO_MODELS, { model: 'gpt-image-2', table: DEFAULT_PRICE_TABLE, imagesPerMinute: 12, imagesPerMinuteByModel: { 'gpt-image-2': 6, 'MAI-Image-2e': 6 } });
    expect(plan).toMatchObject({ images: 6, model: 'gpt-image-2, MAI-Image-2e', costMicros: 3 * 53_000, unpricedModels: ['MAI-Image-2e'], durationMs: 30_000 });
    expect(plan.byModel).toEqual([
      { model: 'gpt-image-2', images: 3, costMicros: 159_000, imagesPerMinute: 6, durationMs: 30_000 },
      { model: 'MAI-Image-2e', images: 3, costMicros: undefined, imagesPerMinute: 6, durationMs: 30_000 },
    ]);
    expect(formatPlan(plan)).toBe(
      'plan: 6 images on gpt-image-2, MAI-Image-2e (ja 2, ko 2, hi 2); gpt-image-2 3, MAI-Image-2e 3\n' +
        "estimated cost: $0.159 for gpt-image-2; MAI-Image-2e unknown: no price for model MAI-Image-2e; add it with --price-file; OpenAI's list prices (Azure publishes none for gpt-image-2), prompt tokens not included\n" +
        'estimated duration: 30 s (gpt-image-2 3 images at 6/min, MAI-Image-2e 3 images at 6/min)\n',
    );
    const error = caught(() => checkBudget(plan, 100));
    expect(error.message).toBe('cannot check --max-cost $100.00: no price for model MAI-Image-2e; add it with --price-file');
  });
});

describe('blob names and tags per model', () => {
  const data = { campaign: 'spring', locale: 'ja', messageId: 'hero', inputSha256: 'ab'.repeat(32), variant: 1, format: 'png', model: 'MAI-Image-2e' } as const;

  it('puts images of runs that name their models under a model folder, and keeps the old name otherwise', () => {
    expect(imageBlobName({ ...data, modelInBlobName: true })).toBe(`spring/ja/hero/mai-image-2e/${'ab'.repeat(8)}-v1.png`);
    expect(imageBlobName(data)).toBe(`spring/ja/hero/${'ab'.repeat(8)}-v1.png`);
  });

  it('tags every image with its model', () => {
    expect(imageTags({ locale: 'ja', campaign: 'spring', messageId: 'hero', runId: 'r1', model: 'MAI-Image-2e' } as ImageJobData)).toEqual({
      locale: 'ja',
      campaign: 'spring',
      messageid: 'hero',
      runid: 'r1',
      model: 'MAI-Image-2e',
    });
  });
});
