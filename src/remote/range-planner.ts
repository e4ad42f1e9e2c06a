/**
 * Range coalescing for remote reads: turn many small byte ranges into few
 * requests. Two ranges are merged when the hole between them is at most `gap`
 * bytes (fetching the hole costs less than another round trip), as long as the
 * merged request stays within `maxLength`; a single range longer than
 * `maxLength` is split, so that big reads run as parallel requests and a
 * retry repeats only one piece.
 */
import type { ByteRange } from '../core/byte-source.js';

export interface RangePlanOptions {
  /** Largest hole (bytes) worth fetching to save a request. Default 32 KiB. */
  gap?: number;
  /** Longest planned request (bytes). Default 8 MiB. */
  maxLength?: number;
}

export const DEFAULT_COALESCE_GAP = 32 * 1024;
export const DEFAULT_MAX_RANGE = 8 * 1024 * 1024;

/**
 * Plan the requests covering `ranges`: sorted, non-overlapping, each at most
 * `maxLength` long, every input byte covered. Empty ranges are ignored.
 */
export function planRanges(ranges: readonly ByteRange[], opts: RangePlanOptions = {}): ByteRange[] {
  const gap = Math.max(0, opts.gap ?? DEFAULT_COALESCE_GAP);
  const maxLength = Math.max(1, opts.maxLength ?? DEFAULT_MAX_RANGE);
  const sorted = ranges.filter((r) => r.length > 0).sort((a, b) => a.offset - b.offset);
  const merged: ByteRange[] = [];
  let start = -1;
  let end = -1;
  for (const r of sorted) {
    const rEnd = r.offset + r.length;
    if (start >= 0 && r.offset <= end + gap && Math.max(end, rEnd) - start <= maxLength) {
      end = Math.max(end, rEnd);
      continue;
    }
    if (start >= 0 && r.offset <= end) {
      // Overlaps the current group but would make it too long: continue after it.
      if (rEnd <= end) continue;
      merged.push({ offset: start, length: end - start });
      start = end;
      end = rEnd;
      continue;
    }
    if (start >= 0) merged.push({ offset: start, length: end - start });
    start = r.offset;
    end = rEnd;
  }
  if (start >= 0) merged.push({ offset: start, length: end - start });
  // Split what is still too long (single long inputs) into near-equal pieces.
  const out: ByteRange[] = [];
  for (const m of merged) {
    if (m.length <= maxLength) {
      out.push(m);
      continue;
    }
    const pieces = Math.ceil(m.length / maxLength);
    const step = Math.ceil(m.length / pieces);
    for (let at = 0; at < m.length; at += step) out.push({ offset: m.offset + at, length: Math.min(step, m.length - at) });
  }
  return out;
}

/** Bytes the plan fetches that no input asked for (the filled holes). */
export function planOverhead(ranges: readonly ByteRange[], plan: readonly ByteRange[]): number {
  const asked = planRanges(ranges, { gap: 0, maxLength: Number.MAX_SAFE_INTEGER });
  const sum = (rs: readonly ByteRange[]) => rs.reduce((a, r) => a + r.length, 0);
  return sum(plan) - sum(asked);
}

/** Index of the first planned range that ends after `offset` (plans are sorted and disjoint). */
export function firstOverlap(plan: readonly ByteRange[], offset: number): number {
  let lo = 0;
  let hi = plan.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = plan[mid]!;
    if (p.offset + p.length <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
