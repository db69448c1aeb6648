import { z } from 'zod';
import { IMAGE_FILLS, MOCK_FAULTS, type ImageFill, type MockFault, type MockSettingsPatch } from './types.js';
import { isRecord } from '../json/is-record.js';

export const MOCK_DEFAULTS = {
  deployments: ['gpt-image-2'],
  /** The stand-in's chat deployment, the default POLYGLYPH_TRANSLATION_DEPLOYMENT. */
  chatDeployments: ['gpt-4.1-mini'],
  latencyMs: 0,
  latencyJitterMs: 0,
  blockedTerms: ['[blocked]'],
} as const;

/** The behaviour that can change while the server runs. */
export interface MockSettings {
  latencyMs: number;
  latencyJitterMs: number;
  imagesPerMinute: number | undefined;
  faultRates: Partial<Record<MockFault, number>>;
  blockedTerms: string[];
  imageFill: ImageFill;
}

const milliseconds = z.number().finite().nonnegative();
const patchSchema = z
  .object({
    latencyMs: milliseconds.optional(),
    latencyJitterMs: milliseconds.optional(),
    // null is how a JSON body (POST /_admin/configure) says "unlimited".
    imagesPerMinute: z.number().finite().positive().nullable().optional(),
    faultRates: z
      .partialRecord(z.enum(MOCK_FAULTS), z.number().min(0).max(1))
      .refine((rates) => sum(Object.values(rates)) <= 1, 'fault rates must add up to at most 1')
      .optional(),
    blockedTerms: z.array(z.string().min(1)).optional(),
    imageFill: z.enum(IMAGE_FILLS).optional(),
  })
  .strict();

/**
 * Checks a settings change and returns the settings it produces. Throws a RangeError whose message
 * names every bad field, so the admin route can hand it back as a 400.
 */
export function applySettingsPatch(current: MockSettings, patch: unknown): MockSettings {
  const parsed = patchSchema.safeParse(patch);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'settings'}: ${issue.message}`);
    throw new RangeError(`invalid stand-in settings: ${problems.join('; ')}`);
  }
  const next = { ...current };
  const value = parsed.data;
  if (value.latencyMs !== undefined) next.latencyMs = value.latencyMs;
  if (value.latencyJitterMs !== undefined) next.latencyJitterMs = value.latencyJitterMs;
  // A present key set to undefined or null means "unlimited"; an absent key leaves the quota alone.
  if (isRecord(patch) && 'imagesPerMinute' in patch) next.imagesPerMinute = value.imagesPerMinute ?? undefined;
  if (value.faultRates !== undefined) next.faultRates = { ...value.faultRates };
  if (value.blockedTerms !== undefined) next.blockedTerms = [...value.blockedTerms];
  if (value.imageFill !== undefined) next.imageFill = value.imageFill;
  return next;
}

export function initialSettings(options: MockSettingsPatch): MockSettings {
  const defaults: MockSettings = {
    latencyMs: MOCK_DEFAULTS.latencyMs,
    latencyJitterMs: MOCK_DEFAULTS.latencyJitterMs,
    imagesPerMinute: undefined,
    faultRates: {},
    blockedTerms: [...MOCK_DEFAULTS.blockedTerms],
    imageFill: 'flat',
  };
  return applySettingsPatch(defaults, options);
}

function sum(values: Array<number | undefined>): number {
  return values.reduce<number>((total, value) => total + (value ?? 0), 0);
}
