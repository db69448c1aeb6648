/**
 * bench:text-check — how many images per minute the text check reads on this machine, at 1024x1024
 * and at 4K (3840x2160), next to the image quota it has to keep up with (2x a 60 images/min quota).
 * Stand-in images (real text in all six scripts) go through the same reader and scoring as in a run,
 * TEXT_CHECK_CONCURRENCY at a time (default 2, the text-check worker's default). Baseline measured in
 * the same run: the stand-in's own rendering of the same images.
 * Usage: npm run bench:text-check [-- IMAGES_PER_SIZE]
 */
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import { LOCALE_CODES } from '../src/locales/registry.js';
import { textToDraw } from '../src/mock-api/prompt-text.js';
import { ImageRenderer } from '../src/mock-api/render-image.js';
import { buildPrompt } from '../src/prompts/build-prompt.js';
import { evaluateReading } from '../src/text-check/evaluate-reading.js';
import { parseMaxCer } from '../src/text-check/max-cer.js';
import { TesseractReader } from '../src/text-check/tesseract-reader.js';

const perSize = Number(process.argv[2] ?? 12);
const concurrency = Number(process.env.TEXT_CHECK_CONCURRENCY ?? 2);
const QUOTA = 60;
const sizes = [
  { label: '1024x1024', width: 1024, height: 1024 },
  { label: '3840x2160 (4K)', width: 3840, height: 2160 },
];
const reader = new TesseractReader();
const maxCer = parseMaxCer(undefined);

console.log(`text check throughput: ${perSize} images per size, ${concurrency} at a time, ${availableParallelism()} cores`);
console.log('size             render ms/img   check ms/img   checks/min   needed (2x60)   headroom   flagged');
for (const size of sizes) {
  const jobs = Array.from({ length: perSize }, (_, index) => {
    const locale = LOCALE_CODES[index % LOCALE_CODES.length]!;
    const prompt = buildPrompt({ message: `Spring collection number ${index}`, locale, direction: '' });
    return { locale, prompt, text: textToDraw(prompt, 0, false)! };
  });
  const renderer = new ImageRenderer();
  const renderStart = performance.now();
  const images = await Promise.all(
    jobs.map((job) => renderer.render({ width: size.width, height: size.height, format: 'png', compression: undefined, background: 'auto', prompt: job.prompt, variant: 0, text: job.text })),
  );
  const renderMs = (performance.now() - renderStart) / perSize;
  const limit = pLimit(concurrency);
  let flagged = 0;
  const checkStart = performance.now();
  await Promise.all(
    jobs.map((job, index) =>
      limit(async () => {
        const reading = await reader.read(images[index]!, job.locale);
        if (evaluateReading({ locale: job.locale, expected: job.text.value, read: reading.text, engine: reader.engine, maxCer }).status !== 'ok') flagged += 1;
      }),
    ),
  );
  const elapsedMs = performance.now() - checkStart;
  const perMinute = (perSize / elapsedMs) * 60_000;
  const cells = [
    size.label.padEnd(16),
    renderMs.toFixed(0).padStart(13),
    (elapsedMs / perSize).toFixed(0).padStart(14),
    perMinute.toFixed(0).padStart(12),
    String(2 * QUOTA).padStart(15),
    `${(perMinute / (2 * QUOTA)).toFixed(2)}x`.padStart(10),
    `${flagged}/${perSize}`.padStart(9),
  ];
  console.log(cells.join(' '));
}
