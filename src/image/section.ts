/**
 * Section planning: which byte ranges of an image hold a C-order section
 * `start`/`shape`/`step`. Pure: no I/O.
 */
import { FitsError } from '../core/errors.js';

/** An image section in C order (slowest axis first): where it starts, its shape, and the step along each axis. */
export interface SectionRequest {
  /** First index on each axis, C order (slowest first). Default: all zeros. */
  start?: readonly number[];
  /** Number of elements on each axis, C order. Default: to the end of each axis. */
  shape?: readonly number[];
  /** Step on each axis, C order. Default: all ones. */
  step?: readonly number[];
}

export interface ResolvedSection {
  start: number[];
  shape: number[];
  step: number[];
  /** Number of output elements (0 for an image without axes: NAXIS = 0 has no data). */
  count: number;
}

/** Validate a section against the image dimensions (C order). */
export function resolveSection(dims: readonly number[], req: SectionRequest, hdu?: number): ResolvedSection {
  const n = dims.length;
  const check = (name: string, a: readonly number[] | undefined) => {
    if (a !== undefined && a.length !== n) throw new FitsError('BAD_ARGUMENT', `${name} has ${a.length} axes but the image has ${n}.`, { hdu });
  };
  check('start', req.start);
  check('shape', req.shape);
  check('step', req.step);
  const start = req.start ? [...req.start] : new Array<number>(n).fill(0);
  const step = req.step ? [...req.step] : new Array<number>(n).fill(1);
  const shape = req.shape ? [...req.shape] : dims.map((d, i) => Math.max(0, Math.ceil((d - start[i]!) / step[i]!)));
  // No axes (NAXIS = 0) is no data: no elements, not one (astropy's data is None).
  let count = n === 0 ? 0 : 1;
  for (let i = 0; i < n; i++) {
    const s = start[i]!, c = shape[i]!, st = step[i]!;
    if (!Number.isInteger(s) || !Number.isInteger(c) || !Number.isInteger(st) || st < 1 || s < 0 || c < 0) {
      throw new FitsError('BAD_ARGUMENT', `Section axis ${i}: start, shape and step must be whole numbers (start ≥ 0, shape ≥ 0, step ≥ 1).`, { hdu });
    }
    if (c > 0 && s + (c - 1) * st >= dims[i]!) {
      throw new FitsError('BAD_ARGUMENT', `Section axis ${i} (start ${s}, shape ${c}, step ${st}) goes past the axis length ${dims[i]}.`, { hdu });
    }
    count *= c;
  }
  return { start, shape, step, count };
}

/** One contiguous run of source elements feeding consecutive output elements. */
export interface ElementRun {
  /** First source element (linear index in the full image). */
  src: number;
  /** Number of output elements (0 for an image without axes: NAXIS = 0 has no data). */
  count: number;
  /** Source stride between output elements (1 = contiguous). */
  stride: number;
  /** First output element. */
  out: number;
}

/**
 * The runs of a section, in output order, merging rows that are adjacent in
 * the file (e.g. full-width rows become one run).
 */
export function sectionRuns(dims: readonly number[], sec: ResolvedSection): ElementRun[] {
  const n = dims.length;
  const runs: ElementRun[] = [];
  if (sec.count === 0) return runs;
  if (n === 0) return runs;
  const strides = new Array<number>(n);
  let acc = 1;
  for (let i = n - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= dims[i]!;
  }
  const rowLen = sec.shape[n - 1]!;
  const rowStep = sec.step[n - 1]!;
  const idx = new Array<number>(Math.max(0, n - 1)).fill(0);
  let out = 0;
  for (;;) {
    let src = sec.start[n - 1]!;
    for (let i = 0; i < n - 1; i++) src += (sec.start[i]! + idx[i]! * sec.step[i]!) * strides[i]!;
    const last = runs[runs.length - 1];
    if (rowStep === 1 && last && last.stride === 1 && last.src + last.count === src && last.out + last.count === out) {
      last.count += rowLen;
    } else {
      runs.push({ src, count: rowLen, stride: rowStep, out });
    }
    out += rowLen;
    // Advance the outer index (odometer, fastest outer axis last).
    let k = n - 2;
    while (k >= 0) {
      idx[k]!++;
      if (idx[k]! < sec.shape[k]!) break;
      idx[k] = 0;
      k--;
    }
    if (k < 0) break;
  }
  return runs;
}
