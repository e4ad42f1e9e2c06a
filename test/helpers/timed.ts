import { expect } from 'vitest';

/**
 * Run `f` and fail if it took longer than `limitMs` (default 250 ms per call:
 * generous for a shared machine). Fuzz tests use it to show that a decoder's
 * loops are bounded by its input: a hang on a hostile input fails the test.
 */
export function timed<T>(f: () => T, limitMs = 250): T {
  const t0 = performance.now();
  const r = f();
  expect(performance.now() - t0).toBeLessThan(limitMs);
  return r;
}
