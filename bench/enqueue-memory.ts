/**
 * Enqueue memory and throughput: peak RSS of `enqueue` on a 1,000,000-row manifest against a
 * 10,000-row baseline on the same machine, and rows/s (validation pass + enqueue pass, into a
 * private redis-server). Streaming means the ratio should be close to 1.
 *
 *   npm run bench:enqueue            # 10k baseline vs 1M
 *   npm run bench:enqueue -- 200000  # another size
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRedisServer } from '../test/helpers/redis-server.js';

const run = promisify(execFile);
const large = Number(process.argv[2] ?? 1_000_000);
const baseline = 10_000;
const LOCALES = ['ja', 'ko', 'hi', 'bn', 'zh-Hans'];

async function writeManifest(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('id,message,locales,prompt\n');
  for (let i = 0; i < rows; i++) await write(`msg-${i},"Offer number ${i}, today only",${LOCALES[i % LOCALES.length]},"A bright banner, text centred"\n`);
  out.end();
  await once(out, 'finish');
}

interface Measurement {
  rows: number;
  jobs: number;
  ms: number;
  maxRssMb: number;
}

async function measure(manifest: string, redisUrl: string): Promise<Measurement> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/enqueue-child.ts', manifest, redisUrl], { maxBuffer: 1 << 20, timeout: 30 * 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measurement;
}

const dir = await mkdtemp(join(tmpdir(), 'pg-bench-'));
const redis = await startRedisServer({ appendonly: false });
try {
  const results: Array<[string, Measurement]> = [];
  for (const rows of [baseline, large]) {
    const manifest = join(dir, `m${rows}.csv`);
    await writeManifest(manifest, rows);
    results.push([`${rows.toLocaleString('en')} rows`, await measure(manifest, redis.url)]);
  }
  console.log('manifest        jobs       seconds   rows/s    peak RSS');
  for (const [name, m] of results) {
    console.log(
      `${name.padEnd(15)} ${String(m.jobs).padEnd(10)} ${(m.ms / 1000).toFixed(1).padEnd(9)} ${Math.round(m.rows / (m.ms / 1000))
        .toString()
        .padEnd(9)} ${m.maxRssMb} MB`,
    );
  }
  const [b, l] = [results[0]![1], results[1]![1]];
  console.log(`peak RSS ratio (large / baseline): ${(l.maxRssMb / b.maxRssMb).toFixed(2)}   rows/s ratio: ${(l.rows / l.ms / (b.rows / b.ms)).toFixed(2)}`);
} finally {
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
