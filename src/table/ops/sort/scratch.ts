/**
 * Reusable scratch Uint32Arrays for sorts and filters.
 *
 * V8 counts ArrayBuffer memory as "external" and starts a full garbage
 * collection after every ~64 MB of new ArrayBuffers; with millions of live JS
 * objects (string columns) each of those costs hundreds of milliseconds.
 * Reusing scratch buffers keeps a sort of n rows down to one new n-element
 * array (its result). Pooled buffers are held weakly, so an idle pool never
 * keeps memory from the collector.
 */
const pool: WeakRef<Uint32Array>[] = [];
const MAX_POOLED = 6;

/** A scratch buffer of at least `n` elements (contents undefined), as a length-n view. */
export function borrowU32(n: number): Uint32Array {
  let best = -1;
  for (let i = 0; i < pool.length; i++) {
    const b = pool[i]!.deref();
    if (!b) {
      pool.splice(i--, 1);
      continue;
    }
    // The smallest buffer that fits, not much bigger than needed.
    if (b.length >= n && b.length <= 2 * n + 4096 && (best < 0 || b.length < pool[best]!.deref()!.length)) best = i;
  }
  if (best >= 0) {
    const b = pool[best]!.deref()!;
    pool.splice(best, 1);
    return b.length === n ? b : b.subarray(0, n);
  }
  return new Uint32Array(n);
}

/** Give a buffer back (its whole underlying array) for reuse. */
export function releaseU32(...bufs: (Uint32Array | null | undefined)[]): void {
  for (const b of bufs) {
    if (!b || b.length < 1024) continue;
    const whole = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : new Uint32Array(b.buffer as ArrayBuffer);
    if (pool.some((r) => r.deref()?.buffer === whole.buffer)) continue;
    pool.push(new WeakRef(whole));
    if (pool.length > MAX_POOLED) pool.shift();
  }
}
