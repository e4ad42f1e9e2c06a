/**
 * The 'gpu' table backend gives the CPU backend's answers exactly (fast-check):
 * filters and sorts on random tables of every column type, with NaNs, -0,
 * infinities, ties, nulls and empty tables.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haveGpu, noGpuReason, watchFallbacks } from './gpu-setup.js';
import { FitsTable } from '../../src/table/ops/fits-table.js';
import type { Column, ColumnDType } from '../../src/table/column.js';
import type { SortKeySpec } from '../../src/table/ops/backend.js';
import { gpuTableBackend } from '../../src/table/ops/backend-gpu.js';
import { onGpuEvent, type GpuEvent } from '../../src/gpu/device.js';


const NUMERIC: ColumnDType[] = ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64'];
const CTOR: Record<string, new (n: number) => ArrayLike<number | bigint> & { [i: number]: number | bigint }> = {
  bool: Uint8Array, uint8: Uint8Array, int8: Int8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array,
} as never;

/** Values with many ties and the special cases of each type. */
function valueArb(dtype: ColumnDType): fc.Arbitrary<number | bigint | string> {
  switch (dtype) {
    case 'bool': return fc.constantFrom(0, 1);
    case 'uint8': return fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 255));
    case 'int8': return fc.oneof(fc.integer({ min: -128, max: 127 }), fc.constantFrom(-128, 0, 127));
    case 'int16': return fc.oneof(fc.integer({ min: -32768, max: 32767 }), fc.constantFrom(-1, 0, 3));
    case 'uint16': return fc.integer({ min: 0, max: 65535 });
    case 'int32': return fc.oneof(fc.integer(), fc.constantFrom(-2147483648, 0, 5, 2147483647));
    case 'uint32': return fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 2 ** 31, 2 ** 32 - 1));
    case 'int64': return fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(-(2n ** 63n), -1n, 0n, 9007199254740993n, 2n ** 63n - 1n));
    case 'uint64': return fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(0n, 2n ** 63n, 9007199254740993n, 2n ** 64n - 1n));
    case 'float32': return fc.oneof(fc.float(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1.5, 3));
    case 'float64': return fc.oneof(fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1.5, 3, 2 ** 53 + 2));
    default: return fc.constantFrom('', 'a', 'ab', 'b', 'M31', 'm31', 'ab ');
  }
}

interface ColSpec {
  dtype: ColumnDType;
  values: (number | bigint | string)[];
  nulls: boolean[] | null;
}

function column(name: string, s: ColSpec, n: number): Column {
  let data: Column['data'];
  if (s.dtype === 'string') data = s.values.slice(0, n).map((v) => String(v).replace(/ +$/, ''));
  else {
    const a = new CTOR[s.dtype]!(n);
    for (let i = 0; i < n; i++) a[i] = s.values[i]! as never;
    data = a as unknown as Column['data'];
  }
  let validity: Uint8Array | undefined;
  if (s.nulls && s.nulls.slice(0, n).some((x) => x)) {
    validity = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) if (!s.nulls[i]) validity[i >> 3]! |= 1 << (i & 7);
    if (s.dtype !== 'string') for (let i = 0; i < n; i++) if (s.nulls[i]) (data as unknown as { [i: number]: number | bigint })[i] = s.dtype.includes('64') && s.dtype !== 'float64' ? 0n : 0;
  }
  return { name, dtype: s.dtype, format: '', cellShape: [], length: n, data, ...(validity ? { validity } : {}) };
}

const tableArb = (types: ColumnDType[], maxRows: number) =>
  fc.integer({ min: 0, max: maxRows }).chain((n) =>
    fc
      .tuple(
        ...types.map((dtype) =>
          fc.record({
            dtype: fc.constant(dtype),
            values: fc.array(valueArb(dtype), { minLength: n, maxLength: n }),
            nulls: fc.option(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { nil: null }),
          }),
        ),
      )
      .map((specs) => new FitsTable(specs.map((s, i) => column(`C${i}_${s.dtype}`, s as ColSpec, n)), n)),
  );

/** Random filter expressions over the table's columns. */
function exprArb(t: FitsTable): fc.Arbitrary<string> {
  const names = t.columnNames;
  const num = names.filter((_, i) => NUMERIC.includes(t.columnAt(i).dtype));
  const bools = names.filter((_, i) => t.columnAt(i).dtype === 'bool');
  const strs = names.filter((_, i) => t.columnAt(i).dtype === 'string');
  const constant = fc.oneof(
    fc.integer({ min: -300, max: 300 }).map(String),
    fc.constantFrom('0', '-0', '0.5', '1e300', '-1e-300', '9007199254740993', '-9223372036854775808', '18446744073709551615', '2147483648', '3.4028234663852886e38'),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => String(x)),
  );
  const op = fc.constantFrom('<', '<=', '>', '>=', '==', '!=');
  const numExpr: fc.Arbitrary<string> = num.length
    ? fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...num) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...num), fc.constantFrom('+', '-', '*'), fc.oneof(fc.constantFrom(...num), constant)).map(([a, o, b]) => `(${a} ${o} ${b})`) },
        { weight: 1, arbitrary: fc.constantFrom(...num).map((a) => `abs(${a})`) },
        { weight: 1, arbitrary: fc.constantFrom(...num).map((a) => `-${a}`) },
      )
    : fc.constant('1');
  const atom = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(numExpr, op, constant).map(([a, o, c]) => `${a} ${o} ${c}`) },
    { weight: 2, arbitrary: fc.tuple(constant, op, numExpr).map(([c, o, a]) => `${c} ${o} ${a}`) },
    { weight: 2, arbitrary: fc.tuple(numExpr, op, numExpr).map(([a, o, b]) => `${a} ${o} ${b}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('isnan', 'isfinite', 'isinf', 'isnull'), numExpr).map(([f, a]) => `${f}(${a})`) },
    ...(bools.length ? [{ weight: 2, arbitrary: fc.oneof(fc.constantFrom(...bools), fc.tuple(fc.constantFrom(...bools), fc.constantFrom('==', '!='), fc.constantFrom(...bools)).map(([a, o, b]) => `${a} ${o} ${b}`), fc.constantFrom(...bools).map((b) => `isnull(${b})`)) }] : []),
    ...(strs.length ? [{ weight: 1, arbitrary: fc.constantFrom(...strs).map((s) => `${s} == 'a'`) }] : []),
  );
  return fc.oneof(
    { weight: 3, arbitrary: atom },
    { weight: 3, arbitrary: fc.tuple(atom, fc.constantFrom('&&', '||'), atom).map(([a, o, b]) => `(${a}) ${o} (${b})`) },
    { weight: 1, arbitrary: fc.tuple(atom, atom, atom).map(([a, b, c]) => `not ((${a}) && (${b})) || (${c})`) },
  );
}

describe.runIf(haveGpu)('GPU table backend = CPU backend', () => {
  it('filter: random tables of every type, random expressions', async () => {
    const w = watchFallbacks();
    const plans: GpuEvent[] = [];
    const stop = onGpuEvent((e) => e.type === 'plan' && plans.push(e));
    const types = fc.shuffledSubarray(['bool', ...NUMERIC, 'string'] as ColumnDType[], { minLength: 1, maxLength: 5 });
    await fc.assert(
      fc.asyncProperty(
        types.chain((ts) => tableArb(ts, 300)).chain((t) => fc.tuple(fc.constant(t), exprArb(t))),
        async ([t, text]) => {
          const want = t.filterIndices(text, { gpu: false });
          const got = await gpuTableBackend.filter(t, t.check(text));
          expect(Array.from(got), text).toEqual(Array.from(want));
        },
      ),
      { numRuns: 60 },
    );
    w.stop();
    stop();
    expect(w.events).toEqual([]);
    expect(plans.filter((p) => p.type === 'plan' && p.target === 'gpu').length).toBeGreaterThan(20);
  });

  it('filter through FitsTable.filterAsync({ gpu: true }), bigger tables', async () => {
    const n = 70_000;
    const a = new Float32Array(n);
    const b = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      a[i] = i % 97 === 0 ? NaN : Math.sin(i) * 100;
      b[i] = BigInt(i) * 131071n - 4000000n;
    }
    const t = new FitsTable(
      [
        { name: 'A', dtype: 'float32', format: 'E', cellShape: [], length: n, data: a },
        { name: 'B', dtype: 'int64', format: 'K', cellShape: [], length: n, data: b },
      ],
      n,
    );
    for (const text of ['A > 10 && B != 0', 'A * 2 - 3 <= 50 || isnan(A)', 'B > 9007199254740993 || A < -99.5']) {
      const cpu = t.filterIndices(text, { gpu: false });
      const gpu = await t.filterAsync(text, { gpu: true });
      expect(gpu.numRows).toBe(cpu.length);
      expect(Array.from(await gpuTableBackend.filter(t, t.check(text)))).toEqual(Array.from(cpu));
    }
  });

  it('sort: multi-key, descending, nulls first/last, NaN last, ties, empty tables', async () => {
    const w = watchFallbacks();
    const types = fc.shuffledSubarray(['bool', ...NUMERIC, 'string'] as ColumnDType[], { minLength: 1, maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(
        types.chain((ts) => tableArb(ts, 700)),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        fc.constantFrom('first', 'last') as fc.Arbitrary<'first' | 'last'>,
        async (t, desc, nulls) => {
          const names = t.columnNames;
          const descending = names.map((_, i) => desc[i]!);
          const want = t.sortIndices(names, { gpu: false, descending, nulls });
          const specs: SortKeySpec[] = names.map((_, i) => ({ column: i, descending: descending[i]!, nulls }));
          const got = await gpuTableBackend.sort(t, specs);
          expect(Array.from(got)).toEqual(Array.from(want));
        },
      ),
      { numRuns: 60 },
    );
    w.stop();
    expect(w.events).toEqual([]);
  });

  it('sort through FitsTable.sortAsync({ gpu: true }), 100k rows with ties', async () => {
    const n = 100_000;
    const x = new Float64Array(n);
    const k = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = i % 501 === 0 ? NaN : Math.round(Math.cos(i) * 1000) / 8;
      k[i] = (i * 7919) % 13;
    }
    const t = new FitsTable(
      [
        { name: 'X', dtype: 'float64', format: 'D', cellShape: [], length: n, data: x },
        { name: 'K', dtype: 'int16', format: 'I', cellShape: [], length: n, data: k },
      ],
      n,
    );
    const want = t.sortIndices(['K', 'X'], { gpu: false, descending: [true, false] });
    const got = await gpuTableBackend.sort(t, [
      { column: 1, descending: true, nulls: 'last' },
      { column: 0, descending: false, nulls: 'last' },
    ]);
    expect(Array.from(got)).toEqual(Array.from(want));
    const sorted = await t.sortAsync(['K', 'X'], { gpu: true, descending: [true, false] });
    expect(sorted.numRows).toBe(n);
  });

  it("'auto' never picks a software adapter; gpu: true without an adapter is FitsError('GPU')", async () => {
    const t = new FitsTable([{ name: 'A', dtype: 'int32', format: 'J', cellShape: [], length: 3, data: new Int32Array([3, 1, 2]) }], 3);
    expect(gpuTableBackend.supports!({ kind: 'sort', table: t, keys: [{ column: 0, descending: false, nulls: 'last' }] })).toBe(false);
    const { useGpu } = await import('../../src/gpu/device.js');
    useGpu(null);
    try {
      await expect(t.sortAsync('A', { gpu: true })).rejects.toMatchObject({ code: 'GPU' });
    } finally {
      useGpu(undefined);
    }
  });
});

describe.skipIf(haveGpu)('GPU table backend', () => {
  it(`skipped: ${noGpuReason}`, () => {});
});
