import { describe, expect, it } from 'vitest';
import { inspectImage } from '../../src/images/verify-image.js';
import { ImageRenderer } from '../../src/mock-api/render-image.js';
import { applySettingsPatch, initialSettings } from '../../src/mock-api/settings.js';

describe('stand-in noise images (for memory benchmarks)', () => {
  it('a 3840x2160 noise PNG is ~25 MB of real, decodable PNG; a flat one is small', async () => {
    const renderer = new ImageRenderer();
    const spec = { width: 3840, height: 2160, format: 'png' as const, compression: undefined, background: 'auto' as const, prompt: 'p', variant: 0 };
    const noise = await renderer.render({ ...spec, fill: 'noise' });
    expect(noise.length).toBeGreaterThan(24_000_000);
    expect(inspectImage(noise)).toMatchObject({ format: 'png', width: 3840, height: 2160 });
    expect((await renderer.render(spec)).length).toBeLessThan(1_000_000);
  });

  it('is a setting like the others: flat by default, noise through configure / POST /_admin/configure', () => {
    const settings = initialSettings({});
    expect(settings.imageFill).toBe('flat');
    expect(applySettingsPatch(settings, { imageFill: 'noise' }).imageFill).toBe('noise');
    expect(() => applySettingsPatch(settings, { imageFill: 'static' })).toThrow(/imageFill/);
  });
});
