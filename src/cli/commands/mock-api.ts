import { Command } from 'commander';
import { readEnv } from '../../config/read-env.js';
import { resolveSettings } from '../../config/resolve-config.js';
import { ConfigError } from '../../errors/polyglyph-error.js';
import { untilStopSignal } from '../stop-signal.js';
import { seededRandom } from '../../mock-api/seeded-random.js';
import { createMockImageApi, type MockDeployment, type MockImageApiOptions } from '../../mock-api/server.js';
import { STAND_IN_SETTINGS, repeatedName } from '../../mock-api/stand-in-settings.js';
import { addSettings, settingFlags } from '../settings-options.js';
import { COMMAND_SUMMARIES } from '../command-summaries.js';

const NAMES = Object.keys(STAND_IN_SETTINGS) as Array<keyof typeof STAND_IN_SETTINGS>;

export interface MockApiSettings {
  port: number;
  host: string;
  api: MockImageApiOptions;
}

/** `polyglyph mock-api`: serves the stand-in until SIGINT or SIGTERM, then closes it and exits 0. */
export function mockApiCommand(): Command {
  const command = new Command('mock-api').description(COMMAND_SUMMARIES['mock-api'].description);
  addSettings(command, NAMES, STAND_IN_SETTINGS);
  return command.action(async (options: Record<string, unknown>) => {
    const settings = mockApiSettings(options);
    const api = createMockImageApi(settings.api);
    let url: string;
    try {
      url = await api.listen(settings.port, settings.host);
    } catch (error) {
      throw new ConfigError(`cannot listen on ${settings.host}:${settings.port}: ${error instanceof Error ? error.message : String(error)}`, {
        hint: `choose another --port (or ${STAND_IN_SETTINGS.mockPort.env}), or stop what is using it`,
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
 * The stand-in's settings from commander's options (keyed by flag, as commander gives them) and the
 * environment, through the one settings resolver; bad values throw its ConfigError before anything listens.
 */
export function mockApiSettings(options: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): MockApiSettings {
  const flags = settingFlags(options, NAMES, STAND_IN_SETTINGS);
  const settings = resolveSettings(STAND_IN_SETTINGS, flags, env);
  const api: MockImageApiOptions = {
    deployments: deploymentsServed(settings.mockDeployments, settings.mockDeployment, flags.mockDeployments !== undefined || readEnv('POLYGLYPH_MOCK_DEPLOYMENTS', env) !== undefined),
    latencyMs: settings.mockLatencyMs,
    latencyJitterMs: settings.mockLatencyJitterMs,
  };
  if (settings.mockApiKey !== undefined) api.apiKey = settings.mockApiKey;
  if (settings.mockBearerToken !== undefined) api.bearerToken = settings.mockBearerToken;
  if (settings.mockImagesPerMinute !== undefined) api.imagesPerMinute = settings.mockImagesPerMinute;
  if (settings.mockSeed !== undefined) api.random = seededRandom(settings.mockSeed);
  if (settings.mockFaultRates !== undefined) api.faultRates = settings.mockFaultRates;
  return { port: settings.mockPort, host: settings.mockHost, api };
}

/** --deployment entries replace the default list; with --deployments (or its variable) given they add to it. */
function deploymentsServed(listed: Array<string | MockDeployment>, single: Array<string | MockDeployment> | undefined, listedExplicitly: boolean): Array<string | MockDeployment> {
  if (single === undefined) return listed;
  const entries = listedExplicitly ? [...listed, ...single] : single;
  const twice = repeatedName(entries);
  if (twice !== undefined) {
    throw new ConfigError(`invalid configuration:\n  --deployments and --deployment: expected each deployment name once, got '${twice}' in both`, {
      hint: `list '${twice}' in one of them, or leave --deployments unset`,
    });
  }
  return entries;
}
