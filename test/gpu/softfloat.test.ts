/**
 * The integer-only binary64 arithmetic every GPU kernel uses must give the
 * same bits as the CPU's IEEE doubles: add, sub, mul, and the conversions,
 * over random bit patterns and the hard cases (subnormals, overflow,
 * cancellation, ties, infinities, NaNs, signed zeros).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gpuCtx, haveGpu, noGpuReason } from './gpu-setup.js';
import { SOFTFLOAT_WGSL } from '../../src/wgsl/softfloat.js';
import { readBack, runPasses } from '../../src/gpu/dispatch.js';
import { LINEAR_INDEX, WORKGROUP } from '../../src/wgsl/grid.js';
import { xorshift32 } from '../helpers/xorshift.js';

const OUT_WORDS = 14;
const KERNEL = `${SOFTFLOAT_WGSL}
@group(0) @binding(0) var<storage, read> inp: array<vec4u>;
@group(0) @binding(1) var<storage, read_write> outp: array<u32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = ${LINEAR_INDEX};
  if (i >= arrayLength(&inp)) { return; }
  let q = inp[i];
  let a = q.xy;
  let b = q.zw;
  let o = i * ${OUT_WORDS}u;
  let s = f64_add(a, b); outp[o] = s.x; outp[o + 1u] = s.y;
  let d = f64_sub(a, b); outp[o + 2u] = d.x; outp[o + 3u] = d.y;
  let m = f64_mul(a, b); outp[o + 4u] = m.x; outp[o + 5u] = m.y;
  outp[o + 6u] = f64_to_f32(a);
  let e = f64_from_f32(b.x); outp[o + 7u] = e.x; outp[o + 8u] = e.y;
  let f = f64_from_i32(bitcast<i32>(b.y)); outp[o + 9u] = f.x; outp[o + 10u] = f.y;
  let g = f64_from_i64(a); outp[o + 11u] = g.x; outp[o + 12u] = g.y;
  outp[o + 13u] = f64_to_f32(m);
}`;

const f64 = new Float64Array(1);
const w64 = new Uint32Array(f64.buffer);
const f32 = new Float32Array(1);
const w32 = new Uint32Array(f32.buffer);
const i64 = new BigInt64Array(f64.buffer);

function bitsOf(x: number): [number, number] {
  f64[0] = x;
  return [w64[0]!, w64[1]!];
}
function numOf(lo: number, hi: number): number {
  w64[0] = lo;
  w64[1] = hi;
  return f64[0]!;
}
function isNaN64(lo: number, hi: number): boolean {
  return Number.isNaN(numOf(lo, hi));
}

/** The CPU's answers, as words in the kernel's output layout. */
function expected(a: [number, number], b: [number, number]): number[] {
  const x = numOf(a[0], a[1]);
  const y = numOf(b[0], b[1]);
  const out: number[] = [];
  out.push(...bitsOf(x + y), ...bitsOf(x - y), ...bitsOf(x * y));
  f32[0] = x;
  out.push(w32[0]!);
  w32[0] = b[0];
  out.push(...bitsOf(f32[0]!));
  out.push(...bitsOf(b[1] | 0));
  w64[0] = a[0];
  w64[1] = a[1];
  const big = i64[0]!;
  out.push(...bitsOf(Number(big)));
  f32[0] = x * y;
  out.push(w32[0]!);
  return out;
}

/** NaN slots of the output (compared as "is NaN"), per word pair / word. */
const PAIRS = [0, 2, 4, 7, 9, 11];
const SINGLES = [6, 13];

function compare(cases: [number, number, number, number][], got: Uint32Array): string[] {
  const bad: string[] = [];
  for (let i = 0; i < cases.length && bad.length < 20; i++) {
    const c = cases[i]!;
    const want = expected([c[0], c[1]], [c[2], c[3]]);
    const o = i * OUT_WORDS;
    for (const p of PAIRS) {
      const gl = got[o + p]!, gh = got[o + p + 1]!;
      const same = (gl === want[p] && gh === want[p + 1]) || (isNaN64(gl, gh) && isNaN64(want[p]!, want[p + 1]!));
      if (!same) bad.push(`case ${i} a=${numOf(c[0], c[1])} (${c[1].toString(16)}:${c[0].toString(16)}) b=${numOf(c[2], c[3])} (${c[3].toString(16)}:${c[2].toString(16)}) slot ${p}: got ${gh.toString(16)}:${gl.toString(16)} want ${want[p + 1]!.toString(16)}:${want[p]!.toString(16)}`);
    }
    for (const p of SINGLES) {
      const g = got[o + p]!;
      const nanG = (g & 0x7fffffff) > 0x7f800000;
      const nanW = (want[p]! & 0x7fffffff) > 0x7f800000;
      if (!(g === want[p] || (nanG && nanW))) bad.push(`case ${i} slot ${p}: got ${g.toString(16)} want ${want[p]!.toString(16)} a=${numOf(c[0], c[1])} b=${numOf(c[2], c[3])}`);
    }
  }
  return bad;
}

async function runCases(cases: [number, number, number, number][]): Promise<Uint32Array> {
  const ctx = gpuCtx!;
  const pipeline = await ctx.pipelines.get(KERNEL, 'main');
  const inp = ctx.pool.upload(Uint32Array.from(cases.flat()));
  const bytes = cases.length * OUT_WORDS * 4;
  const out = ctx.pool.acquire(bytes, 0x80 | 0x04);
  try {
    await runPasses(ctx, [{ pipeline, buffers: [inp, out], invocations: cases.length }]);
    const r = await readBack(ctx, out, bytes);
    return new Uint32Array(r.buffer, r.byteOffset, cases.length * OUT_WORDS);
  } finally {
    ctx.pool.release(inp);
    ctx.pool.release(out);
  }
}

const rng = xorshift32;

function hardCases(n: number, seed: number): [number, number, number, number][] {
  const r = rng(seed);
  const out: [number, number, number, number][] = [];
  const specials = [0, -0, 1, -1, 0.5, 1.5, 2 ** -1074, -(2 ** -1074), 2 ** -1022, 2 ** -1023, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, NaN, 2 ** 53, 2 ** 53 + 2, 3, 1 / 3, 2 ** 1023, 2 ** -149, 2 ** -126, 3.4028234663852886e38, 3.4028235677973366e38, 1.1754942106924411e-38, 7e-46, 1.401298464324817e-45];
  for (const x of specials) for (const y of specials) out.push([...bitsOf(x), ...bitsOf(y)]);
  // NaNs with payloads, both quiet and signalling.
  out.push([1, 0x7ff00000, 5, 0x7ff80000], [0, 0x7ff40000, 0, 0x3ff00000], [0, 0x3ff00000, 123, 0xfff00000]);
  while (out.length < n) {
    const kind = r() % 8;
    let ah = r(), al = r(), bh = r(), bl = r();
    if (kind === 1) {
      // near each other: cancellation
      bh = ah ^ (r() & 0x80000000);
      bl = al ^ (r() & 0xff);
    } else if (kind === 2) {
      // subnormal / tiny
      ah &= 0x801fffff;
      bh = (bh & 0x800fffff) | ((r() % 80) << 20);
    } else if (kind === 3) {
      // exponents a few apart (alignment, sticky bits)
      const e = (r() % 2046) + 1;
      ah = (ah & 0x800fffff) | (e << 20);
      bh = (bh & 0x800fffff) | (Math.max(1, Math.min(2046, e - 60 + (r() % 120))) << 20);
    } else if (kind === 4) {
      // products near overflow / underflow
      ah = (ah & 0x800fffff) | (((r() % 200) + 900) << 20);
      bh = (bh & 0x800fffff) | (((r() % 200) + 900) << 20);
    } else if (kind === 5) {
      // short significands: ties in rounding
      al &= 0xffff0000;
      bl &= 0xfff00000;
    } else if (kind === 6) {
      // small integers as doubles
      [al, ah] = bitsOf((r() | 0) >> (r() % 31));
      [bl, bh] = bitsOf((r() | 0) >> (r() % 31));
    }
    out.push([al >>> 0, ah >>> 0, bl >>> 0, bh >>> 0]);
  }
  return out;
}

describe.runIf(haveGpu)('binary64 on integers (WGSL) = CPU doubles', () => {
  it('hard cases and random bit patterns (200k)', async () => {
    const cases = hardCases(200_000, 12345);
    const got = await runCases(cases);
    expect(compare(cases, got)).toEqual([]);
    // The comparison itself notices a one-bit difference in any slot.
    for (const slot of [0, 3, 4, 6, 8, 10, 12, 13]) {
      const broken = got.slice(0, OUT_WORDS * 1000);
      broken[OUT_WORDS * 999 + slot]! ^= 1;
      expect(compare(cases.slice(0, 1000), broken).length).toBe(1);
    }
  });
  it('fast-check: arbitrary doubles', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.double(), fc.double()), { minLength: 1, maxLength: 2000 }), async (pairs) => {
        const cases = pairs.map(([x, y]) => [...bitsOf(x), ...bitsOf(y)] as [number, number, number, number]);
        const got = await runCases(cases);
        expect(compare(cases, got)).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});

describe.skipIf(haveGpu)('binary64 on integers (WGSL)', () => {
  it(`skipped: ${noGpuReason}`, () => {});
});
