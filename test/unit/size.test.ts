import { describe, expect, it } from 'vitest';
import { normalisedSizeWarning, resolveSize } from '../../src/images/resolve-size.js';
import { NAMED_SIZES, nearestValidSize } from '../../src/images/size.js';

/** gpt-image-2's published rules, written out here rather than imported, so a wrong constant in src fails. */
function isValid(size: string): boolean {
  const [w, h] = size.split('x').map(Number) as [number, number];
  return w % 16 === 0 && h % 16 === 0 && Math.max(w, h) <= 3 * Math.min(w, h) && w * h >= 655_360 && w * h <= 8_294_400 && Math.max(w, h) <= 3840;
}

describe('gpt-image-2 size rules', () => {
  it.each([...NAMED_SIZES, '3840x2160', '2160x3840', '3824x2144', '2048x2048', '1536x512', '1024x640', 'AUTO', ' 1024 x 1024 '])('sends %j as written', (input) => {
    const result = resolveSize(input);
    expect(result).toMatchObject({ ok: true, derivation: { kind: input.trim().toLowerCase() === 'auto' ? 'auto' : 'exact' } });
    if (result.ok) expect(result.size).toBe(result.requested);
  });

  it('normalises the spelling', () => {
    expect(resolveSize(' 1536X1024 ')).toMatchObject({ ok: true, size: '1536x1024', requested: '1536x1024', width: 1536, height: 1024 });
    expect(resolveSize('1536 × 1024')).toMatchObject({ ok: true, size: '1536x1024' });
    expect(resolveSize('Auto')).toEqual({ ok: true, size: 'auto', requested: 'auto', derivation: { kind: 'auto' } });
  });

  it.each([
    ['1000x1000', '1008x1008', /not a multiple of 16/],
    ['4096x4096', '2880x2880', /edge above 3840/],
    ['4096x2048', '3840x1920', /edge above 3840/],
    ['3072x960', '2976x992', /wider than 3:1/],
    ['512x512', '816x816', /fewer than the minimum 655,360/],
    ['3840x3840', '2880x2880', /more than the maximum 8,294,400/],
    ['3200x2688', '3136x2640', /more than the maximum 8,294,400/],
  ])('normalises %s, outside the limits, to %s (keeping its aspect ratio) and says why', (input, expected, problem) => {
    const result = resolveSize(input);
    expect(result).toMatchObject({ ok: true, size: expected, requested: input, derivation: { kind: 'normalised' } });
    if (!result.ok || result.derivation.kind !== 'normalised') return;
    expect(result.derivation.problem).toMatch(problem);
    expect(isValid(result.size)).toBe(true);
  });

  it('words the normalisation warning as validate prints it', () => {
    const result = resolveSize('4096x4096');
    if (!result.ok || result.derivation.kind !== 'normalised') throw new Error('expected a normalised size');
    expect(normalisedSizeWarning({ requested: result.requested, size: result.size, problem: result.derivation.problem })).toEqual({
      message: "size 4096x4096 is outside gpt-image-2's limits; it will be requested as 2880x2880",
      hint: '4096x4096 has an edge above 3840; write 2880x2880 (or another valid size) to ask for it directly',
    });
  });

  it.each([
    ['big', /'big' is not a size/],
    ['1024', /not a size/],
    ['0x0', /edge of 0 pixels/],
    ['0x1024', /edge of 0 pixels/],
    ['1024x1024x2', /not a size/],
    ['-1024x1024', /not a size/],
  ])('rejects the malformed size %j', (input, message) => {
    const result = resolveSize(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toMatch(message);
      expect(result.hint).toContain('WIDTHxHEIGHT');
    }
  });

  it('normalises every well-formed size to a valid one, deterministically', () => {
    for (let w = 1; w <= 9000; w += 173) {
      for (let h = 1; h <= 9000; h += 211) {
        const result = resolveSize(`${w}x${h}`);
        expect(result.ok, `${w}x${h}`).toBe(true);
        if (!result.ok) continue;
        expect(isValid(result.size), `${w}x${h} -> ${result.size}`).toBe(true);
        expect(resolveSize(`${w}x${h}`)).toEqual(result);
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
