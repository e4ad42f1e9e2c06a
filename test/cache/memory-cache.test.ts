import { describe, expect, it } from 'vitest';
import { MemoryBlockCache } from '../../src/cache/memory-cache.js';

const blk = (n: number, v = 0) => new Uint8Array(n).fill(v);

describe('MemoryBlockCache', () => {
  it('stores and finds blocks per object, counts hits and misses', () => {
    const c = new MemoryBlockCache({ maxBytes: 1000 });
    c.set('a', 0, blk(100, 1));
    c.set('b', 0, blk(100, 2));
    expect(c.get('a', 0)![0]).toBe(1);
    expect(c.get('b', 0)![0]).toBe(2);
    expect(c.get('a', 1)).toBeUndefined();
    expect(c.stats).toMatchObject({ hits: 2, misses: 1, bytes: 200, blocks: 2 });
    c.set('a', 0, blk(50, 3)); // replace
    expect(c.stats.bytes).toBe(150);
    c.deleteTag('a');
    expect(c.has('a', 0)).toBe(false);
    expect(c.stats.bytes).toBe(100);
  });

  it('evicts least recently used blocks to stay within the budget', () => {
    const c = new MemoryBlockCache({ maxBytes: 300 });
    for (let i = 0; i < 3; i++) c.set('x', i, blk(100));
    c.get('x', 0); // 0 is now most recent
    c.set('x', 3, blk(100));
    expect(c.has('x', 1)).toBe(false);
    expect(c.has('x', 0)).toBe(true);
    expect(c.stats.bytes).toBeLessThanOrEqual(300);
    c.set('x', 9, blk(301)); // larger than the budget: not kept
    expect(c.has('x', 9)).toBe(false);
  });

  it('a replaced block becomes most recent and keeps the byte count right; bytesOf and deleteTag per object', () => {
    const c = new MemoryBlockCache({ maxBytes: 300 });
    c.set('x', 0, blk(100));
    c.set('x', 1, blk(100));
    c.set('y', 0, blk(50));
    c.set('x', 0, blk(80, 7)); // replaced: now the most recent
    expect(c.stats).toMatchObject({ bytes: 230, blocks: 3 });
    expect(c.bytesOf('x')).toBe(180);
    c.set('z', 0, blk(100)); // 330 > 300: evicts the least recent, x#1
    expect(c.has('x', 1)).toBe(false);
    expect(c.get('x', 0)![0]).toBe(7);
    expect(c.stats.bytes).toBe(230);
    c.deleteTag('x');
    expect(c.bytesOf('x')).toBe(0);
    expect(c.stats).toMatchObject({ bytes: 150, blocks: 2 });
    c.clear();
    expect(c.stats).toMatchObject({ bytes: 0, blocks: 0 });
  });

  it('with next-use hints, drops what is needed furthest in the future (never-needed first, then unmanaged, then by distance)', () => {
    const c = new MemoryBlockCache({ maxBytes: 500 });
    c.set('soon', 0, blk(100));
    c.set('late', 0, blk(100));
    c.set('never', 0, blk(100));
    c.set('free', 0, blk(100));
    c.setNextUse('soon', 10);
    c.setNextUse('late', 50);
    c.setNextUse('never', Infinity);
    c.set('new', 0, blk(100));
    c.setNextUse('new', 5);
    expect(c.stats.bytes).toBe(500);
    c.set('more', 0, blk(100)); // over budget: evict to 90% = 450 → 'never' and then unmanaged 'free'... (only as much as needed)
    c.setNextUse('more', 6);
    expect(c.has('never', 0)).toBe(false);
    expect(c.has('soon', 0)).toBe(true);
    expect(c.has('late', 0)).toBe(true);
    c.set('x', 0, blk(100));
    c.setNextUse('x', 7);
    c.set('y', 0, blk(100));
    expect(c.has('free', 0)).toBe(false); // unmanaged goes before scheduled ones
    expect(c.has('soon', 0)).toBe(true);
    c.set('z', 0, blk(100));
    expect(c.has('late', 0)).toBe(false); // furthest next use
    expect(c.has('soon', 0)).toBe(true);
    expect(c.stats.bytes).toBeLessThanOrEqual(500);
  });
});
