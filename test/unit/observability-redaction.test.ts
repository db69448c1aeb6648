import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/create-logger.js';
import { CENSOR, scrubText } from '../../src/logging/redaction.js';

/** An error carrying the request it failed on, as HTTP clients' errors do (serialized with the error). */
class RestErrorLike extends Error {
  readonly request: { url: string; headers: Record<string, string> };
  constructor(message: string, headers: Record<string, string>) {
    super(message);
    this.request = { url: 'https://img-swe.openai.azure.com/openai/deployments/gpt-image-2/images/generations', headers };
  }
}

/** A logger writing into an array, as the CLI's logger writes to stderr. */
function captureLogger(secrets: string[] = []) {
  const lines: string[] = [];
  const logger = createLogger('debug', {}, { destination: { write: (line: string) => void lines.push(line) }, secrets });
  return { logger, lines };
}

const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const CONNECTION_STRING = `DefaultEndpointsProtocol=https;AccountName=prodassets;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net`;
const SAS_SIG = 'Zm9vYmFyc2lnbmF0dXJlMTIzNDU2Nzg5MA%3D';
const SAS_URL = `https://prodassets.blob.core.windows.net/localized-assets/a.png?sv=2024-08-04&se=2030-01-01&sp=r&sig=${SAS_SIG}`;
const SAS_CONNECTION_STRING = 'BlobEndpoint=https://prodassets.blob.core.windows.net/;SharedAccessSignature=sv=2024-08-04&ss=b&srt=sco&sp=rwl&sig=QWxhZGRpbjpvcGVuIHNlc2FtZQ%3D';
const API_KEY = '9f86d081884c7d659a2feaa0c55ad015';
const BEARER = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzIn0.c2lnbmF0dXJl';
const REDIS_PASSWORD = 'r3dis-Pa55word-xyz';
const LITERAL = 'plain-configured-key-without-any-pattern';

/** Every secret above, and the parts of them a partial leak would show. */
const SECRETS = [ACCOUNT_KEY, ACCOUNT_KEY.slice(0, 20), SAS_SIG, 'QWxhZGRpbjpvcGVuIHNlc2FtZQ', API_KEY, BEARER, BEARER.slice(0, 30), REDIS_PASSWORD, LITERAL];

function expectNoSecrets(lines: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(() => JSON.parse(line) as unknown).not.toThrow();
    for (const secret of SECRETS) expect(line, `a log line leaks ${secret}`).not.toContain(secret);
  }
}

describe('log redaction', () => {
  it('censors known secret fields at any depth, whatever their name case', () => {
    const { logger, lines } = captureLogger();
    logger.info(
      { apiKey: API_KEY, config: { apiKey: API_KEY, storageConnectionString: CONNECTION_STRING }, env: { AZURE_OPENAI_API_KEY: API_KEY, AZURE_STORAGE_CONNECTION_STRING: CONNECTION_STRING } },
      'configuration',
    );
    logger.info({ request: { headers: { 'api-key': API_KEY, Authorization: `Bearer ${BEARER}`, 'content-type': 'application/json' } } }, 'request');
    logger.info({ deployments: [{ name: 'swedencentral', api: { apiKey: API_KEY } }] }, 'deployments');
    expectNoSecrets(lines);
    const request = JSON.parse(lines[1]!) as { request: { headers: Record<string, string> } };
    expect(request.request.headers).toEqual({ 'api-key': CENSOR, Authorization: CENSOR, 'content-type': 'application/json' });
    expect((JSON.parse(lines[2]!) as { deployments: Array<{ name: string }> }).deployments[0]?.name).toBe('swedencentral');
  });

  it('scrubs secrets out of messages, bindings and error messages and stacks', () => {
    const { logger, lines } = captureLogger([LITERAL]);
    const child = logger.child({ redisUrl: `rediss://default:${REDIS_PASSWORD}@cache.redis.cache.windows.net:6380`, runId: 'r1' });
    child.error({ err: new Error(`upload to ${SAS_URL} failed`) }, 'upload failed');
    child.warn(`could not connect with ${CONNECTION_STRING}`);
    child.warn({ storage: SAS_CONNECTION_STRING }, 'storage by SAS');
    child.error({ err: new RestErrorLike(`Server failed to authenticate the request. Authorization: Bearer ${BEARER}`, { 'api-key': API_KEY }) }, 'api call failed');
    child.info({ body: `{"error":"bad","apiKey":"${API_KEY}"}` }, 'echoed body');
    child.info(`the key ${LITERAL} was rejected`);
    expectNoSecrets(lines);

    const first = JSON.parse(lines[0]!) as { redisUrl: string; runId: string; err: { message: string; stack: string } };
    // What is not secret stays, so the line is still useful.
    expect(first.redisUrl).toBe(`rediss://default:${CENSOR}@cache.redis.cache.windows.net:6380`);
    expect(first.runId).toBe('r1');
    expect(first.err.message).toContain('https://prodassets.blob.core.windows.net/localized-assets/a.png?sv=2024-08-04&se=2030-01-01&sp=r&sig=[redacted]');
    expect(first.err.stack).not.toContain(SAS_SIG);
    expect(lines[1]).toContain(`AccountName=prodassets;AccountKey=${CENSOR};EndpointSuffix=core.windows.net`);
  });

  it('leaves ordinary fields alone', () => {
    const text = 'apiKeyEnv SWE_KEY; inputsha256 9f2c...; https://img-swe.openai.azure.com/openai/deployments/gpt-image-2/images/generations?api-version=2025-04-01-preview';
    expect(scrubText(text)).toBe(text);
    const { logger, lines } = captureLogger();
    logger.info({ deployment: 'eastus2', usage: { inputTokens: 10, outputTokens: 4160 }, apiKeyEnv: 'SWE_KEY' }, 'item done');
    expect(JSON.parse(lines[0]!)).toMatchObject({ deployment: 'eastus2', usage: { inputTokens: 10, outputTokens: 4160 }, apiKeyEnv: 'SWE_KEY', msg: 'item done' });
  });

  it('scrubs each pattern from plain text', () => {
    expect(scrubText(`redis://:${REDIS_PASSWORD}@127.0.0.1:6379/0`)).toBe(`redis://:${CENSOR}@127.0.0.1:6379/0`);
    expect(scrubText(`Authorization: SharedKey prodassets:${ACCOUNT_KEY}`)).toBe(`Authorization: ${CENSOR}`);
    expect(scrubText(`token Bearer ${BEARER} expired`)).toBe(`token Bearer ${CENSOR} expired`);
    expect(scrubText(`AZURE_OPENAI_API_KEY=${API_KEY} npx polyglyph worker`)).toBe(`AZURE_OPENAI_API_KEY=${CENSOR} npx polyglyph worker`);
    expect(scrubText(`x?code=abc&sig=${SAS_SIG}#frag`)).toBe(`x?code=${CENSOR}&sig=${CENSOR}#frag`);
  });
});
