import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createProgram } from '../../src/cli/program.js';
import { SETTINGS } from '../../src/config/settings.js';

/**
 * No Docker engine runs where the tests run, so the compose file is checked by reading it: every
 * Polyglyph command in it is one the CLI knows, with options it has; every variable it sets is one
 * Polyglyph (or the Azure SDK) reads; nothing is published beyond loopback.
 */
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string; required?: boolean }>;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const polyglyph = Object.entries(services).filter(([, service]) => service.image === 'polyglyph:local');
// Read by the Azure SDK (the managed identity's client id), not by a Polyglyph setting.
const AZURE_SDK_VARIABLES = ['AZURE_CLIENT_ID'];

describe('docker-compose.yml', () => {
  it('runs the whole stack: Redis, Azurite, the stand-in (local profile), workers, scheduler, dashboard', () => {
    expect(Object.keys(services).sort()).toEqual(['azurite', 'dashboard', 'mock-api', 'redis', 'scheduler', 'worker']);
    expect(services['mock-api']?.profiles).toEqual(['local']);
    // Waits for the stand-in when the profile runs it; starts without it against real Azure.
    expect(services.worker?.depends_on?.['mock-api']).toEqual({ condition: 'service_healthy', required: false });
    expect(services.redis?.command?.join(' ')).toMatch(/--appendonly yes.*--maxmemory-policy noeviction/);
  });

  it('gives every Polyglyph service a command the CLI knows, with options it has', async () => {
    const program = await createProgram();
    expect(polyglyph.map(([name]) => name).sort()).toEqual(['dashboard', 'mock-api', 'scheduler', 'worker']);
    for (const [name, service] of polyglyph) {
      const [commandName, ...args] = service.command ?? ['worker'];
      const command = program.commands.find((candidate) => candidate.name() === commandName);
      expect(command, `${name}: polyglyph ${commandName}`).toBeDefined();
      for (const flag of args.filter((arg) => arg.startsWith('--'))) {
        expect(
          command!.options.some((option) => option.long === flag),
          `${name}: polyglyph ${commandName} ${flag}`,
        ).toBe(true);
      }
    }
  });

  it('sets only variables Polyglyph reads', () => {
    const known = new Set([...Object.values(SETTINGS).flatMap((setting) => ('env' in setting && setting.env ? [setting.env] : [])), ...AZURE_SDK_VARIABLES]);
    for (const [name, service] of polyglyph) {
      for (const variable of Object.keys(service.environment ?? {})) expect(known.has(variable), `${name}: ${variable}`).toBe(true);
    }
  });

  it('publishes ports on loopback only, and has a health check wherever an orchestrator needs one', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
    for (const name of ['redis', 'azurite', 'mock-api', 'worker', 'scheduler', 'dashboard']) expect(services[name]?.healthcheck?.test, name).toBeDefined();
    // The dashboard listens on all interfaces inside its container, so it must be given credentials there.
    expect(services.dashboard?.environment).toMatchObject({ POLYGLYPH_DASHBOARD_HOST: '0.0.0.0', POLYGLYPH_DASHBOARD_TOKEN: '${POLYGLYPH_DASHBOARD_TOKEN:-}' });
    expect(services.dashboard?.healthcheck?.test.join(' ')).toContain('/readyz');
    for (const name of ['worker', 'scheduler']) {
      expect(services[name]?.healthcheck?.test.join(' '), name).toContain(`:${services[name]?.environment?.POLYGLYPH_HEALTH_PORT}/readyz`);
    }
  });
});
