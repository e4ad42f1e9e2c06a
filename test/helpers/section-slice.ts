/** The reference for section reads: a section of a C-order array, element by element. */
import type { ImageArray } from '../../src/image/pixel-type.js';

/** Elements `start + idx * step` (idx < shape, per axis) of a C-order array with axis lengths `dims`, as numbers. */
export function sliceCOrder(data: ImageArray, dims: readonly number[], start: readonly number[], shape: readonly number[], step: readonly number[]): number[] {
  const out: number[] = [];
  const n = dims.length;
  const idx = new Array<number>(n).fill(0);
  const total = shape.reduce((a, b) => a * b, 1);
  for (let k = 0; k < total; k++) {
    let lin = 0;
    for (let i = 0; i < n; i++) lin = lin * dims[i]! + start[i]! + idx[i]! * step[i]!;
    out.push(Number(data[lin]));
    for (let i = n - 1; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
}
