import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { firstOverlap, planOverhead, planRanges } from '../../src/remote/range-planner.js';

describe('planRanges', () => {
  it('merges ranges closer than the gap and keeps far ones apart', () => {
    const plan = planRanges(
      [
        { offset: 0, length: 10 },
        { offset: 15, length: 5 },
        { offset: 1000, length: 10 },
      ],
      { gap: 8 },
    );
    expect(plan).toEqual([
      { offset: 0, length: 20 },
      { offset: 1000, length: 10 },
    ]);
    expect(planOverhead([{ offset: 0, length: 10 }, { offset: 15, length: 5 }], plan.slice(0, 1))).toBe(5);
  });

  it('splits ranges longer than maxLength into near-equal pieces', () => {
    const plan = planRanges([{ offset: 100, length: 1000 }], { maxLength: 300 });
    expect(plan.length).toBe(4);
    expect(plan.every((p) => p.length <= 300)).toBe(true);
    expect(plan[0]!.offset).toBe(100);
    expect(plan.reduce((a, p) => a + p.length, 0)).toBe(1000);
  });

  it('ignores empty ranges and handles unsorted, overlapping input', () => {
    expect(planRanges([])).toEqual([]);
    expect(planRanges([{ offset: 5, length: 0 }])).toEqual([]);
    expect(planRanges([{ offset: 50, length: 10 }, { offset: 0, length: 60 }, { offset: 10, length: 5 }], { gap: 0 })).toEqual([{ offset: 0, length: 60 }]);
  });

  it('property: covers every input byte with sorted, disjoint ranges within maxLength, and fetches no byte farther than gap from an input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ offset: fc.nat(5000), length: fc.nat(700) }), { maxLength: 40 }),
        fc.nat(300),
        fc.integer({ min: 1, max: 2000 }),
        (ranges, gap, maxLength) => {
          const plan = planRanges(ranges, { gap, maxLength });
          for (let i = 0; i < plan.length; i++) {
            expect(plan[i]!.length).toBeGreaterThan(0);
            expect(plan[i]!.length).toBeLessThanOrEqual(maxLength);
            if (i) expect(plan[i]!.offset).toBeGreaterThanOrEqual(plan[i - 1]!.offset + plan[i - 1]!.length);
          }
          const covered = (x: number) => plan.some((p) => x >= p.offset && x < p.offset + p.length);
          const wanted = (x: number) => ranges.some((r) => x >= r.offset && x < r.offset + r.length);
          for (const r of ranges) for (let x = r.offset; x < r.offset + r.length; x += 37) expect(covered(x)).toBe(true);
          for (const r of ranges) if (r.length) expect(covered(r.offset + r.length - 1)).toBe(true);
          // No planned byte is farther than `gap` from a wanted byte.
          for (const p of plan) {
            for (let x = p.offset; x < p.offset + p.length; x += 11) {
              if (wanted(x)) continue;
              let near = false;
              for (let d = 1; d <= gap && !near; d++) near = wanted(x - d) || wanted(x + d);
              expect(near).toBe(true);
            }
          }
          // firstOverlap finds the planned range holding each wanted offset.
          for (const r of ranges) {
            if (!r.length) continue;
            const i = firstOverlap(plan, r.offset);
            expect(plan[i]!.offset).toBeLessThanOrEqual(r.offset);
            expect(plan[i]!.offset + plan[i]!.length).toBeGreaterThan(r.offset);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
