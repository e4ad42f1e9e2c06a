/** Bit-for-bit comparison of two typed arrays; NaNs of float types compare as NaN (JS does not keep NaN payloads). */
import type { ImageArray } from '../../src/image/pixel-type.js';

export function bitDiffs(got: ArrayLike<unknown> & ArrayBufferView, want: ArrayLike<unknown> & ArrayBufferView, max = 10): string[] {
  const out: string[] = [];
  if (got.constructor !== want.constructor) return [`type ${got.constructor.name} != ${want.constructor.name}`];
  if (got.length !== want.length) return [`length ${got.length} != ${want.length}`];
  const isF = got instanceof Float32Array || got instanceof Float64Array;
  const w = (got as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const view = (a: ArrayBufferView) =>
    w === 8 ? new BigUint64Array(a.buffer, a.byteOffset, got.length) : w === 4 ? new Uint32Array(a.buffer, a.byteOffset, got.length) : w === 2 ? new Uint16Array(a.buffer, a.byteOffset, got.length) : new Uint8Array(a.buffer, a.byteOffset, got.length);
  const g = view(got) as ArrayLike<number | bigint>;
  const h = view(want) as ArrayLike<number | bigint>;
  const gf = got as unknown as ArrayLike<number>;
  const hf = want as unknown as ArrayLike<number>;
  for (let i = 0; i < got.length && out.length < max; i++) {
    if (g[i] === h[i]) continue;
    if (isF && Number.isNaN(gf[i]) && Number.isNaN(hf[i])) continue;
    out.push(`[${i}] got ${String((got as unknown as ImageArray)[i])} (0x${g[i]!.toString(16)}) want ${String((want as unknown as ImageArray)[i])} (0x${h[i]!.toString(16)})`);
  }
  return out;
}
