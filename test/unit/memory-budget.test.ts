import { describe, expect, it } from 'vitest';
import { MemoryBudget, imageMemoryBytes } from '../../src/images/memory-budget.js';

describe('memory budget: bytes held for images in one worker', () => {
  it('grants what fits, makes the rest wait in order, and gives the room to the next as bytes come back', async () => {
    const budget = new MemoryBudget(100);
    const releaseA = await budget.reserve(60);
    const order: string[] = [];
    const b = budget.reserve(60).then((release) => (order.push('b'), release));
    const c = budget.reserve(10).then((release) => (order.push('c'), release));
    await Promise.resolve();
    // c would fit, but waits behind b: no job starves behind smaller ones.
    expect(order).toEqual([]);
    expect(budget.heldBytes).toBe(60);
    releaseA();
    releaseA(); // twice is harmless
    const releaseB = await b;
    const releaseC = await c;
    expect(order).toEqual(['b', 'c']);
    expect(budget.heldBytes).toBe(70);
    releaseB();
    releaseC();
    expect(budget.heldBytes).toBe(0);
  });

  it('grants a reservation larger than the whole budget when nothing else is held, so it never waits forever', async () => {
    const budget = new MemoryBudget(100);
    const release = await budget.reserve(250);
    expect(budget.heldBytes).toBe(250);
    const next = budget.reserve(1);
    let granted = false;
    void next.then(() => (granted = true));
    await Promise.resolve();
    expect(granted).toBe(false);
    release();
    await next;
    expect(granted).toBe(true);
  });

  it('0 MB is no budget', async () => {
    const budget = MemoryBudget.fromMegabytes(0);
    await budget.reserve(10 ** 12);
    await budget.reserve(10 ** 12);
    expect(budget.heldBytes).toBe(0);
  });

  it('a 4K image reserves about 100 MB, a 1024x1024 one an eighth of it; transparency and auto counted', () => {
    expect(imageMemoryBytes({ size: '3840x2160' })).toBe(3840 * 2160 * 3 * 4);
    expect(imageMemoryBytes({ size: '1024x1024' })).toBe(1024 * 1024 * 3 * 4);
    expect(imageMemoryBytes({ size: '1024x1024', background: 'transparent' })).toBe(1024 * 1024 * 4 * 4);
    expect(imageMemoryBytes({ size: 'auto' })).toBe(1536 * 1024 * 3 * 4);
  });
});
