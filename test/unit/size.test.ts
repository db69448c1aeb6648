import { describe, expect, it } from 'vitest';
import { MAX_EDGE, MAX_PIXELS, MIN_PIXELS, NAMED_SIZES, nearestValidSize, parseSize } from '../../src/images/size.js';

function isValid(size: string): boolean {
  const [w, h] = size.split('x').map(Number) as [number, number];
  return w % 16 === 0 && h % 16 === 0 && Math.max(w, h) <= 3 * Math.min(w, h) && w * h >= MIN_PIXELS && w * h <= MAX_PIXELS && Math.max(w, h) <= MAX_EDGE;
}

describe('gpt-image-2 size rules', () => {
  it.each([...NAMED_SIZES, '3840x2160', '2160x3840', '3824x2144', '2048x2048', '1536x512', '1024x640', 'AUTO', ' 1024 x 1024 '])('accepts %j', (input) => {
    const result = parseSize(input);
    expect(result.ok).toBe(true);
  });

  it('normalises the spelling', () => {
    expect(parseSize(' 1536X1024 ')).toMatchObject({ ok: true, size: '1536x1024', width: 1536, height: 1024 });
    expect(parseSize('Auto')).toEqual({ ok: true, size: 'auto' });
  });

  it.each([
    ['1000x1000', /not a multiple of 16/],
    ['4096x2048', /edge above 3840/],
    ['3072x960', /wider than 3:1/],
    ['512x512', /fewer than the minimum 655,360/],
    ['3840x3840', /edge above 3840|more than the maximum/],
    ['3200x2688', /more than the maximum 8,294,400/],
    ['big', /not a size/],
    ['1024', /not a size/],
    ['large landscape', /not supported yet/],
  ])('rejects %s', (input, message) => {
    const result = parseSize(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('suggests a valid size near every invalid one', () => {
    for (let w = 100; w <= 5000; w += 173) {
      for (let h = 100; h <= 5000; h += 211) {
        const result = parseSize(`${w}x${h}`);
        if (result.ok) continue;
        const suggested = /nearest valid size is (\d+x\d+)/.exec(result.hint)?.[1];
        expect(suggested, `${w}x${h}: ${result.hint}`).toBeDefined();
        expect(isValid(suggested!), `${w}x${h} -> ${suggested}`).toBe(true);
      }
    }
  });

  it('maps any size to a valid one at about the same aspect ratio, and valid sizes to themselves', () => {
    for (let w = 16; w <= 8000; w += 97) {
      for (let h = 16; h <= 8000; h += 89) {
        const nearest = nearestValidSize(w, h)!;
        expect(isValid(`${nearest.width}x${nearest.height}`), `${w}x${h}`).toBe(true);
        const wanted = Math.min(Math.max(w / h, 1 / 3), 3);
        expect(Math.abs(Math.log(nearest.width / nearest.height / wanted))).toBeLessThan(0.12);
      }
    }
    for (const size of ['1024x1024', '1536x1024', '3824x2144', '1536x512']) {
      const [w, h] = size.split('x').map(Number) as [number, number];
      expect(nearestValidSize(w, h)).toEqual({ width: w, height: h });
    }
  });
});
