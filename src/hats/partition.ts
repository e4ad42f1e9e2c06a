/**
 * HATS partitioning from a histogram of row counts per HEALPix pixel at the
 * histogram order H (hats' generate_alignment, without dropping empty
 * siblings): walking from the lowest order up, a pixel whose subtree holds at
 * most `maxRows` rows (and more than none) becomes one partition, unless an
 * ancestor already did; a pixel at order H with more rows than `maxRows` is an
 * error (raise H). With a fixed order K, every non-empty pixel at K is a
 * partition.
 */
import { FitsError } from '../core/errors.js';
import type { HatsPixel } from './layout.js';

/** The partitions planned from a histogram. */
export interface PartitionPlan {
  partitions: (HatsPixel & { rows: number })[];
  histogramOrder: number;
}

/**
 * Pixel → partition index at the deepest partition order M (-1: no
 * partition): a table of 12·4^M entries, small enough to stay in cache
 * (M is usually far below the histogram order).
 */
export function partitionMap(partitions: readonly HatsPixel[]): { order: number; map: Int32Array } {
  const order = partitions.reduce((m, p) => Math.max(m, p.order), 0);
  const map = new Int32Array(12 * 4 ** order).fill(-1);
  partitions.forEach((p, i) => {
    const per = 4 ** (order - p.order);
    map.fill(i, p.pixel * per, (p.pixel + 1) * per);
  });
  return { order, map };
}

/** Sums of the histogram at every order 0‥H (index k: order k). */
function nestedSums(histogram: ArrayLike<number>, order: number): ArrayLike<number>[] {
  // The histogram itself is the deepest level (no copy: it is the biggest).
  const sums: ArrayLike<number>[] = new Array(order + 1);
  sums[order] = histogram;
  for (let k = order; k > 0; k--) {
    const child = sums[k]!;
    const parent = new Float64Array(child.length / 4);
    for (let i = 0; i < child.length; i++) parent[i >>> 2]! += child[i]!;
    sums[k - 1] = parent;
  }
  return sums;
}

/** Partitions of at most `maxRows` rows each, between `lowestOrder` and the histogram's order. */
export function adaptivePartitions(histogram: ArrayLike<number>, histogramOrder: number, maxRows: number, lowestOrder = 0): PartitionPlan {
  if (histogram.length !== 12 * 4 ** histogramOrder) throw new FitsError('BAD_ARGUMENT', `A histogram at order ${histogramOrder} has ${12 * 4 ** histogramOrder} pixels, not ${histogram.length}.`);
  if (!(maxRows >= 1)) throw new FitsError('BAD_ARGUMENT', `The most rows per partition must be ≥ 1, not ${maxRows}.`);
  if (lowestOrder > histogramOrder) throw new FitsError('BAD_ARGUMENT', `The lowest order ${lowestOrder} is above the histogram order ${histogramOrder}.`);
  const sums = nestedSums(histogram, histogramOrder);
  const partitions: (HatsPixel & { rows: number })[] = [];
  let assigned = new Int32Array(0); // partition of each pixel at the previous order (-1: none yet)
  for (let k = lowestOrder; k <= histogramOrder; k++) {
    const s = sums[k]!;
    // The deepest level's assignments are never looked up: no table for it.
    const here = k < histogramOrder ? new Int32Array(s.length).fill(-1) : undefined;
    for (let i = 0; i < s.length; i++) {
      const parent = k > lowestOrder ? assigned[i >>> 2]! : -1;
      if (parent >= 0) {
        if (here) here[i] = parent;
      } else if (s[i] === 0) continue;
      else if (s[i]! <= maxRows) {
        if (here) here[i] = partitions.length;
        partitions.push({ order: k, pixel: i, rows: s[i]! });
      } else if (k === histogramOrder) {
        throw new FitsError('BAD_ARGUMENT', `HEALPix pixel ${i} at order ${k} holds ${s[i]} rows, more than --max-rows ${maxRows}: raise the histogram order (--histogram-order) or --max-rows.`);
      }
    }
    if (here) assigned = here;
  }
  return { partitions, histogramOrder };
}

/** Every non-empty pixel at `order` (≤ the histogram order) is a partition. */
export function fixedOrderPartitions(histogram: ArrayLike<number>, histogramOrder: number, order: number): PartitionPlan {
  if (order > histogramOrder) throw new FitsError('BAD_ARGUMENT', `The partition order ${order} is above the histogram order ${histogramOrder}.`);
  const sums = nestedSums(histogram, histogramOrder);
  const s = sums[order]!;
  const partitions: (HatsPixel & { rows: number })[] = [];
  for (let i = 0; i < s.length; i++) if (s[i]! > 0) partitions.push({ order, pixel: i, rows: s[i]! });
  return { partitions, histogramOrder };
}
