import { describe, expect, it } from 'vitest';
import { LOCALE_CODES } from '../../src/locales/registry.js';
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

  it('is deterministic byte for byte, and NFC-normalises so equal text gives equal prompts', () => {
    for (const locale of LOCALE_CODES) {
      const input = { message: 'Thank you', locale, text: undefined, direction: ' Confetti ' };
      expect(buildPrompt(input)).toBe(buildPrompt({ ...input }));
    }
    const composed = buildPrompt({ message: 'x', locale: 'ko', text: '\uD55C', direction: '' }); // 한 as one code point
    const decomposed = buildPrompt({ message: 'x', locale: 'ko', text: '\u1112\u1161\u11AB', direction: '' }); // 한 as jamo
    expect(decomposed).toBe(composed);
    const different = buildPrompt({ message: 'x', locale: 'ko', text: '\uD55C', direction: 'other' });
    expect(different).not.toBe(composed);
  });
});

describe('image identity', () => {
  const base: ImageIdentityInput = {
    model: 'gpt-image-2', campaign: 'spring', messageId: 'hero', locale: 'ja',
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
    ];
    const hashes = new Set(changes.map(imageInputSha256));
    expect(hashes.size).toBe(changes.length);
    expect(hashes.has(hash)).toBe(false);
  });

  it('job ids follow the inputs and the variant count, and are valid BullMQ custom ids', () => {
    const hash = imageInputSha256(base);
    expect(imageJobId(hash, 1)).toBe(imageJobId(hash, 1));
    expect(imageJobId(hash, 2)).not.toBe(imageJobId(hash, 1));
    expect(imageJobId(hash, 1)).not.toContain(':');
  });
});
