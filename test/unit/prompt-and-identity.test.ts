import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ManifestItem } from '../../src/manifest/manifest-item.js';
import { itemJobs } from '../../src/queue/item-jobs.js';
import { imageMetadata, imageSidecar } from '../../src/storage/image-blob-fields.js';
import { buildPrompt } from '../../src/prompts/build-prompt.js';
import { imageInputSha256, imageJobId, type ImageIdentityInput } from '../../src/queue/image-job.js';

describe('buildPrompt', () => {
  it('quotes supplied text verbatim and names its language and script', () => {
    const prompt = buildPrompt({ message: 'Spring Sale', locale: 'hi', text: 'वसंत सेल', direction: 'A park in bloom' });
    expect(prompt).toContain('"वसंत सेल"');
    expect(prompt).toContain('Hindi (हिन्दी)');
    expect(prompt).toContain('Devanagari');
    expect(prompt).toContain('exactly as written');
    expect(prompt).toContain('Creative direction: A park in bloom');
    expect(prompt).toContain('Context (the English source, do not render it): "Spring Sale"');
  });

  it('asks for a translation, in the right script, when no text is supplied', () => {
    const prompt = buildPrompt({ message: 'Free shipping', locale: 'zh-Hant', direction: '' });
    expect(prompt).toMatch(/^Translate the following message into natural, idiomatic Chinese \(Traditional\) \(繁體中文\)/);
    expect(prompt).toContain('Traditional Chinese characters');
    expect(prompt).toContain('"Free shipping"');
    expect(prompt).not.toContain('Context (');
  });

  it('is pinned byte for byte (the prompt is part of every image hash: a new wording pays for every image again), and NFC-normalises', () => {
    expect(buildPrompt({ message: 'Thank you', locale: 'ja', text: undefined, direction: ' Confetti ' })).toBe(
      'Translate the following message into natural, idiomatic Japanese (日本語) suitable for a marketing campaign, and render the translation as the only text in the image, written in Japanese script (kanji with hiragana and katakana):\n' +
        '"Thank you"\n' +
        'Render only the translation: no English, no transliteration, no other text.\n' +
        'Typography: a clean Japanese gothic (sans-serif) typeface such as Noto Sans JP, with correct kanji and kana forms; large, bold and high-contrast against its background, placed in a clear area of the image, every character crisp and legible.\n' +
        'Creative direction: Confetti',
    );
    const composed = buildPrompt({ message: 'x', locale: 'ko', text: '\uD55C', direction: '' }); // 한 as one code point
    const decomposed = buildPrompt({ message: 'x', locale: 'ko', text: '\u1112\u1161\u11AB', direction: '' }); // 한 as jamo
    expect(decomposed).toBe(composed);
    const different = buildPrompt({ message: 'x', locale: 'ko', text: '\uD55C', direction: 'other' });
    expect(different).not.toBe(composed);
  });
});

describe('image identity', () => {
  const base: ImageIdentityInput = {
    model: 'gpt-image-2',
    campaign: 'spring',
    messageId: 'hero',
    locale: 'ja',
    request: { prompt: 'p', size: '1024x1024', quality: 'high', format: 'png', outputCompression: undefined },
  };

  it('is the same for the same inputs and different when any input changes', () => {
    const hash = imageInputSha256(base);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(imageInputSha256(structuredClone(base))).toBe(hash);
    const changes: ImageIdentityInput[] = [
      { ...base, model: 'gpt-image-1' },
      { ...base, campaign: 'autumn' },
      { ...base, messageId: 'Hero' },
      { ...base, locale: 'ko' },
      { ...base, request: { ...base.request, prompt: 'p ' } },
      { ...base, request: { ...base.request, size: '1536x1024' } },
      { ...base, request: { ...base.request, quality: 'medium' } },
      { ...base, request: { ...base.request, format: 'jpeg' } },
      { ...base, request: { ...base.request, outputCompression: 80 } },
      { ...base, request: { ...base.request, background: 'transparent' } },
      { ...base, request: { ...base.request, background: 'opaque' } },
      { ...base, request: { ...base.request, background: 'auto' } },
      { ...base, request: { ...base.request, moderation: 'low' } },
      { ...base, request: { ...base.request, moderation: 'auto' } },
      { ...base, request: { ...base.request, background: 'opaque', moderation: 'low' } },
    ];
    const hashes = new Set(changes.map(imageInputSha256));
    expect(hashes.size).toBe(changes.length);
    expect(hashes.has(hash)).toBe(false);
  });

  it('hashes a request without background or moderation exactly as before they existed, so re-runs still skip', () => {
    // The formula of polyglyph/v1 before background and moderation, written out independently.
    const before = (request: ImageIdentityInput['request']) =>
      createHash('sha256')
        .update(
          JSON.stringify(['polyglyph/v1', base.model, base.campaign, base.messageId, base.locale, request.prompt, request.size, request.quality, request.format, request.outputCompression ?? null]),
          'utf8',
        )
        .digest('hex');
    expect(imageInputSha256(base)).toBe(before(base.request));
    const jpeg = { ...base.request, format: 'jpeg' as const, outputCompression: 70 };
    expect(imageInputSha256({ ...base, request: jpeg })).toBe(before(jpeg));
    expect(imageInputSha256({ ...base, request: { ...base.request, background: undefined, moderation: undefined } })).toBe(before(base.request));
  });

  it('job ids follow the inputs and the variant count, and are valid BullMQ custom ids', () => {
    const hash = imageInputSha256(base);
    expect(imageJobId(hash, 2)).not.toBe(imageJobId(hash, 1));
    expect(imageJobId(hash, 1)).not.toContain(':');
  });
});

describe('item jobs', () => {
  const item: ManifestItem = {
    line: 4,
    id: 'hero',
    message: 'Spring Sale',
    locales: ['ja', 'ko'],
    texts: {},
    prompt: '',
    size: '2880x2880',
    requestedSize: '4096x4096',
    quality: 'high',
    format: 'webp',
    compression: 60,
    background: 'transparent',
    moderation: 'low',
    variants: 2,
    campaign: 'spring',
  };
  const context = { runId: 'run-1', manifest: 'm.csv', model: 'gpt-image-2', attempts: 3, backoffMs: 10 };

  it('send the size to request and keep the size asked for, with every output parameter', () => {
    const [job] = itemJobs(item, context);
    expect(job!.data.request).toMatchObject({ size: '2880x2880', quality: 'high', format: 'webp', outputCompression: 60, background: 'transparent', moderation: 'low', n: 2 });
    expect(job!.data.requestedSize).toBe('4096x4096');
    const metadata = imageMetadata(job!.data, 1, { width: 2880, height: 2880, format: 'webp' }, 'swe');
    expect(metadata).toMatchObject({ size: '2880x2880', requestedsize: '4096x4096', compression: '60', background: 'transparent', moderation: 'low' });
    expect(imageSidecar(job!.data, { variant: 1, imageBlobName: 'x' }).request).toEqual({
      size: '2880x2880',
      requestedSize: '4096x4096',
      quality: 'high',
      format: 'webp',
      outputCompression: 60,
      background: 'transparent',
      moderation: 'low',
      n: 2,
    });
  });

  it('leave unset parameters out of the request and the metadata; a routed size shares the identity of its WxH', () => {
    const plain: ManifestItem = { ...item, size: '2048x1152', requestedSize: 'standard 16:9', format: 'png' };
    delete plain.compression;
    delete plain.background;
    delete plain.moderation;
    const [job] = itemJobs(plain, context);
    expect(Object.keys(job!.data.request)).not.toContain('background');
    expect(Object.keys(job!.data.request)).not.toContain('moderation');
    expect(job!.data.request.outputCompression).toBeUndefined();
    const metadata = imageMetadata(job!.data, 1, { width: 2048, height: 1152, format: 'png' }, 'swe');
    expect(metadata).not.toHaveProperty('compression');
    expect(metadata).not.toHaveProperty('background');
    expect(metadata.requestedsize).toBe('standard 16:9');
    const [literal] = itemJobs({ ...plain, requestedSize: '2048x1152' }, context);
    expect(literal!.data.inputSha256).toBe(job!.data.inputSha256);
  });
});
