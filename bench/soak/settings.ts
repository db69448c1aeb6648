// What the soak runs with: the spec by default, every knob from a SOAK_* environment variable.

export interface SoakSettings {
  images: number;
  /** Requested images per minute: the stand-in's quota and POLYGLYPH_IMAGES_PER_MINUTE. */
  rate: number;
  workers: number;
  killEveryMs: number;
  azuriteDownMs: number;
  latencyMs: number;
  jitterMs: number;
  /**
   * What every image asks for, as a user would set it (POLYGLYPH_SIZE, _FORMAT, _QUALITY,
   * _OUTPUT_COMPRESSION): by default the smallest, cheapest image gpt-image-2 makes, since the soak
   * measures what the pipeline loses, not how fast two shared cores draw pictures.
   */
  size: string;
  format: string;
  quality: string;
  outputCompression: string | undefined;
  /** POLYGLYPH_TEXT_CHECK of the workers: off by default (OCR of every image costs ~0.3 CPU s; bench:text-check measures it). */
  textCheck: string;
  /** The chaos (kills, Redis restart, Azurite outage) stops after this; then the soak waits for the rest to drain. */
  chaosMs: number;
  /** Draining ends when nothing has settled for this long: what is still queued then is reported as such. */
  drainIdleMs: number;
  /** ... or after this long in all, whatever still settles. */
  drainMaxMs: number;
}

export const SOAK_USAGE = `npm run bench:soak   (settings from the environment:)
  SOAK_IMAGES=5000 SOAK_RATE=1200 SOAK_WORKERS=6 SOAK_KILL_EVERY_MS=20000 SOAK_AZURITE_DOWN_MS=30000
  SOAK_LATENCY_MS=1000 SOAK_JITTER_MS=1000 SOAK_SIZE=1024x640 SOAK_FORMAT=jpeg SOAK_QUALITY=low
  SOAK_OUTPUT_COMPRESSION=50 SOAK_TEXT_CHECK=off SOAK_CHAOS_MIN=120 SOAK_DRAIN_IDLE_MIN=5 SOAK_DRAIN_MAX_MIN=60`;

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name}: expected a positive number, got '${raw}'\n${SOAK_USAGE}`);
  return value;
}

function text(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? fallback : raw;
}

export function readSoakSettings(env: NodeJS.ProcessEnv): SoakSettings {
  const compression = text(env, 'SOAK_OUTPUT_COMPRESSION', '50');
  return {
    images: Math.round(positive(env, 'SOAK_IMAGES', 5_000)),
    rate: positive(env, 'SOAK_RATE', 1_200),
    workers: Math.round(positive(env, 'SOAK_WORKERS', 6)),
    killEveryMs: positive(env, 'SOAK_KILL_EVERY_MS', 20_000),
    azuriteDownMs: positive(env, 'SOAK_AZURITE_DOWN_MS', 30_000),
    latencyMs: positive(env, 'SOAK_LATENCY_MS', 1_000),
    jitterMs: positive(env, 'SOAK_JITTER_MS', 1_000),
    size: text(env, 'SOAK_SIZE', '1024x640'),
    format: text(env, 'SOAK_FORMAT', 'jpeg'),
    quality: text(env, 'SOAK_QUALITY', 'low'),
    outputCompression: compression === 'none' ? undefined : compression,
    textCheck: text(env, 'SOAK_TEXT_CHECK', 'off'),
    chaosMs: positive(env, 'SOAK_CHAOS_MIN', 120) * 60_000,
    drainIdleMs: positive(env, 'SOAK_DRAIN_IDLE_MIN', 5) * 60_000,
    drainMaxMs: positive(env, 'SOAK_DRAIN_MAX_MIN', 60) * 60_000,
  };
}
