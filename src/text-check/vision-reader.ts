import sharp from 'sharp';
import { InvalidResponseError } from '../errors/api-error.js';
import { ConfigError } from '../errors/polyglyph-error.js';
import { apiKeyAuth, entraIdAuth } from '../image-api/auth.js';
import { HttpImageClient } from '../image-api/http-exchange.js';
import { getLocale, type LocaleCode } from '../locales/registry.js';
import type { TextReader, TextReading } from './text-reader.js';

export interface VisionReaderSettings {
  endpoint?: string | undefined;
  visionDeployment?: string | undefined;
  apiVersion: string;
  apiKey?: string | undefined;
  requestTimeoutMs: number;
}

/**
 * Structured output (chat completions `response_format: json_schema`, strict): the answer is one
 * object with the transcription, so no prose around it has to be parsed away.
 */
const TRANSCRIPTION_FORMAT = {
  type: 'json_schema',
  json_schema: {
    name: 'transcription',
    strict: true,
    schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false },
  },
} as const;

/**
 * The second engine: a vision-capable chat deployment on Azure OpenAI asked to transcribe the text
 * of the image exactly (for stylised production images, where OCR struggles). The image goes as a
 * data URL, scaled to at most 1536 px (the model's detail tiles gain nothing beyond). Configured like
 * the image deployment: same resource endpoint, key or Entra ID, API version.
 */
export class VisionReader extends HttpImageClient implements TextReader {
  readonly engine: string;
  protected readonly label = 'vision chat API';

  constructor(options: ConstructorParameters<typeof HttpImageClient>[0] & { deployment: string }) {
    super(options);
    this.engine = `vision:${options.deployment}`;
  }

  static fromSettings(settings: VisionReaderSettings, options: { fetch?: typeof fetch } = {}): VisionReader {
    if (!settings.visionDeployment || !settings.endpoint) {
      throw new ConfigError('--text-check vision needs a vision-capable chat deployment and the resource endpoint', {
        hint: 'set POLYGLYPH_VISION_DEPLOYMENT (e.g. gpt-4.1) and AZURE_OPENAI_ENDPOINT, or use --text-check tesseract',
      });
    }
    const base = settings.endpoint.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/, '');
    const url = `${base}/openai/deployments/${encodeURIComponent(settings.visionDeployment)}/chat/completions?api-version=${encodeURIComponent(settings.apiVersion)}`;
    const auth = settings.apiKey ? apiKeyAuth(settings.apiKey) : entraIdAuth('https://cognitiveservices.azure.com/.default');
    // Deployment-style URL: the deployment picks the model, the body names none (as for images).
    return new VisionReader({ url, bodyModel: undefined, deployment: settings.visionDeployment, auth, timeoutMs: settings.requestTimeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) });
  }

  async read(image: Buffer, locale: LocaleCode, options: { signal?: AbortSignal } = {}): Promise<TextReading> {
    const jpeg = await sharp(image).flatten({ background: '#ffffff' }).resize(1536, 1536, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 90 }).toBuffer();
    const language = getLocale(locale);
    const body = {
      messages: [
        {
          role: 'system',
          content: 'You transcribe the text visible in images exactly as written, character for character, including mistakes, without translating, correcting or describing anything.',
        },
        {
          role: 'user',
          content: [
            {
              type: 'text',
              text: `Transcribe all text in this image. It should be ${language.englishName} in ${language.scriptName}, but write what is actually there. Return an empty string if there is no text.`,
            },
            { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}`, detail: 'high' } },
          ],
        },
      ],
      temperature: 0,
      response_format: TRANSCRIPTION_FORMAT,
    };
    const { json, requestId } = await this.post(this.url, JSON.stringify(body), { 'content-type': 'application/json' }, options.signal);
    return { text: transcription(json, requestId), engine: this.engine };
  }
}

/**
 * The transcription out of an Azure chat completion. Each way it can be missing is its own clear
 * failure: a structured-output refusal (`message.refusal`), an answer the output content filter
 * stopped (`finish_reason: content_filter`, no content), an answer cut off at the token limit
 * (`finish_reason: length`, unfinished JSON), or content that is not the schema's JSON.
 */
function transcription(json: unknown, requestId: string | undefined): string {
  const choice = (json as { choices?: Array<{ finish_reason?: unknown; message?: { content?: unknown; refusal?: unknown } }> }).choices?.[0];
  const content = choice?.message;
  if (typeof content?.refusal === 'string' && content.refusal !== '')
    throw new InvalidResponseError(`the vision model refused to transcribe: ${content.refusal.slice(0, 200)}`, 'vision_refusal', requestId);
  if (choice?.finish_reason === 'content_filter')
    throw new InvalidResponseError("the vision model's answer was stopped by the content filter (finish_reason content_filter)", 'content_filter', requestId);
  if (typeof content?.content !== 'string') throw new InvalidResponseError('the vision chat API answered without message content', 'malformed_response', requestId);
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.content);
  } catch {
    if (choice?.finish_reason === 'length')
      throw new InvalidResponseError("the vision model's answer was cut off at its token limit (finish_reason length) before the transcription JSON ended", 'malformed_response', requestId);
    throw new InvalidResponseError('the vision model did not answer with the transcription JSON', 'malformed_response', requestId);
  }
  const text = (parsed as { text?: unknown }).text;
  if (typeof text !== 'string') throw new InvalidResponseError('the vision model\'s JSON has no "text" string', 'malformed_response', requestId);
  return text;
}
