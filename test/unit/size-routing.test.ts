import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { resolveSize } from '../../src/images/resolve-size.js';
import { sizeRoutingTable } from '../../src/images/size-routing-table.js';
import { SIZE_TIERS, TOKEN_BUCKETS } from '../../src/images/size-routing.js';

/**
 * gpt-image-2's documented limits, written out again here rather than imported, so a mistake in
 * src/images/size.ts cannot make this check agree with it.
 */
function acceptedByModel(size: string): boolean {
  const match = /^(\d+)x(\d+)$/.exec(size);
  if (!match) return false;
  const [w, h] = [Number(match[1]), Number(match[2])];
  const pixels = w * h;
  return w % 16 === 0 && h % 16 === 0 && Math.max(w, h) <= 3 * Math.min(w, h) && pixels >= 655_360 && pixels <= 8_294_400 && Math.max(w, h) <= 3840;
}

const SHAPES = [
  '',
  'square',
  'landscape',
  'portrait',
  '1:1',
  '16:9',
  '9:16',
  '4:3',
  '3:4',
  '3:2',
  '2:3',
  '21:9',
  '9:21',
  '5:4',
  '4:5',
  '2:1',
  '1:2',
  '3:1',
  '1:3',
  '7:3',
  '32:9',
  '1:1',
  '100:99',
  '999:333',
  '333:999',
  '17:13',
];
const PREFIXES = [...SIZE_TIERS, ...TOKEN_BUCKETS.map((bucket) => `tokens:${bucket}`)];

function resolved(input: string): { size: string; width: number; height: number } {
  const result = resolveSize(input);
  if (!result.ok) throw new Error(`${input}: ${result.message}`);
  if (result.derivation.kind !== 'routed') throw new Error(`${input} was not routed`);
  return { size: result.size, width: result.width!, height: result.height! };
}

describe('size routing (Polyglyph client-side tiers and token buckets)', () => {
  it.each(PREFIXES.flatMap((prefix) => SHAPES.filter((shape) => !/^32:9$/.test(shape)).map((shape) => `${prefix}${shape ? ` ${shape}` : ''}`)))('%s routes to a size gpt-image-2 accepts', (input) => {
    const { size } = resolved(input);
    expect(acceptedByModel(size), `${input} -> ${size}`).toBe(true);
    // A route is our choice of pixels: it stays clear of the 3840 edge the documents disagree on.
    expect(Math.max(...size.split('x').map(Number))).toBeLessThanOrEqual(3824);
  });

  it.each([
    ['small', '1024x1024'],
    ['standard 16:9', '2048x1152'],
    ['standard 9:16', '1152x2048'],
    ['large', '2880x2880'],
    ['large 16:9', '3824x2144'],
    ['large landscape', '3520x2352'],
    ['large portrait', '2352x3520'],
    ['small landscape', '1248x832'],
    ['tokens:16', '816x816'],
    ['tokens:96', '2880x2880'],
    ['tokens:64 16:9', '3056x1712'],
    ['tokens:48 16:9', '2560x1440'],
    ['  LARGE   Landscape ', '3520x2352'],
    ['Tokens : 64 16:9', '3056x1712'],
  ])('%j -> %s', (input, expected) => {
    expect(resolved(input).size).toBe(expected);
  });

  it('keeps the asked aspect within 2% and the orientation exactly', () => {
    for (const prefix of PREFIXES) {
      for (const [aspect, ratio] of [
        ['16:9', 16 / 9],
        ['9:16', 9 / 16],
        ['4:3', 4 / 3],
        ['21:9', 21 / 9],
        ['landscape', 1.5],
        ['portrait', 2 / 3],
        ['square', 1],
      ] as const) {
        const { width, height } = resolved(`${prefix} ${aspect}`);
        expect(Math.abs(Math.log(width / height / ratio)), `${prefix} ${aspect}: ${width}x${height}`).toBeLessThan(0.02);
      }
    }
  });

  it('grows with the tier and the bucket, and keeps the requested spelling', () => {
    const pixels = (input: string) => {
      const { width, height } = resolved(input);
      return width * height;
    };
    for (const aspect of ['', ' 16:9', ' portrait']) {
      expect(pixels(`small${aspect}`)).toBeLessThan(pixels(`standard${aspect}`));
      expect(pixels(`standard${aspect}`)).toBeLessThan(pixels(`large${aspect}`));
      const buckets = TOKEN_BUCKETS.map((bucket) => pixels(`tokens:${bucket}${aspect}`));
      expect([...buckets].sort((a, b) => a - b)).toEqual(buckets);
    }
    // tokens:16 is the model's minimum budget, tokens:96 its maximum
    expect(pixels('tokens:16')).toBeGreaterThanOrEqual(655_360);
    expect(pixels('tokens:16')).toBeLessThan(700_000);
    expect(pixels('tokens:96')).toBe(8_294_400);
    expect(resolveSize('  Large   LANDSCAPE')).toMatchObject({ ok: true, requested: 'large landscape' });
    expect(resolveSize('tokens: 64  16:9')).toMatchObject({ ok: true, requested: 'tokens:64 16:9' });
  });

  it.each([
    ['tokens:50', /not a token bucket/],
    ['tokens:', /not a token bucket/],
    ['tokens:24', /not a token bucket/],
    ['large 4:1', /wider than gpt-image-2's 3:1/],
    ['small 32:9', /wider than/],
    ['large 0:1', /zero side/],
    ['standard wide', /not a shape or an aspect/],
    ['landscape', /shape without a size/],
    ['16:9', /shape without a size/],
    ['huge', /not a size/],
    ['xlimage', /Foundry routing tier name/],
    ['large landscape 16:9', /not a shape or an aspect/],
  ])('rejects %j', (input, message) => {
    const result = resolveSize(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('the routing table in docs/sizes-and-models.md is the one the code computes', async () => {
    const readme = await readFile(new URL('../../docs/sizes-and-models.md', import.meta.url), 'utf8');
    const embedded = /<!-- size-routing-table:start -->\n([\s\S]*?)\n<!-- size-routing-table:end -->/.exec(readme)?.[1];
    expect(embedded, `docs/sizes-and-models.md needs this table between <!-- size-routing-table:start --> and <!-- size-routing-table:end -->:\n${sizeRoutingTable()}`).toBe(sizeRoutingTable());
  });
});
