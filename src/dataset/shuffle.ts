/**
 * Deterministic, seeded shuffles (the same seed and epoch give the same order
 * in every runtime): SplitMix32-style mixing of (seed, epoch) into a
 * Mulberry32 generator, then Fisher–Yates.
 */

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fold any finite number (or string) into 32 bits. */
export function seed32(seed: number | string): number {
  if (typeof seed === 'string') {
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return mix32(lo ^ mix32(hi + 0x9e3779b9));
}

/** The order of `n` items in `epoch` for `seed`: a permutation of 0..n-1. */
export function epochOrder(n: number, seed: number | string, epoch: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const rand = mulberry32(mix32(seed32(seed) ^ mix32(epoch + 0x632be5ab)));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/**
 * Rank `rank`'s share of an epoch's `order` when `worldSize` workers split
 * it: the items at positions rank, rank + worldSize, rank + 2·worldSize, …
 * Disjoint across ranks, and together every item exactly once (as PyTorch's
 * DistributedSampler with drop_last, minus its padding: shares differ in
 * length by at most one item).
 */
export function shardOf(order: Uint32Array, rank: number, worldSize: number): Uint32Array {
  const out = new Uint32Array(shardLength(order.length, rank, worldSize));
  for (let i = 0, p = rank; i < out.length; i++, p += worldSize) out[i] = order[p]!;
  return out;
}

/** How many of `n` items rank `rank` of `worldSize` gets per epoch (see shardOf). */
export function shardLength(n: number, rank: number, worldSize: number): number {
  return rank < n ? Math.floor((n - 1 - rank) / worldSize) + 1 : 0;
}
