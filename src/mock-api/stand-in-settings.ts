import { z } from 'zod';
import { setting } from '../config/settings.js';
import { parseDeploymentEntry, type MockDeployment } from './deployment-registry.js';
import { MOCK_FAULTS, type MockFault } from './types.js';

/**
 * `polyglyph mock-api`'s settings, in the same kind of table as Polyglyph's own (src/config/settings.ts):
 * one resolver (flag > environment > default, "expected X, got Y"), one `--help` builder, one generated
 * section of docs/configuration.md, and `secret` marks that the log redaction reads. A separate table
 * because they configure another program: a bad POLYGLYPH_MOCK_PORT must not stop `polyglyph validate`.
 */
export const STAND_IN_SETTINGS = {
  mockPort: setting({
    flag: '--port <n>',
    env: 'POLYGLYPH_MOCK_PORT',
    default: 8089,
    description: 'port the stand-in listens on; 0 picks a free one',
    expected: 'an integer port from 0 to 65535',
    schema: z.coerce.number().int().min(0).max(65_535),
  }),
  mockHost: setting({
    flag: '--host <host>',
    env: 'POLYGLYPH_MOCK_HOST',
    default: '127.0.0.1',
    description: 'interface the stand-in listens on; 0.0.0.0 serves other machines',
    expected: 'a host name or IP address',
    schema: z.string().min(1),
  }),
  mockDeployments: setting({
    flag: '--deployments <list>',
    env: 'POLYGLYPH_MOCK_DEPLOYMENTS',
    default: ['gpt-image-2'] as Array<string | MockDeployment>,
    description:
      "comma-separated deployments served, each NAME=MODEL or a bare NAME (serving the model of that name, else gpt-image-2), on the OpenAI routes and MAI's /mai/v1/images/generations (e.g. img-prod-eastus=gpt-image-2,MAI-Image-2e); others answer 404 DeploymentNotFound",
    expected: 'comma-separated deployments, each NAME=MODEL or a bare NAME, e.g. img-prod-eastus=gpt-image-2,MAI-Image-2e',
    schema: deploymentList(),
  }),
  mockDeployment: setting({
    flag: '--deployment <name=model>',
    env: 'POLYGLYPH_MOCK_DEPLOYMENT',
    description: 'one deployment served, NAME=MODEL (e.g. img-prod-eastus=gpt-image-2); repeatable; replaces the default of --deployments, adds to a --deployments given',
    expected: 'comma-separated deployments, each NAME=MODEL or a bare NAME, e.g. img-prod-eastus=gpt-image-2',
    schema: deploymentList(),
    repeatable: true,
  }),
  mockApiKey: setting({
    flag: '--api-key <key>',
    env: 'POLYGLYPH_MOCK_API_KEY',
    description: 'the only api-key the stand-in accepts (unset: any key or bearer token)',
    expected: 'a key',
    schema: z.string().min(1),
    secret: true,
  }),
  mockBearerToken: setting({
    flag: '--bearer-token <token>',
    env: 'POLYGLYPH_MOCK_BEARER_TOKEN',
    description: 'the only Entra ID bearer token accepted, others answer Entra\'s 401 {"statusCode":401,...} (unset: any token unless --api-key is set)',
    expected: 'a token',
    schema: z.string().min(1),
    secret: true,
  }),
  mockLatencyMs: setting({
    flag: '--latency-ms <n>',
    env: 'POLYGLYPH_MOCK_LATENCY_MS',
    default: 0,
    description: 'milliseconds the stand-in adds before answering a generation',
    expected: 'a non-negative number of milliseconds',
    schema: z.coerce.number().finite().nonnegative(),
  }),
  mockLatencyJitterMs: setting({
    flag: '--latency-jitter-ms <n>',
    env: 'POLYGLYPH_MOCK_LATENCY_JITTER_MS',
    default: 0,
    description: 'random extra milliseconds, 0..n, on top of --latency-ms',
    expected: 'a non-negative number of milliseconds',
    schema: z.coerce.number().finite().nonnegative(),
  }),
  mockImagesPerMinute: setting({
    flag: '--images-per-minute <n>',
    env: 'POLYGLYPH_MOCK_IMAGES_PER_MINUTE',
    description: "the stand-in's quota per deployment, enforced evenly with 429s (unset: unlimited)",
    expected: 'a positive number of images per minute',
    schema: z.coerce.number().finite().positive(),
  }),
  mockSeed: setting({
    flag: '--seed <n>',
    env: 'POLYGLYPH_MOCK_SEED',
    description: 'seed of the fault draws and latency jitter, so a run meets the same faults (e.g. garbled-text) in the same places (unset: Math.random)',
    expected: 'an integer seed',
    schema: z.coerce.number().int(),
  }),
  mockFaultRates: setting({
    flag: '--fault-rate <kind=p>',
    env: 'POLYGLYPH_MOCK_FAULT_RATES',
    description: `probability of a fault per request, repeatable or comma-separated, e.g. server-error=0.05,hang=0.01; kinds: ${MOCK_FAULTS.join(', ')} (unset: none)`,
    expected: `kind=probability pairs such as server-error=0.05,hang=0.01 with kinds among ${MOCK_FAULTS.join(', ')}, adding up to at most 1`,
    schema: faultRates(),
    repeatable: true,
  }),
};

/** Deployment entries, each NAME=MODEL or a bare NAME, each name once. */
function deploymentList(): z.ZodType<Array<string | MockDeployment>> {
  return z.string().transform((value, context) => {
    const entries = value.split(',').map(parseDeploymentEntry);
    if (entries.some((entry) => entry === undefined)) {
      context.addIssue({ code: 'custom', message: 'an entry is empty or has more than one =' });
      return z.NEVER;
    }
    const twice = repeatedName(entries as Array<string | MockDeployment>);
    if (twice !== undefined) {
      context.addIssue({ code: 'custom', message: `'${twice}' is listed twice` });
      return z.NEVER;
    }
    return entries as Array<string | MockDeployment>;
  });
}

/** The first deployment name that appears twice in `entries`. */
export function repeatedName(entries: ReadonlyArray<string | MockDeployment>): string | undefined {
  const names = entries.map((entry) => (typeof entry === 'string' ? entry : entry.name));
  return names.find((name, index) => names.indexOf(name) !== index);
}

/** kind=p pairs with known kinds and probabilities from 0 to 1 that add up to at most 1. */
function faultRates(): z.ZodType<Partial<Record<MockFault, number>>> {
  return z.string().transform((value, context) => {
    const rates: Partial<Record<MockFault, number>> = {};
    for (const pair of value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)) {
      const [kind, probability, extra] = pair.split('=');
      const p = Number(probability);
      if (extra !== undefined || !(MOCK_FAULTS as readonly string[]).includes(kind ?? '') || probability?.trim() === '' || !(p >= 0 && p <= 1)) {
        context.addIssue({ code: 'custom', message: `'${pair}' is not such a pair` });
        return z.NEVER;
      }
      rates[kind as MockFault] = p;
    }
    const total = Object.values(rates).reduce((sum, p) => sum + p, 0);
    if (total > 1) {
      context.addIssue({ code: 'custom', message: `these add up to ${total}` });
      return z.NEVER;
    }
    return rates;
  });
}
