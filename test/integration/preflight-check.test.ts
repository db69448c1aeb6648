// `polyglyph check` against the strict stand-in and Azurite: each diagnosis it makes, from the answers
// the stand-in gives as Azure does, and --generate spending exactly one image per deployment.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, StorageSharedKeyCredential, generateAccountSASQueryParameters } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME } from '../../src/local-services/azurite.js';
import { freePort } from '../../src/local-services/free-port.js';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import type { CheckLine, CheckReport, TargetReport } from '../../src/preflight/check-report.js';
import { runCheck } from '../../src/preflight/run-check.js';
import { startAzurite, uniqueContainerName, type AzuriteProcess } from '../helpers/azurite.js';
import { runCli } from '../helpers/cli.js';

const KEY = 'right-key';
let api: MockImageApi;
let azurite: AzuriteProcess;
let dir: string;

beforeAll(async () => {
  api = createMockImageApi({ deployments: [{ name: 'img-prod-eastus', model: 'gpt-image-2' }, 'MAI-Image-2e'], apiKey: KEY });
  [azurite] = await Promise.all([startAzurite(), api.listen()]);
  dir = await mkdtemp(join(tmpdir(), 'pg-check-'));
});
afterAll(async () => {
  await Promise.allSettled([api?.close(), azurite?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The single-deployment environment of a new user: `img-prod-eastus` serving gpt-image-2. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    AZURE_OPENAI_ENDPOINT: api.url,
    AZURE_OPENAI_DEPLOYMENT: 'img-prod-eastus',
    AZURE_OPENAI_API_KEY: KEY,
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    POLYGLYPH_CONTAINER: uniqueContainerName('check'),
    POLYGLYPH_IMAGES_PER_MINUTE: '6',
    ...extra,
  };
}

function check(extra: Record<string, string> = {}, options: Parameters<typeof runCheck>[1] = {}): Promise<CheckReport> {
  return runCheck(resolveConfig({}, env(extra)), options);
}

function target(report: CheckReport, name: string): TargetReport {
  const found = report.targets.find((t) => t.name === name);
  if (!found) throw new Error(`no target ${name} in ${JSON.stringify(report)}`);
  return found;
}

function lineOf(report: CheckReport, name: string, check: string): CheckLine {
  const found = target(report, name).checks.find((c) => c.check === check);
  if (!found) throw new Error(`no check ${check} for ${name}: ${JSON.stringify(target(report, name).checks)}`);
  return found;
}

/** expect.stringContaining, typed (it is `any`, which the lint rules refuse inside objects). */
function containing(text: string): string {
  return expect.stringContaining(text) as unknown as string;
}

describe('polyglyph check', () => {
  it('healthy: every check passes, exit 0, and the free probe generates nothing', async () => {
    const before = api.stats().imagesGenerated;
    const cli = await runCli(['check'], env(), 90_000);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/ok {4}endpoint reachable/);
    expect(cli.stdout).toMatch(/ok {4}serves the model +accepted 'gpt-image-2'/);
    expect(cli.stdout).toMatch(/ok {4}set and read blob index tags/);
    expect(cli.stdout).toContain('ready: 0 failures, 0 warnings (exit 0)');
    expect(cli.stdout).not.toMatch(/FAIL|WARN/);
    expect(api.stats().imagesGenerated).toBe(before);
    // The probe was refused at validation, on the size it was built to be refused for.
    expect(api.stats().requestLog.at(-1)).toMatchObject({ deployment: 'img-prod-eastus', status: 400, size: '1000x1000' });
  }, 120_000);

  it('wrong key: authentication fails with the fix naming AZURE_OPENAI_API_KEY, exit 2', async () => {
    const cli = await runCli(['check'], env({ AZURE_OPENAI_API_KEY: 'not-the-key' }), 90_000);
    expect(cli.code).toBe(2);
    expect(cli.stdout).toMatch(/FAIL {2}authentication +the API key was refused \(401/);
    expect(cli.stdout).toContain('fix: set AZURE_OPENAI_API_KEY to KEY 1 or KEY 2');
    expect(cli.stdout).toMatch(/skip {2}deployment exists +not checked/);
    expect(cli.stdout).not.toContain('not-the-key');
  }, 120_000);

  it('missing deployment: 404 DeploymentNotFound, named with the fix', async () => {
    const report = await check({ AZURE_OPENAI_DEPLOYMENT: 'img-prod-westus' });
    expect(report.exitCode).toBe(2);
    expect(lineOf(report, 'img-prod-westus', 'authentication').status).toBe('ok');
    expect(lineOf(report, 'img-prod-westus', 'deployment exists')).toMatchObject({ status: 'fail', diagnosis: 'deployment-not-found' });
    expect(lineOf(report, 'img-prod-westus', 'deployment exists').fix).toContain('AZURE_OPENAI_DEPLOYMENT');
  });

  it('model mismatch: a configured model that names no model (the deployment name) is refused with invalid_value', async () => {
    const report = await check({ AZURE_OPENAI_MODEL: 'img-prod-eastus' });
    expect(report.exitCode).toBe(2);
    expect(lineOf(report, 'img-prod-eastus', 'deployment exists').status).toBe('ok');
    const model = lineOf(report, 'img-prod-eastus', 'serves the model');
    expect(model).toMatchObject({ status: 'fail', diagnosis: 'model-mismatch' });
    expect(model.detail).toContain("The model 'img-prod-eastus' does not exist.");
    expect(model.fix).toContain('AZURE_OPENAI_MODEL');
  });

  it('unreachable endpoint: a refused connection and a host that does not resolve are named as such', async () => {
    const closed = await freePort();
    const refused = await check({ AZURE_OPENAI_ENDPOINT: `http://127.0.0.1:${closed}` });
    expect(refused.exitCode).toBe(2);
    expect(lineOf(refused, 'img-prod-eastus', 'endpoint reachable')).toMatchObject({ status: 'fail', diagnosis: 'refused' });
    expect(lineOf(refused, 'img-prod-eastus', 'endpoint reachable').detail).toContain('ECONNREFUSED');
    // A stand-in fetch that fails as Node's does for an unknown host: no DNS lookup leaves the machine.
    const dnsFailure = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' }) });
    const dns = await check({ AZURE_OPENAI_ENDPOINT: 'https://nowhere.invalid' }, { fetch: () => Promise.reject(dnsFailure) });
    expect(lineOf(dns, 'img-prod-eastus', 'endpoint reachable')).toMatchObject({ status: 'fail', diagnosis: 'dns' });
    expect(lineOf(dns, 'img-prod-eastus', 'endpoint reachable').fix).toContain('AZURE_OPENAI_ENDPOINT');
  });

  it('storage whose SAS lacks the tag permission: creating, reading, metadata pass; tags fail with the fix (Azurite 3.35 enforces `t` on Set Blob Tags)', async () => {
    const credential = new StorageSharedKeyCredential(AZURITE_ACCOUNT_NAME, AZURITE_ACCOUNT_KEY);
    const sas = (permissions: string): string =>
      generateAccountSASQueryParameters(
        {
          permissions: AccountSASPermissions.parse(permissions),
          resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
          services: AccountSASServices.parse('b').toString(),
          expiresOn: new Date(Date.now() + 3_600_000),
        },
        credential,
      ).toString();
    const withoutTags = `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas('racwdl')}`;
    const report = await check({ AZURE_STORAGE_CONNECTION_STRING: withoutTags });
    expect(report.exitCode).toBe(2);
    expect(target(report, 'storage').about.auth).toBe('SAS');
    expect(lineOf(report, 'storage', 'create a blob').status).toBe('ok');
    expect(lineOf(report, 'storage', 'write blob metadata').status).toBe('ok');
    const tags = lineOf(report, 'storage', 'set and read blob index tags');
    expect(tags).toMatchObject({ status: 'fail', diagnosis: 'missing-tags-permission' });
    expect(tags.detail).toContain('AuthorizationPermissionMismatch');
    expect(tags.fix).toContain("'t'");
    // The probe blob is removed even so.
    expect(lineOf(report, 'storage', 'delete a blob').status).toBe('ok');
    // No SAS signature in what is printed.
    expect(JSON.stringify(report)).not.toContain('sig=');

    // With `t` (and `f` for the tag query) everything passes.
    const withTags = await check({ AZURE_STORAGE_CONNECTION_STRING: `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas('racwdltf')}` });
    expect(
      target(withTags, 'storage').checks.every((c) => c.status === 'ok'),
      JSON.stringify(target(withTags, 'storage').checks),
    ).toBe(true);
  });

  it('--json: one object with every target, its checks and the exit code', async () => {
    const cli = await runCli(['check', '--json'], env({ AZURE_OPENAI_API_KEY: 'not-the-key' }), 90_000);
    expect(cli.code).toBe(2);
    const report = JSON.parse(cli.stdout) as CheckReport;
    expect(report).toMatchObject({ exitCode: 2, failures: 1, warnings: 0 });
    expect(report.targets.map((t) => [t.kind, t.name])).toEqual([
      ['deployment', 'img-prod-eastus'],
      ['storage', 'storage'],
    ]);
    expect(report.targets[0]!.about).toMatchObject({ model: 'gpt-image-2', provider: 'Azure OpenAI', auth: 'key', imagesPerMinute: 6 });
    expect(report.targets[0]!.checks.map((c) => [c.check, c.status])).toEqual([
      ['endpoint reachable', 'ok'],
      ['authentication', 'fail'],
      ['deployment exists', 'skip'],
      ['serves the model', 'skip'],
      ['quota plausible', 'ok'],
    ]);
    expect(report.targets[0]!.checks[1]).toMatchObject({ diagnosis: 'wrong-key', fix: containing('AZURE_OPENAI_API_KEY') });
  }, 120_000);

  it('--generate: the price first, then exactly one low-quality 1024x1024 image per deployment (both providers)', async () => {
    const file = join(dir, 'deployments.json');
    await writeFile(
      file,
      JSON.stringify({
        deployments: [
          { name: 'east', endpoint: api.url, deployment: 'img-prod-eastus', model: 'gpt-image-2', apiKey: KEY, imagesPerMinute: 6 },
          { name: 'mai', endpoint: api.url, deployment: 'MAI-Image-2e', apiKey: KEY, imagesPerMinute: 6 },
        ],
      }),
    );
    const seen = api.stats().requestLog.length;
    const cli = await runCli(['check', '--generate'], env({ POLYGLYPH_DEPLOYMENTS_FILE: file }), 90_000);
    expect(cli.code, cli.stdout + cli.stderr).toBe(0);
    // The price comes before any result.
    expect(cli.stdout.indexOf('--generate: 2 low-quality 1024x1024 images, one per deployment: about $0.006')).toBe(0);
    expect(cli.stdout).toContain('no price for MAI-Image-2e');
    expect(cli.stdout.match(/ok {4}generate one image +1024x1024 png/g)).toHaveLength(2);
    const generated = api
      .stats()
      .requestLog.slice(seen)
      .filter((entry) => entry.status === 200);
    expect(generated.map((entry) => [entry.deployment, entry.n, entry.size]).sort()).toEqual([
      ['MAI-Image-2e', 1, '1024x1024'],
      ['img-prod-eastus', 1, '1024x1024'],
    ]);
    expect(generated.find((entry) => entry.deployment === 'img-prod-eastus')!.parameters).toMatchObject({ quality: 'low' });
  }, 120_000);
});
