// The unusable-deployment note keeps a fingerprint of the configuration that failed, so a fixed key
// releases the hold. It is keyed by a secret kept out of Redis: nothing in the note can be checked
// against a guess of the key without that secret.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentSpec } from '../../src/deployments/deployment-spec.js';
import { FINGERPRINT_SECRET_FILE, loadFingerprintSecret, processFingerprintSecret } from '../../src/deployments/fingerprint-secret.js';
import { configFingerprint } from '../../src/deployments/unusable-note.js';

const KEY = '0123456789abcdef0123456789abcdef';

function spec(apiKey: string): DeploymentSpec {
  return {
    name: 'img-prod-eastus',
    model: 'gpt-image-2',
    provider: 'azure-openai',
    imagesPerMinute: 60,
    api: { endpoint: 'https://contoso.openai.azure.com', deployment: 'img-prod-eastus', apiVersion: '2025-04-01-preview', apiKey } as DeploymentSpec['api'],
  };
}

/** Every plain (unkeyed) digest someone reading Redis could compute from a guessed key. */
function plainDigests(deployment: DeploymentSpec): string[] {
  const { api } = deployment;
  const fields = JSON.stringify([api.endpoint, api.gptEndpoint, api.deployment, api.apiVersion, api.apiStyle, api.apiKey, api.entraScope, deployment.model, deployment.provider]);
  return ['sha256', 'sha1', 'md5', 'sha512'].flatMap((algorithm) => [fields, api.apiKey ?? ''].map((text) => createHash(algorithm).update(text).digest('hex')));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pg-fingerprint-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('configFingerprint', () => {
  it('tells a changed key apart, is stable for the same one, and is no plain digest of the key or the settings', () => {
    const secret = processFingerprintSecret();
    const fingerprint = configFingerprint(spec(KEY), secret);
    expect(configFingerprint(spec(KEY), secret)).toBe(fingerprint);
    expect(configFingerprint(spec(`${KEY}x`), secret)).not.toBe(fingerprint);
    for (const digest of plainDigests(spec(KEY))) {
      expect(digest.startsWith(fingerprint.slice(0, 16))).toBe(false);
      expect(fingerprint.startsWith(digest.slice(0, 16))).toBe(false);
    }
    // Another secret, another fingerprint: the key alone does not make it.
    expect(configFingerprint(spec(KEY), Buffer.alloc(32, 7))).not.toBe(fingerprint);
  });
});

describe('loadFingerprintSecret', () => {
  it('keeps one owner-only secret in an existing data folder, the same for every later worker', async () => {
    const first = await loadFingerprintSecret(dir);
    expect(first.length).toBe(32);
    expect(await loadFingerprintSecret(dir)).toEqual(first);
    expect((await stat(join(dir, FINGERPRINT_SECRET_FILE))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dir, FINGERPRINT_SECRET_FILE), 'utf8')).trim()).toBe(first.toString('hex'));
  });

  it('without a data folder uses the process secret and creates nothing', async () => {
    const absent = join(dir, 'absent');
    expect(await loadFingerprintSecret(absent)).toBe(processFingerprintSecret());
    await expect(stat(absent)).rejects.toThrow(/ENOENT/);
  });
});
