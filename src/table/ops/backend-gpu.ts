/**
 * The GPU table backend (backend.ts): FitsTable filters and sorts
 * on the GPU, with the CPU backend's answers bit for bit.
 *
 * filter: the checked expression is compiled to WGSL (compile-wgsl.ts; exact
 *   double semantics via integer emulation), one invocation per row writes a
 *   0/1 mask, an exclusive prefix sum of the mask gives every matching row its
 *   output slot, and a compaction writes the ascending row indices.
 *   Expressions the GPU cannot evaluate exactly (strings, `/`, `%`, libm
 *   functions) run on the CPU backend, with a `plan` event saying why.
 * sort: the order-preserving key words of sort/keys.ts (computed on
 *   the CPU, shared with the CPU radix sort) are uploaded and sorted by a stable
 *   LSD radix sort of the row permutation (radix.wgsl.ts: 4-bit digits, least
 *   significant key and word first, digits constant over all rows skipped),
 *   nulls placed by a final stable pass per key — the same stable order the CPU
 *   produces, multi-key, descending, NaN last. String keys longer than the key
 *   prefix (not `exact`) sort on the CPU.
 *
 * Every method returns a Promise (use FitsTable's filterAsync / sortAsync).
 * A GPU failure (device lost, out of memory) falls back to the CPU backend
 * with a `fallback` event.
 */
/// <reference types="@webgpu/types" preserve="true" />
import { FitsError } from '../../core/errors.js';
import type { Column } from '../column.js';
import { cellSize } from '../column.js';
import type { SortKeySpec, TableBackend, TableView } from './backend.js';
import { cpuBackend } from './backend-cpu.js';
import type { CheckedExpr } from './expression/check.js';
import { compileFilterWgsl, WgslUnsupported } from './expression/compile-wgsl.js';
import { nullFlags, sortKeyWords } from './sort/keys.js';
import { HISTOGRAM_BINDINGS, RADIX_BITS, RADIX_BLOCK, RADIX_HISTOGRAM_WGSL, RADIX_SCATTER_WGSL, RADIX_THREADS, SCATTER_BINDINGS } from './sort/radix.wgsl.js';
import { U } from '../../gpu/constants.js';
import { currentGpuContext, emitGpuEvent, requireGpu, type GpuContext } from '../../gpu/device.js';
import { isGpuLost, readBack, runPasses, wordsBuffer, type KernelPass } from '../../gpu/dispatch.js';
import { AUTO_THRESHOLDS } from '../../gpu/thresholds.js';
import { compactPass, scanPasses } from '../../gpu/scan.js';

/** Bindings of the compiled filter kernel: cols, mask, params. */
const FILTER_BINDINGS = ['r', 'w', 'r'] as const;

type Fixed = Exclude<Column['data'], string[]>;

function bytesOf(a: Fixed): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function cpuFilter(table: TableView, expr: CheckedExpr): Uint32Array {
  return cpuBackend.filter(table, expr) as Uint32Array;
}
function cpuSort(table: TableView, keys: readonly SortKeySpec[]): Uint32Array {
  return cpuBackend.sort(table, keys) as Uint32Array;
}

async function withFallback<T>(operation: string, gpu: () => Promise<T>, cpu: () => T): Promise<T> {
  try {
    return await gpu();
  } catch (e) {
    if (!(e instanceof FitsError) || e.code !== 'GPU' || /No WebGPU adapter|disabled/.test(e.message)) throw e;
    emitGpuEvent({ type: 'fallback', operation, reason: isGpuLost(e) ? 'device lost' : e.message });
    return cpu();
  }
}

/** Why the filter must run on the CPU, or the compiled kernel. */
function compileOrReason(table: TableView, expr: CheckedExpr): ReturnType<typeof compileFilterWgsl> | string {
  if (expr.kind === 'const') return 'a constant condition';
  try {
    const cols = table.columnNames.map((_, i) => table.columnAt(i));
    return compileFilterWgsl(expr, cols);
  } catch (e) {
    if (e instanceof WgslUnsupported) return `${e.message} cannot be evaluated exactly on the GPU`;
    throw e;
  }
}

async function gpuFilter(ctx: GpuContext, table: TableView, compiled: ReturnType<typeof compileFilterWgsl>): Promise<Uint32Array> {
  const n = table.numRows;
  if (n === 0) return new Uint32Array(0);
  // Pack the referenced columns (data, then validity) into one buffer, word-aligned.
  const parts: Uint8Array[] = [];
  const params: number[] = [n];
  let words = 0;
  const add = (b: Uint8Array): number => {
    const at = words;
    parts.push(b);
    words += Math.ceil(b.length / 4);
    return at;
  };
  for (const c of compiled.columns) {
    const col = table.columnAt(c);
    params.push(add(bytesOf(col.data as Fixed)));
    params.push(col.validity ? add(col.validity) : 0);
  }
  const bytes = Math.max(16, words * 4 + 8);
  if (bytes > ctx.maxBinding || n * 4 > ctx.maxBinding) throw new FitsError('GPU', `The filter needs ${bytes} bytes of columns, more than the device binds (${ctx.maxBinding}).`);
  const packed = new Uint8Array(bytes);
  let at = 0;
  for (const p of parts) {
    packed.set(p, at * 4);
    at += Math.ceil(p.length / 4);
  }
  const { pool } = ctx;
  const pipeline = await ctx.pipelines.get(compiled.code, 'main', {}, FILTER_BINDINGS);
  const cols = pool.upload(packed);
  const par = wordsBuffer(ctx, params);
  const mask = pool.acquire(n * 4, U.STORAGE | U.COPY_SRC);
  const prefix = pool.acquire(n * 4, U.STORAGE | U.COPY_DST | U.COPY_SRC);
  const total = pool.acquire(16, U.STORAGE | U.COPY_SRC);
  const out = pool.acquire(n * 4, U.STORAGE | U.COPY_SRC);
  const temps: GPUBuffer[] = [];
  try {
    await runPasses(ctx, [{ pipeline, buffers: [cols, mask, par], invocations: n }], [{ from: mask, to: prefix, size: n * 4 }]);
    const scan = await scanPasses(ctx, prefix, n, total);
    temps.push(...scan.temps);
    const compact = await compactPass(ctx, mask, prefix, out, n);
    temps.push(compact.params);
    await runPasses(ctx, [...scan.passes, compact.pass]);
    const t = await readBack(ctx, total, 4);
    const count = new Uint32Array(t.buffer, t.byteOffset, 1)[0]!;
    if (count === 0) return new Uint32Array(0);
    const r = await readBack(ctx, out, count * 4);
    return new Uint32Array(r.buffer, r.byteOffset, count);
  } finally {
    for (const b of [cols, par, mask, prefix, total, out, ...temps]) pool.release(b);
  }
}

/** The radix passes of one sort, CPU side: key words, digit shifts, null words. */
interface SortPlan {
  /** Per pass: the word array and the digit's shift. */
  passes: { word: Uint32Array; shift: number }[];
}

function planSort(table: TableView, keys: readonly SortKeySpec[]): SortPlan | string {
  const passes: SortPlan['passes'] = [];
  for (let s = keys.length - 1; s >= 0; s--) {
    const k = keys[s]!;
    const col = table.columnAt(k.column);
    if (cellSize(col) !== 1) return `sort key '${col.name}' is not a scalar column`;
    const kw = sortKeyWords(col, { descending: k.descending });
    if (!kw.exact) return `string key '${col.name}' is longer than the GPU key prefix`;
    for (let w = kw.words.length - 1; w >= 0; w--) {
      const word = kw.words[w]!;
      // Digits that are the same in every row move nothing: skip them.
      let or = 0;
      let and = 0xffffffff;
      for (let i = 0; i < word.length; i++) {
        or |= word[i]!;
        and &= word[i]!;
      }
      const varying = (or ^ and) >>> 0;
      const mask = (1 << RADIX_BITS) - 1;
      for (let shift = 0; shift < kw.bits[w]!; shift += RADIX_BITS) if ((varying >>> shift) & mask) passes.push({ word, shift });
    }
    const flags = nullFlags(col, 0);
    if (flags) {
      const first = k.nulls === 'first';
      const word = new Uint32Array(flags.length);
      for (let i = 0; i < flags.length; i++) word[i] = first ? flags[i]! ^ 1 : flags[i]!;
      passes.push({ word, shift: 0 });
    }
  }
  return { passes };
}

async function gpuSort(ctx: GpuContext, n: number, plan: SortPlan): Promise<Uint32Array> {
  const identity = new Uint32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  if (plan.passes.length === 0 || n < 2) return identity;
  if (n * 4 > ctx.maxBinding) {
    throw new FitsError('GPU', `Sorting ${n} rows needs more memory than the device binds (${ctx.maxBinding}).`);
  }
  const { pool } = ctx;
  const hist = await ctx.pipelines.get(RADIX_HISTOGRAM_WGSL, 'histogram', {}, HISTOGRAM_BINDINGS);
  const scatter = await ctx.pipelines.get(RADIX_SCATTER_WGSL, 'scatter', {}, SCATTER_BINDINGS);
  const blocks = Math.ceil(n / RADIX_BLOCK);
  let permA = pool.upload(identity, U.STORAGE | U.COPY_SRC);
  let permB = pool.acquire(n * 4, U.STORAGE | U.COPY_SRC);
  const buckets = 1 << RADIX_BITS;
  const offsets = pool.acquire(buckets * blocks * 4, U.STORAGE);
  const total = pool.acquire(16, U.STORAGE);
  const temps: GPUBuffer[] = [];
  const words = new Map<Uint32Array, GPUBuffer>();
  try {
    const passes: KernelPass[] = [];
    for (const p of plan.passes) {
      let wb = words.get(p.word);
      if (!wb) {
        wb = pool.upload(p.word);
        words.set(p.word, wb);
      }
      const params = wordsBuffer(ctx, [n, p.shift, blocks]);
      temps.push(params);
      passes.push({ pipeline: hist, buffers: [wb, permA, offsets, params], invocations: blocks * RADIX_THREADS, workgroupSize: RADIX_THREADS });
      const scan = await scanPasses(ctx, offsets, buckets * blocks, total);
      temps.push(...scan.temps);
      passes.push(...scan.passes);
      passes.push({ pipeline: scatter, buffers: [wb, permA, offsets, params, permB], invocations: blocks * RADIX_THREADS, workgroupSize: RADIX_THREADS });
      [permA, permB] = [permB, permA];
    }
    await runPasses(ctx, passes);
    const r = await readBack(ctx, permA, n * 4);
    return new Uint32Array(r.buffer, r.byteOffset, n);
  } finally {
    for (const b of [permA, permB, offsets, total, ...temps, ...words.values()]) pool.release(b);
  }
}

/** The GPU table backend (backend.ts loads it for `filterAsync` / `sortAsync` with `gpu: true` or `'auto'`). */
export const gpuTableBackend: TableBackend = {
  name: 'gpu',

  /**
   * For `gpu: 'auto'`: only when a hardware device is already running (this
   * check cannot wait for one), the table is large, and the job compiles.
   * Jobs marked `sync` (FitsTable's synchronous methods) are never taken:
   * every method of this backend is asynchronous.
   */
  supports(job) {
    if ((job as { sync?: boolean }).sync) return false;
    const ctx = currentGpuContext();
    if (!ctx || ctx.info.software) return false;
    if (job.table.numRows < AUTO_THRESHOLDS.tableRows) return false;
    if (job.kind === 'filter') return typeof compileOrReason(job.table, job.expr) !== 'string';
    return typeof planSort(job.table, job.keys) !== 'string';
  },

  async filter(table: TableView, expr: CheckedExpr): Promise<Uint32Array> {
    const compiled = compileOrReason(table, expr);
    if (typeof compiled === 'string') {
      emitGpuEvent({ type: 'plan', operation: 'table-filter', target: 'cpu', reason: compiled });
      return cpuFilter(table, expr);
    }
    const ctx = await requireGpu();
    emitGpuEvent({ type: 'plan', operation: 'table-filter', target: 'gpu', reason: `compiled to WGSL over ${compiled.columns.length} column(s)` });
    return withFallback('table-filter', () => gpuFilter(ctx, table, compiled), () => cpuFilter(table, expr));
  },

  async sort(table: TableView, keys: readonly SortKeySpec[]): Promise<Uint32Array> {
    const plan = planSort(table, keys);
    if (typeof plan === 'string') {
      emitGpuEvent({ type: 'plan', operation: 'table-sort', target: 'cpu', reason: plan });
      return cpuSort(table, keys);
    }
    const ctx = await requireGpu();
    emitGpuEvent({ type: 'plan', operation: 'table-sort', target: 'gpu', reason: `${plan.passes.length} radix pass(es)` });
    return withFallback('table-sort', () => gpuSort(ctx, table.numRows, plan), () => cpuSort(table, keys));
  },

};
