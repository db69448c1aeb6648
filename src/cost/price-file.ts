import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors/polyglyph-error.js';
import { DEFAULT_PRICE_TABLE, type ModelPrices, type PriceTable } from './price-table.js';
import { usdToMicros } from './money.js';

/**
 * A price file (`--price-file` / POLYGLYPH_PRICE_FILE), in US dollars as price lists quote them:
 *
 * ```json
 * {"models": {
 *   "gpt-image-2": {"perImage1024": {"low": 0.006, "medium": 0.053, "high": 0.211},
 *                   "tokens": {"textInputPerMillion": 5, "imageInputPerMillion": 8, "imageOutputPerMillion": 30, "textOutputPerMillion": 10}},
 *   "my-deployment-name": {"perImage1024": {"low": 0.007, "medium": 0.06, "high": 0.24}}
 * }}
 * ```
 * Keys are the model names jobs are enqueued for (the model a deployment serves, not its name). Unknown keys are
 * errors, so a misspelt price is caught rather than silently left at its default.
 */
/** Says "missing" or "expected ..." for a wrong type; zod's default message for anything else. */
function typeError(missing: string, expected: string) {
  return (issue: { code?: string; input?: unknown }): string | undefined =>
    issue.code !== 'invalid_type' ? undefined : issue.input === undefined ? missing : `${expected}, got ${JSON.stringify(issue.input)}`;
}

const usd = z.number({ error: typeError('missing: give a price in US dollars', 'expected a number of US dollars') }).nonnegative('expected a price of 0 or more US dollars');

const modelSchema = z
  .object({
    perImage1024: z
      .object({ low: usd, medium: usd, high: usd }, { error: typeError('missing: every model needs per-image prices for low, medium and high', 'expected an object {"low", "medium", "high"}') })
      .strict(),
    tokens: z.object({ textInputPerMillion: usd, imageInputPerMillion: usd, imageOutputPerMillion: usd, textOutputPerMillion: usd.optional() }).strict().optional(),
  })
  .strict();

const fileSchema = z.object({ models: z.record(z.string().min(1), modelSchema) }).strict();

const SHAPE_HINT =
  'the file looks like {"models": {"<model or deployment name>": {"perImage1024": {"low": 0.006, "medium": 0.053, "high": 0.211}, "tokens": {"textInputPerMillion": 5, "imageInputPerMillion": 8, "imageOutputPerMillion": 30, "textOutputPerMillion": 10}}}} (prices in USD; "tokens" and "textOutputPerMillion" optional)';

/**
 * The price table: the built-in one, with each model of `priceFile` (when given) added or replacing
 * the built-in entry of that name as a whole, so a file's entry never mixes with the defaults.
 * Throws ConfigError naming the file and the JSON path of every problem.
 */
export function loadPriceTable(priceFile: string | undefined): PriceTable {
  if (priceFile === undefined) return DEFAULT_PRICE_TABLE;
  const table = new Map(DEFAULT_PRICE_TABLE);
  for (const [model, prices] of Object.entries(readPriceFile(priceFile))) table.set(model, prices);
  return table;
}

function readPriceFile(file: string): Record<string, ModelPrices> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new ConfigError(`cannot read the price file ${file}: ${reason}`, { hint: `check --price-file / POLYGLYPH_PRICE_FILE; ${SHAPE_HINT}` });
  }
  const result = fileSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${jsonPath(issue.path)}: ${issue.message}`);
    throw new ConfigError(`the price file ${file} is not valid:\n  ${problems.join('\n  ')}`, { hint: SHAPE_HINT });
  }
  const models: Record<string, ModelPrices> = {};
  for (const [model, entry] of Object.entries(result.data.models)) {
    const { tokens } = entry;
    models[model] = {
      perImage1024Micros: { low: usdToMicros(entry.perImage1024.low), medium: usdToMicros(entry.perImage1024.medium), high: usdToMicros(entry.perImage1024.high) },
      tokens: tokens && {
        textInputPerMillionMicros: usdToMicros(tokens.textInputPerMillion),
        imageInputPerMillionMicros: usdToMicros(tokens.imageInputPerMillion),
        imageOutputPerMillionMicros: usdToMicros(tokens.imageOutputPerMillion),
        ...(tokens.textOutputPerMillion !== undefined ? { textOutputPerMillionMicros: usdToMicros(tokens.textOutputPerMillion) } : {}),
      },
      source: `prices from ${file}`,
    };
  }
  return models;
}

/** `models["gpt-image-2"].perImage1024.high`: model names hold hyphens and dots, so they are quoted. */
function jsonPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) text += `${text ? '.' : ''}${part}`;
    else text += `[${JSON.stringify(String(part))}]`;
  }
  return text || '(file)';
}
