import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { uniqueContainerName } from '../helpers/azurite.js';
import { runCli } from '../helpers/cli.js';
import { startServices } from '../helpers/services.js';
import { uniquePrefix } from '../helpers/unique.js';

let services: Awaited<ReturnType<typeof startServices>>;
let api: MockImageApi;
let dir: string;

/** Row 2 supplies its Japanese; Polyglyph is a brand (do not translate); "spring sale" has a fixed Korean rendering. */
const MANIFEST = ['id,message,locales,text:ja', 'hero,Polyglyph spring sale,ja ko hi,春のセール開催中', 'ship,"Free shipping, always",bn zh-Hans zh-Hant,', ''].join('\r\n');
const GLOSSARY = { doNotTranslate: ['Polyglyph'], terms: { 'spring sale': { ko: '봄 세일' } } };
const SCRIPTS: Record<string, RegExp> = { ko: /\p{Script=Hangul}/u, hi: /\p{Script=Devanagari}/u, bn: /\p{Script=Bengali}/u, 'zh-Hans': /\p{Script=Han}/u, 'zh-Hant': /\p{Script=Han}/u };

/** The written manifest, read by csv-parse (RFC 4180), as `run` reads it. */
const parseCsv = (text: string): string[][] => parse(text, { relax_column_count: true });

beforeAll(async () => {
  services = await startServices();
  api = createMockImageApi({ apiKey: 'test-key' });
  await api.listen();
  dir = await mkdtemp(join(tmpdir(), 'pg-translate-'));
  await writeFile(join(dir, 'launch.csv'), MANIFEST);
  await writeFile(join(dir, 'glossary.json'), JSON.stringify(GLOSSARY));
});
afterAll(async () => {
  await api?.close();
  await services?.stop();
});

const baseEnv = (): Record<string, string> => ({
  REDIS_URL: services.redis.url,
  POLYGLYPH_QUEUE_PREFIX: uniquePrefix('tr'),
  AZURE_OPENAI_ENDPOINT: api.url,
  AZURE_OPENAI_API_KEY: 'test-key',
  POLYGLYPH_GLOSSARY: join(dir, 'glossary.json'),
});

describe('polyglyph translate', () => {
  it('fills only the empty text cells, in the target scripts, keeping the glossary; a second run is all cache hits (0 chat requests)', async () => {
    const env = baseEnv();
    api.resetStats();
    const first = await runCli(['translate', join(dir, 'launch.csv'), '--out', join(dir, 'reviewed.csv')], env);
    expect(first.stderr).not.toMatch(/\n\s+at /);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^plan: 5 empty text cells to translate; at most \$0\.\d+ \(estimate, before the cache\)$/m);
    expect(first.stdout).toMatch(/^translation: 5 empty text cells on gpt-4\.1-mini: 0 from the cache, 5 requests, [\d,]+ \+ [\d,]+ tokens, cost \$0\.\d+$/m);
    expect(api.chatStats()).toEqual({ requests: 5, byStatus: { 200: 5 } });

    const rows = parseCsv(await readFile(join(dir, 'reviewed.csv'), 'utf8'));
    expect(rows[0]).toEqual(['id', 'message', 'locales', 'text:ja', 'text:ko', 'text:hi', 'text:bn', 'text:zh-Hans', 'text:zh-Hant']);
    const [hero, ship] = [rows[1]!, rows[2]!];
    // Supplied: untouched. Not asked for by the row (hero has no bn/zh): left empty.
    expect(hero[3]).toBe('春のセール開催中');
    expect(hero.slice(6)).toEqual(['', '', '']);
    expect(ship[3]).toBe('');
    expect(ship.slice(0, 3)).toEqual(['ship', 'Free shipping, always', 'bn zh-Hans zh-Hant']);
    const cells = { ko: hero[4]!, hi: hero[5]!, bn: ship[6]!, 'zh-Hans': ship[7]!, 'zh-Hant': ship[8]! };
    for (const [locale, text] of Object.entries(cells)) expect(text, locale).toMatch(SCRIPTS[locale]!);
    // The brand verbatim, the glossary rendering used.
    expect(cells.ko).toContain('Polyglyph');
    expect(cells.ko).toContain('봄 세일');
    expect(cells.hi).toContain('Polyglyph');

    api.resetStats();
    const second = await runCli(['translate', join(dir, 'launch.csv'), '--out', join(dir, 'again.csv')], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^translation: 5 empty text cells on gpt-4\.1-mini: 5 from the cache, 0 requests, 0 \+ 0 tokens, cost \$0\.00$/m);
    expect(api.chatStats().requests).toBe(0);
    expect(await readFile(join(dir, 'again.csv'), 'utf8')).toBe(await readFile(join(dir, 'reviewed.csv'), 'utf8'));
  }, 60_000);

  it('flags a translation over the length limit with file:line:column, and run --translate refuses to render it (exit 2, nothing enqueued)', async () => {
    const env = { ...baseEnv(), POLYGLYPH_MAX_TEXT_CHARS: '12' };
    const translated = await runCli(['translate', join(dir, 'launch.csv'), '--out', join(dir, 'short.csv')], env);
    expect(translated.code).toBe(0);
    expect(translated.stderr).toContain(`${join(dir, 'launch.csv')}:2:5: warning: the ko text of 'hero' is longer than the limit (POLYGLYPH_MAX_TEXT_CHARS): shorten it`);
    expect(translated.stdout).toMatch(/review it \([1-9]\d* cells? flagged\)/);

    const run = await runCli(['run', join(dir, 'launch.csv'), '--translate'], {
      ...env,
      AZURE_STORAGE_CONNECTION_STRING: services.azurite.connectionString,
      POLYGLYPH_CONTAINER: uniqueContainerName('trlong'),
      POLYGLYPH_REPORT_DIR: join(dir, 'reports'),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/polyglyph: \d+ translations? (is|are) longer than POLYGLYPH_MAX_TEXT_CHARS \(12\); nothing was enqueued/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('run --translate translates first: the plan shows the translation cost, the image prompts carry the exact translated text, the report keeps it', async () => {
    const env = {
      ...baseEnv(),
      AZURE_STORAGE_CONNECTION_STRING: services.azurite.connectionString,
      POLYGLYPH_CONTAINER: uniqueContainerName('trrun'),
      POLYGLYPH_REPORT_DIR: join(dir, 'reports'),
      POLYGLYPH_IMAGES_PER_MINUTE: '6000',
    };
    api.resetStats();
    const run = await runCli(['run', join(dir, 'launch.csv'), '--translate'], env, 120_000);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^translation: 5 empty text cells on gpt-4\.1-mini: \d from the cache/m);
    expect(run.stdout).toMatch(/^translation cost: \$0\.\d+ for 5 text cells on gpt-4\.1-mini, on top of the images$/m);
    const reportPath = /report: (\S+\.json)/.exec(run.stdout)?.[1];
    const report = JSON.parse(await readFile(reportPath!, 'utf8')) as { rows: Array<{ id: string; locale: string; text: string; textSource: string }> };
    expect(report.rows).toHaveLength(6);
    const byItem = new Map(report.rows.map((row) => [`${row.id}/${row.locale}`, row]));
    expect(byItem.get('hero/ja')).toMatchObject({ text: '春のセール開催中', textSource: 'manifest' });
    const prompts = api.stats().requestLog.map((entry) => entry.prompt);
    expect(prompts).toHaveLength(6);
    for (const key of ['hero/ko', 'hero/hi', 'ship/bn', 'ship/zh-Hans', 'ship/zh-Hant']) {
      const row = byItem.get(key)!;
      expect(row.textSource, key).toBe('translated');
      expect(row.text, key).toMatch(SCRIPTS[row.locale]!);
      // The image step renders exactly this text: it is quoted in the prompt sent.
      expect(
        prompts.filter((prompt) => prompt.includes(row.text)),
        key,
      ).toHaveLength(1);
    }

    // Without --translate, the plan of a run says what translating first would cost.
    const other = await runCli(['run', join(dir, 'launch.csv')], { ...env, POLYGLYPH_CONTAINER: uniqueContainerName('trplain') }, 120_000);
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(
      /^text: 5 cells without text:<locale>: the image model translates them inside the prompt, unseen; --translate translates them first for about \$0\.\d+ on gpt-4\.1-mini$/m,
    );
  }, 240_000);
});
