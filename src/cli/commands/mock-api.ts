import { Command, Option } from 'commander';
import { readEnv } from '../../config/read-env.js';
import { ConfigError } from '../../errors/polyglyph-error.js';
import { untilStopSignal } from '../stop-signal.js';
import { parseDeploymentEntry } from '../../mock-api/deployment-registry.js';
import { seededRandom } from '../../mock-api/seeded-random.js';
import { MOCK_FAULTS, createMockImageApi, type MockDeployment, type MockFault, type MockImageApiOptions } from '../../mock-api/server.js';

/** Flag, environment variable and default of every option, in one place; `--help` is built from it. */
const OPTIONS = {
  port: { flag: '--port <n>', env: 'POLYGLYPH_MOCK_PORT', default: '8089', description: 'port to listen on; 0 picks a free one' },
  host: { flag: '--host <host>', env: 'POLYGLYPH_MOCK_HOST', default: '127.0.0.1', description: 'interface to listen on; 0.0.0.0 serves other machines' },
  deployments: { flag: '--deployments <list>', env: 'POLYGLYPH_MOCK_DEPLOYMENTS', default: 'gpt-image-2', description: 'comma-separated deployments served, each NAME=MODEL or a bare NAME (serving the model of that name, else gpt-image-2), on the OpenAI routes and MAI\'s /mai/v1/images/generations (e.g. img-prod-eastus=gpt-image-2,MAI-Image-2e); others answer 404 DeploymentNotFound' },
  deployment: { flag: '--deployment <name=model>', env: 'POLYGLYPH_MOCK_DEPLOYMENT', default: undefined, shown: 'none', description: 'one deployment served, NAME=MODEL (e.g. img-prod-eastus=gpt-image-2); repeatable; replaces the default of --deployments' },
  apiKey: { flag: '--api-key <key>', env: 'POLYGLYPH_MOCK_API_KEY', default: undefined, shown: 'any key or bearer token', description: 'the only api-key accepted' },
  bearerToken: { flag: '--bearer-token <token>', env: 'POLYGLYPH_MOCK_BEARER_TOKEN', default: undefined, shown: 'any token unless --api-key is set', description: 'the only Entra ID bearer token accepted (others answer Entra\'s 401 {"statusCode":401,...})' },
  latencyMs: { flag: '--latency-ms <n>', env: 'POLYGLYPH_MOCK_LATENCY_MS', default: '0', description: 'milliseconds added before answering a generation' },
  latencyJitterMs: { flag: '--latency-jitter-ms <n>', env: 'POLYGLYPH_MOCK_LATENCY_JITTER_MS', default: '0', description: 'random extra milliseconds, 0..n, on top of --latency-ms' },
  imagesPerMinute: { flag: '--images-per-minute <n>', env: 'POLYGLYPH_MOCK_IMAGES_PER_MINUTE', default: undefined, shown: 'unlimited', description: 'quota per deployment, enforced evenly with 429s' },
  seed: { flag: '--seed <n>', env: 'POLYGLYPH_MOCK_SEED', default: undefined, shown: 'none (Math.random)', description: 'seed of the fault draws and latency jitter, so a run meets the same faults (e.g. garbled-text) in the same places' },
  faultRate: { flag: '--fault-rate <kind=p>', env: 'POLYGLYPH_MOCK_FAULT_RATES', default: undefined, shown: 'none', description: `probability of a fault per request, repeatable or comma-separated, e.g. server-error=0.05,hang=0.01; kinds: ${MOCK_FAULTS.join(', ')}` },
} as const;
type OptionName = keyof typeof OPTIONS;

export interface MockApiSettings {
  port: number;
  host: string;
  api: MockImageApiOptions;
}

/** `polyglyph mock-api`: serves the stand-in until SIGINT or SIGTERM, then closes it and exits 0. */
export function mockApiCommand(): Command {
  const command = new Command('mock-api').description('serve the stand-in Azure OpenAI image API (for tests, benchmarks and local demos)');
  for (const option of Object.values(OPTIONS)) {
    const shown = 'shown' in option ? option.shown : option.default;
    const described = new Option(option.flag, `${option.description} (env ${option.env}; default ${shown})`);
    // Repeated --fault-rate and --deployment flags add up instead of the last one winning.
    if (option === OPTIONS.faultRate || option === OPTIONS.deployment) described.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    command.addOption(described);
  }
  return command.action(async (options: Record<string, unknown>) => {
    const settings = mockApiSettings(options);
    const api = createMockImageApi(settings.api);
    let url: string;
    try {
      url = await api.listen(settings.port, settings.host);
    } catch (error) {
      throw new ConfigError(`cannot listen on ${settings.host}:${settings.port}: ${error instanceof Error ? error.message : String(error)}`, {
        hint: `choose another --port (or ${OPTIONS.port.env}), or stop what is using it`,
        cause: error,
      });
    }
    const deployments = (settings.api.deployments ?? []).map((entry) => (typeof entry === 'string' ? entry : `${entry.name}=${entry.model}`)).join(', ');
    const quota = settings.api.imagesPerMinute ?? 'unlimited';
    process.stdout.write(`stand-in image API listening on ${url} (deployments: ${deployments}, quota: ${quota} images/min)\n`);
    await untilStopSignal();
    await api.close();
  });
}

/**
 * Merges flags > environment > defaults and checks every value once, before anything listens.
 * Bad values throw a ConfigError that names the flag or variable they came from.
 */
export function mockApiSettings(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): MockApiSettings {
  const pick = (name: OptionName): Sourced | undefined => {
    const option = OPTIONS[name];
    const flagName = option.flag.split(' ')[0] ?? name;
    const flag = flags[name];
    if (Array.isArray(flag)) return { value: flag.join(','), from: flagName };
    if (typeof flag === 'string') return { value: flag, from: flagName };
    const fromEnv = readEnv(option.env, env);
    if (fromEnv !== undefined) return { value: fromEnv, from: option.env };
    return option.default === undefined ? undefined : { value: option.default, from: flagName };
  };
  const required = (name: OptionName): Sourced => pick(name) as Sourced;

  // --deployment entries replace the default list; with --deployments (or its variable) they add to it.
  const single = pick('deployment');
  const listed = pick('deployments');
  const listedExplicitly = typeof flags.deployments === 'string' || readEnv(OPTIONS.deployments.env, env) !== undefined;
  const api: MockImageApiOptions = {
    deployments: checkOnce([...(single && !listedExplicitly ? [] : parseDeployments(listed as Sourced)), ...(single ? parseDeployments(single) : [])], single ?? (listed as Sourced)),
    latencyMs: parseNumber(required('latencyMs'), 'a non-negative number of milliseconds', (n) => n >= 0),
    latencyJitterMs: parseNumber(required('latencyJitterMs'), 'a non-negative number of milliseconds', (n) => n >= 0),
  };
  const apiKey = pick('apiKey');
  if (apiKey) api.apiKey = apiKey.value;
  const bearerToken = pick('bearerToken');
  if (bearerToken) api.bearerToken = bearerToken.value;
  const imagesPerMinute = pick('imagesPerMinute');
  if (imagesPerMinute) api.imagesPerMinute = parseNumber(imagesPerMinute, 'a positive number of images per minute', (n) => n > 0);
  const seed = pick('seed');
  if (seed) api.random = seededRandom(parseNumber(seed, 'an integer seed', (n) => Number.isInteger(n)));
  const faultRate = pick('faultRate');
  if (faultRate) api.faultRates = parseFaultRates(faultRate);

  return {
    port: parseNumber(required('port'), 'an integer port from 0 to 65535', (n) => Number.isInteger(n) && n <= 65_535 && n >= 0),
    host: required('host').value,
    api,
  };
}

interface Sourced {
  value: string;
  /** The flag, variable or default the value came from, for error messages. */
  from: string;
}

function parseNumber(source: Sourced, expected: string, valid: (n: number) => boolean): number {
  const n = source.value.trim() === '' ? Number.NaN : Number(source.value);
  if (!Number.isFinite(n) || !valid(n)) throw invalid(source, expected);
  return n;
}

function parseDeployments(source: Sourced): Array<string | MockDeployment> {
  const entries = source.value.split(',').map(parseDeploymentEntry);
  if (entries.some((entry) => entry === undefined)) throw invalid(source, 'comma-separated deployments, each NAME=MODEL or a bare NAME, e.g. img-prod-eastus=gpt-image-2,MAI-Image-2e');
  const names = entries.map((entry) => (typeof entry === 'string' ? entry : entry!.name));
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined) throw invalid(source, `each deployment name once ('${twice}' is listed twice)`);
  return entries as Array<string | MockDeployment>;
}

/** A deployment named by both --deployments and --deployment is a configuration error, not a stack trace. */
function checkOnce(entries: Array<string | MockDeployment>, source: Sourced): Array<string | MockDeployment> {
  const names = entries.map((entry) => (typeof entry === 'string' ? entry : entry.name));
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined) throw invalid({ ...source, value: names.join(',') }, `each deployment name once ('${twice}' is listed twice across --deployments and --deployment)`);
  return entries;
}

function parseFaultRates(source: Sourced): Partial<Record<MockFault, number>> {
  const rates: Partial<Record<MockFault, number>> = {};
  const expected = `kind=probability pairs such as server-error=0.05,hang=0.01 with kinds among ${MOCK_FAULTS.join(', ')}`;
  for (const pair of source.value.split(',').map((item) => item.trim()).filter(Boolean)) {
    const [kind, probability, extra] = pair.split('=');
    const p = Number(probability);
    if (extra !== undefined || !(MOCK_FAULTS as readonly string[]).includes(kind ?? '') || probability?.trim() === '' || !(p >= 0 && p <= 1)) {
      throw invalid({ ...source, value: pair }, expected);
    }
    rates[kind as MockFault] = p;
  }
  const total = Object.values(rates).reduce((sum, p) => sum + p, 0);
  if (total > 1) throw invalid(source, `probabilities that add up to at most 1 (these add up to ${total})`);
  return rates;
}

function invalid(source: Sourced, expected: string): ConfigError {
  return new ConfigError(`invalid ${source.from}: expected ${expected}, got '${source.value}'`, { hint: `fix ${source.from} or leave it unset for the default` });
}
