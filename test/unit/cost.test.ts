import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { checkBudget } from '../../src/cost/budget.js';
import { durationAtQuotaMs, formatDuration } from '../../src/cost/duration.js';
import type { ManifestPlan } from '../../src/cost/estimate.js';
import { planManifest } from '../helpers/plan.js';
import { formatPlan } from '../../src/cost/format-plan.js';
import { formatUsd } from '../../src/cost/money.js';
import { planOptions } from '../../src/cost/plan-options.js';
import { loadPriceTable } from '../../src/cost/price-file.js';
import { DEFAULT_PRICE_TABLE, imagePriceMicros } from '../../src/cost/price-table.js';
import { usageCostMicros } from '../../src/cost/usage-cost.js';
import { ConfigError, InputError } from '../../src/errors/polyglyph-error.js';
import type { ManifestDefaults } from '../../src/manifest/manifest-options.js';
import { caught } from '../helpers/caught.js';

// Rows with no size, quality or variants get these: 1024x1536 medium, 2 variants.
const DEFAULTS: ManifestDefaults = { size: '1024x1536', quality: 'medium', format: 'png', variants: 2 };

/*
 * gpt-image-2 list prices per 1024x1024 image: low $0.006, medium $0.053, high $0.211 (6,000 /
 * 53,000 / 211,000 micro-dollars); other sizes scale with pixels / 1,048,576. By hand:
 *   a  ja;ko       1024x1024 low    x1  ->  6,000 each
 *   b  hi          1536x1024 medium x3  ->  1.5 x 53,000 = 79,500; x3 = 238,500
 *   c  ja;zh-Hans  1280x720  high   x2  ->  921,600 / 1,048,576 = 0.87890625; x 211,000 = 185,449.22 -> 185,449; x2 = 370,898 each
 *   d  bn          auto      auto   x1  ->  priced as 1024x1024 high = 211,000
 *   e  ko          (default 1024x1536 medium x2) -> 79,500 x2 = 159,000
 *   f  fr          an error row: not counted
 */
const MIXED = [
  'id,message,locales,size,quality,variants',
  'a,Hello,ja;ko,1024x1024,low,1',
  'b,Sale,hi,1536x1024,medium,3',
  'c,Banner,ja;zh-Hans,1280x720,high,2',
  'd,Auto,bn,auto,auto,1',
  'e,Defaults,ko,,,',
  'f,Broken,fr,1024x1024,high,1',
].join('\n');
const EXPECTED_BY_LOCALE = { ja: 6_000 + 370_898, ko: 6_000 + 159_000, hi: 238_500, 'zh-Hans': 370_898, bn: 211_000 };
const EXPECTED_TOTAL = 376_898 + 165_000 + 238_500 + 370_898 + 211_000; // 1,362,296 micro-dollars

let dir: string;
let mixed: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pg-cost-'));
  mixed = await write('mixed.csv', MIXED);
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

function plan(overrides: Partial<ManifestPlan> = {}): ManifestPlan {
  return {
    model: 'gpt-image-2',
    imagesPerMinute: 6,
    images: 1,
    imagesByLocale: { ja: 1 },
    costMicros: 211_000,
    costByLocale: { ja: 211_000 },
    priceSource: 'test prices',
    durationMs: 10_000,
    ...overrides,
  };
}

describe('cost estimate of a manifest', () => {
  it('matches the price table exactly for mixed sizes, qualities, variants and locales', async () => {
    const result = await planManifest(mixed, DEFAULTS, { model: 'gpt-image-2', table: DEFAULT_PRICE_TABLE, imagesPerMinute: 6 });
    expect(result).toEqual({
      model: 'gpt-image-2',
      imagesPerMinute: 6,
      images: 12,
      imagesByLocale: { ja: 3, ko: 3, hi: 3, 'zh-Hans': 2, bn: 1 },
      costMicros: EXPECTED_TOTAL,
      costByLocale: EXPECTED_BY_LOCALE,
      priceSource: expect.stringContaining("OpenAI's list prices") as unknown as string,
      durationMs: 2 * 60_000, // 12 images at 6 a minute
    });
  });

  it('prices auto quality as high and auto size as 1024x1024, so an estimate does not undershoot', () => {
    expect(imagePriceMicros(DEFAULT_PRICE_TABLE, 'gpt-image-2', 'auto', 'auto')).toBe(211_000);
    expect(imagePriceMicros(DEFAULT_PRICE_TABLE, 'gpt-image-2', '1024x1024', 'medium')).toBe(53_000);
    expect(imagePriceMicros(DEFAULT_PRICE_TABLE, 'gpt-image-2', '2048x2048', 'low')).toBe(24_000);
  });

  it('prints the plan: images and cost per locale, duration at the quota', async () => {
    const result = await planManifest(mixed, DEFAULTS, { model: 'gpt-image-2', table: DEFAULT_PRICE_TABLE, imagesPerMinute: 6 });
    expect(formatPlan(result)).toBe(
      'plan: 12 images on gpt-image-2 (ja 3, ko 3, hi 3, zh-Hans 2, bn 1)\n' +
        "estimated cost: $1.36 (ja $0.3769, ko $0.165, hi $0.2385, zh-Hans $0.3709, bn $0.211); OpenAI's list prices (Azure publishes none for gpt-image-2), prompt tokens not included\n" +
        'estimated duration: 2 min at 6 images/min\n',
    );
  });
});

describe('price file', () => {
  it('overrides a model and adds deployments by name, leaving the built-in table alone', async () => {
    const file = await write(
      'prices.json',
      JSON.stringify({
        models: {
          'gpt-image-2': { perImage1024: { low: 0.01, medium: 0.1, high: 1 } },
          'my-deployment': { perImage1024: { low: 0.002, medium: 0.02, high: 0.2 }, tokens: { textInputPerMillion: 2.5, imageInputPerMillion: 4, imageOutputPerMillion: 15 } },
        },
      }),
    );
    const table = loadPriceTable(file);
    const overridden = await planManifest(mixed, DEFAULTS, { model: 'gpt-image-2', table, imagesPerMinute: 6 });
    // ja: a low 1024x1024 (10,000) + c 2 x high 1280x720 (1,000,000 x 0.87890625 = 878,906.25 -> 878,906)
    expect(overridden.costByLocale?.ja).toBe(10_000 + 2 * 878_906);
    expect(overridden.priceSource).toBe(`prices from ${file}`);
    const custom = await planManifest(mixed, DEFAULTS, { model: 'my-deployment', table, imagesPerMinute: 6 });
    expect(custom.costByLocale?.bn).toBe(200_000); // auto, auto: high at 1024x1024
    // The file's gpt-image-2 entry has no token prices, and it replaces the built-in entry whole.
    expect(usageCostMicros({ outputTokens: 1000 }, 'gpt-image-2', table)).toBeUndefined();
    expect(imagePriceMicros(DEFAULT_PRICE_TABLE, 'gpt-image-2', '1024x1024', 'high')).toBe(211_000);
    expect(loadPriceTable(undefined)).toBe(DEFAULT_PRICE_TABLE);
  });

  it('rejects a bad file with the file name and the JSON path of every problem', async () => {
    const file = await write(
      'bad-prices.json',
      JSON.stringify({
        models: {
          'gpt-image-2': { perImage1024: { low: 0.006, medium: '0.053', hihg: 0.211 } },
          'my-deployment': { perImage1024: { low: -1, medium: 0.02, high: 0.2 }, tokens: { textInputPerMillion: 5, imageInputPerMillion: 8 } },
          'no-prices': {},
        },
        currency: 'EUR',
      }),
    );
    const error = caught(() => loadPriceTable(file));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message.split('\n')).toEqual([
      `the price file ${file} is not valid:`,
      '  models["gpt-image-2"].perImage1024.medium: expected a number of US dollars, got "0.053"',
      '  models["gpt-image-2"].perImage1024.high: missing: give a price in US dollars',
      '  models["gpt-image-2"].perImage1024: Unrecognized key: "hihg"',
      '  models["my-deployment"].perImage1024.low: expected a price of 0 or more US dollars',
      '  models["my-deployment"].tokens.imageOutputPerMillion: missing: give a price in US dollars',
      '  models["no-prices"].perImage1024: missing: every model needs per-image prices for low, medium and high',
      '  (file): Unrecognized key: "currency"',
    ]);
    expect((error as ConfigError).hint).toContain('"perImage1024"');
  });

  it('says which file cannot be read or parsed', async () => {
    const missing = join(dir, 'missing.json');
    expect(caught(() => loadPriceTable(missing)).message).toBe(`cannot read the price file ${missing}: no such file`);
    const notJson = await write('not-json.json', '{"models": ');
    const error = caught(() => loadPriceTable(notJson));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`cannot read the price file ${notJson}:`);
  });
});

describe('a model without a price', () => {
  it('has no estimate, says how to add one, and cannot pass a budget', async () => {
    const result = await planManifest(mixed, DEFAULTS, { model: 'img-prod-swedencentral', table: DEFAULT_PRICE_TABLE, imagesPerMinute: 6 });
    expect(result).toMatchObject({ images: 12, costMicros: undefined, costByLocale: undefined, durationMs: 120_000 });
    expect(formatPlan(result)).toContain('estimated cost: unknown: no price for model img-prod-swedencentral; add it with --price-file\n');
    const error = caught(() => checkBudget(result, 100));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe('cannot check --max-cost $100.00: no price for model img-prod-swedencentral; add it with --price-file');
    expect((error as InputError).hint).toContain('--price-file');
    expect(() => checkBudget(result, undefined)).not.toThrow();
  });
});

describe('checkBudget', () => {
  it('passes a plan at or under the budget and refuses one over it, with a hint', () => {
    const estimate = plan({ images: 12, costMicros: EXPECTED_TOTAL });
    expect(() => checkBudget(estimate, 1.362296)).not.toThrow(); // exactly the estimate
    expect(() => checkBudget(estimate, 5)).not.toThrow();
    const error = caught(() => checkBudget(estimate, 1.36));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    expect(error.message).toBe('the estimated cost $1.36 of 12 images exceeds --max-cost $1.36; nothing is enqueued');
    expect((error as InputError).hint).toContain('--max-cost');
  });
});

describe('actual cost from token usage', () => {
  it('prices text input, image input and output tokens at their own rates', () => {
    // 1,000 text x $5/M + 200 image x $8/M + 7,000 output x $30/M = 5,000 + 1,600 + 210,000 micro-dollars
    expect(usageCostMicros({ inputTokens: 1200, inputImageTokens: 200, outputTokens: 7000 }, 'gpt-image-2', DEFAULT_PRICE_TABLE)).toBe(216_600);
    expect(usageCostMicros({ inputTokens: 1200, inputTextTokens: 1200, inputImageTokens: 0, outputTokens: 7000 }, 'gpt-image-2', DEFAULT_PRICE_TABLE)).toBe(216_000);
    // Only input and total: output is the difference.
    expect(usageCostMicros({ inputTokens: 100, totalTokens: 4260 }, 'gpt-image-2', DEFAULT_PRICE_TABLE)).toBe(500 + 4160 * 30);
  });

  it('is undefined rather than guessed when usage, output tokens or token prices are missing', () => {
    expect(usageCostMicros(undefined, 'gpt-image-2', DEFAULT_PRICE_TABLE)).toBeUndefined();
    expect(usageCostMicros({ inputTokens: 100 }, 'gpt-image-2', DEFAULT_PRICE_TABLE)).toBeUndefined();
    expect(usageCostMicros({ outputTokens: 7000 }, 'unknown-model', DEFAULT_PRICE_TABLE)).toBeUndefined();
    expect(usageCostMicros({ outputTokens: 7000 }, 'gpt-image-2', DEFAULT_PRICE_TABLE)).toBe(210_000);
  });
});

describe('duration and money formatting', () => {
  it('times images at a quota and formats durations', () => {
    expect(durationAtQuotaMs(750, 6)).toBe(125 * 60_000);
    expect(formatDuration(durationAtQuotaMs(750, 6))).toBe('2 h 05 min');
    expect(formatDuration(durationAtQuotaMs(3, 6))).toBe('30 s');
    expect(formatDuration(59_600)).toBe('1 min');
    expect(formatDuration(durationAtQuotaMs(72, 6))).toBe('12 min');
    expect(formatDuration(durationAtQuotaMs(10_000, 36))).toBe('4 h 38 min');
    expect(() => durationAtQuotaMs(1, 0)).toThrow(RangeError);
  });

  it('formats dollars with 2 to 4 decimals', () => {
    expect([6_000, 53_000, 211_000, 100, 0, EXPECTED_TOTAL, 1_234_500_000].map(formatUsd)).toEqual(['$0.006', '$0.053', '$0.211', '$0.0001', '$0.00', '$1.36', '$1,234.50']);
  });

  it('says "1 image/min" and "1 image" in the singular', () => {
    expect(formatPlan(plan({ imagesPerMinute: 1 }))).toBe(
      'plan: 1 image on gpt-image-2 (ja 1)\nestimated cost: $0.211 (ja $0.211); test prices, prompt tokens not included\nestimated duration: 10 s at 1 image/min\n',
    );
  });
});

describe('settings', () => {
  it("reads --max-cost and --price-file, and paces a plan at the sum of the model's deployments", async () => {
    const deployments = await write(
      'deployments.json',
      JSON.stringify({
        deployments: [
          { name: 'swe', endpoint: 'https://swe.example', deployment: 'gpt-image-2', imagesPerMinute: 6, apiKey: 'k' },
          { name: 'eus', endpoint: 'https://eus.example', deployment: 'gpt-image-2', imagesPerMinute: 12, apiKey: 'k' },
        ],
      }),
    );
    const config = resolveConfig({}, { POLYGLYPH_MAX_COST: '25.5', POLYGLYPH_DEPLOYMENTS_FILE: deployments });
    expect(config.maxCost).toBe(25.5);
    expect(planOptions(config, {})).toMatchObject({ model: 'gpt-image-2', imagesPerMinute: 18, table: DEFAULT_PRICE_TABLE });
    expect(planOptions(resolveConfig({ imagesPerMinute: 2 }, {}), {})).toMatchObject({ model: 'gpt-image-2', imagesPerMinute: 2 });
    expect(() => resolveConfig({ maxCost: '-3' }, {})).toThrow("--max-cost: expected a positive number of US dollars, e.g. 25, got '-3'");
    expect(() => planOptions(resolveConfig({ priceFile: join(dir, 'nope.json') }, {}), {})).toThrow(ConfigError);
  });
});
