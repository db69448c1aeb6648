import { describe, expect, it } from 'vitest';
import { MAI_MAX_ASPECT_RATIO, MAI_MAX_EDGE, MAI_MAX_PIXELS, MAI_MIN_EDGE, maiSizeProblem, nearestMaiSize } from '../../src/images/mai-size-rules.js';
import { maiRouteSize, resolveSizeFor, resolveSizeForModel } from '../../src/images/model-size.js';
import { sizeProblem } from '../../src/images/size.js';
import { SHAPES, SIZE_TIERS, TOKEN_BUCKETS } from '../../src/images/size-routing.js';
import { maiDimensionsProblem } from '../../src/mock-api/mai-rules.js';

const ASPECTS = ['square', 'landscape', 'portrait', '16:9', '9:16', '4:3', '3:4', '21:9', '9:21', '3:1', '1:3', '5:4'];
const ROUTES = [...SIZE_TIERS, ...TOKEN_BUCKETS.map((bucket) => `tokens:${bucket}`)].flatMap((route) => [route, ...ASPECTS.map((aspect) => `${route} ${aspect}`)]);

/** Widths and heights from 1 to 8000 pixels, unevenly spaced so few land on the 16-pixel grid. */
const EDGES = Array.from({ length: 120 }, (_, index) => Math.round(1 + index ** 1.86));

describe("MAI's size rules", () => {
  it('derive their long-edge and aspect limits from the documented ones', () => {
    expect([MAI_MIN_EDGE, MAI_MAX_PIXELS, MAI_MAX_EDGE]).toEqual([768, 1_048_576, 1360]);
    expect(MAI_MAX_ASPECT_RATIO).toBeCloseTo(1360 / 768);
    expect(maiSizeProblem(1360, 768)).toBeUndefined();
    expect(maiSizeProblem(1376, 768)).toMatch(/more than the maximum 1,048,576/);
    expect(maiSizeProblem(1024, 752)).toMatch(/below 768/);
    expect(maiSizeProblem(1000, 1000)).toMatch(/multiple of 16/);
    expect(maiSizeProblem(1024, 1024)).toBeUndefined();
  });

  it(`give every one of ${EDGES.length ** 2} requested sizes a valid nearest size, and leave valid sizes alone`, () => {
    for (const width of EDGES) {
      for (const height of EDGES) {
        const nearest = nearestMaiSize(width, height);
        expect(nearest, `${width}x${height}`).toBeDefined();
        expect(maiSizeProblem(nearest!.width, nearest!.height), `${width}x${height} -> ${nearest!.width}x${nearest!.height}`).toBeUndefined();
        // Deterministic: the same request always gives the same size (blob names depend on it).
        expect(nearestMaiSize(width, height)).toEqual(nearest);
        if (!maiSizeProblem(width, height)) expect(nearest).toEqual({ width, height });
      }
    }
  });

  it('keep the aspect ratio within the rules, and use nearly all the pixels for large requests', () => {
    for (const width of EDGES) {
      for (const height of EDGES) {
        const nearest = nearestMaiSize(width, height)!;
        const asked = Math.min(Math.max(width / height, 1 / MAI_MAX_ASPECT_RATIO), MAI_MAX_ASPECT_RATIO);
        // Rounding to 16 moves the aspect a little, most at the smallest sizes.
        expect(Math.abs(Math.log(nearest.width / nearest.height / asked)), `${width}x${height} -> ${nearest.width}x${nearest.height}`).toBeLessThan(0.05);
        if (width * height >= MAI_MAX_PIXELS) expect(nearest.width * nearest.height).toBeGreaterThan(0.93 * MAI_MAX_PIXELS);
      }
    }
  });

  it("are the stand-in's: both accept exactly the same sizes on a grid of 16", () => {
    for (let width = 512; width <= 1600; width += 16) {
      for (let height = 512; height <= 1600; height += 16) {
        expect(maiSizeProblem(width, height) === undefined, `${width}x${height}`).toBe(maiDimensionsProblem(width, height) === undefined);
      }
    }
  });
});

describe('model-aware size resolution', () => {
  it.each([
    ['1024x1024', '1024x1024', '1024x1024', 'exact'],
    ['1536x1024', '1536x1024', '1248x832', 'normalised'],
    ['1024x1536', '1024x1536', '832x1248', 'normalised'],
    ['4096x4096', '2880x2880', '1024x1024', 'normalised'],
    ['768x768', '816x816', '768x768', 'exact'],
    ['700x700', '816x816', '768x768', 'normalised'],
    ['1360x768', '1360x768', '1360x768', 'exact'],
    ['2000x500', '1728x576', '1360x768', 'normalised'],
    ['auto', 'auto', '1024x1024', 'normalised'],
    ['small', '1024x1024', '1024x1024', 'routed'],
    ['large 16:9', '3824x2144', '1360x768', 'routed'],
    ['standard landscape', '1888x1248', '1248x832', 'routed'],
    ['tokens:16', '816x816', '816x816', 'routed'],
    ['large 21:9', '3824x1632', '1360x768', 'routed'],
  ])('%s is %s for gpt-image-2 and %s for MAI (%s)', (input, gpt, mai, maiKind) => {
    const forGpt = resolveSizeForModel(input, 'gpt-image-2');
    const forMai = resolveSizeForModel(input, 'MAI-Image-2e');
    expect(forGpt.ok && forGpt.size).toBe(gpt);
    expect(forMai.ok && forMai.size).toBe(mai);
    expect(forMai.ok && forMai.derivation.kind).toBe(maiKind);
    // The same words are what each model was asked for.
    expect(forMai.ok && forGpt.ok && forMai.requested === forGpt.requested).toBe(true);
  });

  it(`gives every route (${ROUTES.length}) and many literal sizes a size each model family accepts`, () => {
    const literals = EDGES.filter((_, index) => index % 6 === 1).flatMap((width) => EDGES.filter((_, index) => index % 6 === 4).map((height) => `${width}x${height}`));
    for (const input of [...ROUTES, ...literals, 'auto']) {
      const gpt = resolveSizeFor(input, 'azure-openai');
      const mai = resolveSizeFor(input, 'mai');
      expect(gpt.ok && mai.ok, input).toBe(true);
      if (!gpt.ok || !mai.ok) continue;
      if (gpt.size !== 'auto') expect(sizeProblem(gpt.width!, gpt.height!), `${input} gpt ${gpt.size}`).toBeUndefined();
      expect(maiSizeProblem(mai.width!, mai.height!), `${input} mai ${mai.size}`).toBeUndefined();
      expect(mai.size).toBe(`${mai.width}x${mai.height}`);
    }
  });

  it('refuses for MAI exactly what it refuses for gpt-image-2 (malformed sizes), with the same message', () => {
    for (const input of ['big', '0x0', '1024', 'tokens:24', 'large 4:1', 'xlimage']) {
      expect(resolveSizeFor(input, 'mai')).toEqual(resolveSizeFor(input, 'azure-openai'));
      expect(resolveSizeFor(input, 'mai').ok).toBe(false);
    }
  });

  it('routes a tier to MAI at its aspect, as large as MAI allows for large tiers', () => {
    for (const [shape, [w, h]] of Object.entries(SHAPES)) {
      const size = maiRouteSize({ mode: 'legacy', tier: 'large', aspect: { label: shape, width: w, height: h } });
      expect(size.width * size.height, shape).toBeGreaterThan(0.98 * MAI_MAX_PIXELS);
    }
  });
});
