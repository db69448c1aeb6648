import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inlineImageBytes, splitInlineImages } from '../../src/image-api/inline-images.js';

function answer(images: Buffer[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({ created: 1, data: images.map((image) => ({ b64_json: image.toString('base64'), revised_prompt: 'a "b64_json": trap' })), ...extra }));
}

describe("images decoded from the answer's bytes, not parsed as strings", () => {
  it('decodes every image exactly (all three padding cases) and leaves the rest of the body as JSON', () => {
    const images = [randomBytes(3000), randomBytes(3001), randomBytes(3002)];
    const split = splitInlineImages(answer(images, { usage: { total_tokens: 7 } }));
    expect(split.images).toHaveLength(3);
    const json = JSON.parse(split.text) as { data: Array<{ b64_json: string; revised_prompt: string }>; usage: unknown };
    expect(json.usage).toEqual({ total_tokens: 7 });
    expect(json.data.map((item) => item.revised_prompt)).toEqual(images.map(() => 'a "b64_json": trap'));
    json.data.forEach((item, index) => expect(inlineImageBytes(item.b64_json, split.images).equals(images[index]!)).toBe(true));
    expect(split.text.length).toBeLessThan(1000);
  });

  it("reads JSON's escaped slash", () => {
    const image = Buffer.from([0xff, 0xff, 0xff, 0xfb, 0xef, 0xbe]); // base64 '////++++'
    const body = Buffer.from(`{"data":[{"b64_json":"${image.toString('base64').replaceAll('/', '\\/')}"}]}`);
    const split = splitInlineImages(body);
    const json = JSON.parse(split.text) as { data: Array<{ b64_json: string }> };
    expect(inlineImageBytes(json.data[0]!.b64_json, split.images).equals(image)).toBe(true);
  });

  it('leaves a body whose b64_json is not base64 whole, for the ordinary parse', () => {
    const body = Buffer.from('{"data":[{"b64_json":"not base64!"}]}');
    expect(splitInlineImages(body)).toEqual({ text: body.toString('utf8'), images: [] });
    expect(inlineImageBytes('aGk=', [])).toEqual(Buffer.from('hi'));
  });
});
