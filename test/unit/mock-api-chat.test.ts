import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockImageApi, type MockImageApi } from '../../src/mock-api/server.js';
import { pseudoLocalize } from '../../src/mock-api/pseudo-localize.js';
import { TRANSLATION_SCHEMA } from '../../src/translation/translator.js';

let api: MockImageApi;
beforeAll(async () => {
  api = createMockImageApi({ apiKey: 'k', chatDeployments: ['gpt-4.1-mini'] });
  await api.listen();
});
afterAll(() => api.close());

const FORMAT = { type: 'json_schema', json_schema: { name: TRANSLATION_SCHEMA.name, strict: true, schema: TRANSLATION_SCHEMA.schema } };
const USER = JSON.stringify({ text: 'Polyglyph sale today', target_locale: 'hi', do_not_translate: ['Polyglyph'], glossary: {} });
const good = {
  messages: [
    { role: 'system', content: 'translate' },
    { role: 'user', content: USER },
  ],
  response_format: FORMAT,
};

async function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = { 'api-key': 'k' },
): Promise<{ status: number; json: { error?: { code?: unknown; message?: string; param?: unknown; type?: string }; choices?: Array<{ message: { content: string } }> } }> {
  const response = await fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as never };
}
const CHAT = '/openai/deployments/gpt-4.1-mini/chat/completions?api-version=2025-04-01-preview';

describe('stand-in chat completions (translations)', () => {
  it('answers a strict json_schema request with the JSON it asks for, in the target script, brand kept, the same every time', async () => {
    const first = await post(CHAT, good);
    expect(first.status).toBe(200);
    const answer = JSON.parse(first.json.choices![0]!.message.content) as { translation: string };
    expect(answer.translation).toMatch(/^Polyglyph [\p{Script=Devanagari} ]+$/u);
    const again = await post(CHAT, good);
    expect(JSON.parse(again.json.choices![0]!.message.content)).toEqual(answer);
    const v1 = await post('/openai/v1/chat/completions', { ...good, model: 'gpt-4.1-mini' });
    expect(v1.status).toBe(200);
  });

  it('is as strict as Azure: key, api-version, deployment, messages, response_format and the strict schema rules', async () => {
    expect((await post(CHAT, good, {})).status).toBe(401);
    expect((await post(CHAT, good, { 'api-key': 'wrong' })).status).toBe(401);
    expect((await post('/openai/deployments/gpt-4.1-mini/chat/completions', good)).status).toBe(404);
    expect(await post('/openai/deployments/nope/chat/completions?api-version=2025-04-01-preview', good)).toMatchObject({ status: 404, json: { error: { code: 'DeploymentNotFound' } } });
    expect(await post('/openai/v1/chat/completions', good)).toMatchObject({ status: 400, json: { error: { param: 'model', code: 'missing_required_parameter' } } });
    expect(await post(CHAT, { response_format: FORMAT })).toMatchObject({ status: 400, json: { error: { message: "Missing required parameter: 'messages'.", param: 'messages' } } });
    expect(await post(CHAT, { ...good, messages: [{ role: 'robot', content: 'x' }] })).toMatchObject({ status: 400, json: { error: { param: 'messages[0].role', code: 'invalid_value' } } });
    expect(await post(CHAT, { ...good, response_format: { type: 'xml' } })).toMatchObject({ status: 400, json: { error: { param: 'response_format.type' } } });
    const loose = { type: 'json_schema', json_schema: { name: 'translation', strict: true, schema: { type: 'object', properties: { translation: { type: 'string' } }, required: ['translation'] } } };
    expect(await post(CHAT, { ...good, response_format: loose })).toMatchObject({
      status: 400,
      json: {
        error: {
          type: 'invalid_request_error',
          param: 'response_format',
          message: "Invalid schema for response_format 'translation': In context=(), 'additionalProperties' is required to be supplied and to be false.",
        },
      },
    });
    const partial = {
      type: 'json_schema',
      json_schema: {
        name: 'translation',
        strict: true,
        schema: { type: 'object', properties: { translation: { type: 'string' }, notes: { type: 'string' } }, required: ['translation'], additionalProperties: false },
      },
    };
    expect((await post(CHAT, { ...good, response_format: partial })).json.error?.message).toContain("Missing 'notes'");
    expect((await post(CHAT, { ...good, response_format: { type: 'json_schema', json_schema: { name: 'bad name!', strict: true, schema: TRANSLATION_SCHEMA.schema } } })).status).toBe(400);
    expect(api.chatStats().byStatus).toMatchObject({ 401: 2, 404: 2 });
  });
});

describe('pseudo-localization', () => {
  it('maps letters into the target script, keeps protected terms, digits and punctuation; spaces only where the script uses them', () => {
    expect(pseudoLocalize('Up to 50% off', 'ja')).toMatch(/^[\p{Script=Hiragana}\p{Script=Katakana}]+50%[\p{Script=Hiragana}\p{Script=Katakana}]+$/u);
    expect(pseudoLocalize('Up to 50% off', 'ko')).toMatch(/^\p{Script=Hangul}+ \p{Script=Hangul}+ 50% \p{Script=Hangul}+$/u);
    expect(pseudoLocalize('Polyglyph days', 'bn', ['Polyglyph'])).toMatch(/^Polyglyph \p{Script=Bengali}+$/u);
    expect(pseudoLocalize('sale', 'zh-Hant')).toBe(pseudoLocalize('sale', 'zh-Hant'));
    expect(pseudoLocalize('sale', 'zh-Hans')).not.toBe(pseudoLocalize('sale', 'zh-Hant'));
  });
});
