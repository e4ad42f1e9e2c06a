/**
 * A feature matrix for machine learning from a table and its schema
 * (schema.ts): numbers as one row-major Float32Array with a missing-value
 * mask, categorical columns as integer codes. The typed arrays go to
 * TensorFlow.js (`tf.tensor2d(m.values, m.shape)`,
 * `tf.tensor2d(m.codes, m.codesShape, 'int32')`) and onnxruntime-web
 * (`new ort.Tensor('float32', m.values, m.shape)`) as they are, without
 * copies.
 *
 * - numerical, celestial and numeric timestamp columns → float32 features
 *   (NaN where the value is null or NaN; `missing` is 1 there);
 * - categorical columns → codes: the index of the value among the column's
 *   distinct values in ascending order (`categories`), -1 for nulls;
 * - text, string timestamps, arrays and complex columns are left out
 *   (`skipped`, with the reason).
 */
import { FitsError } from '../../../core/errors.js';
import type { Column } from '../../column.js';
import { columnCodes } from './factorize.js';
import { tableSchema, type ColumnSemantics, type SchemaOptions } from './schema.js';
import type { TableSource } from './table-source.js';

/** A table's numeric features as one row-major Float32Array (rows × features), with each feature's name and source column ({@link FitsTable.features}). */
export interface FeatureMatrix {
  /** Numeric features, row-major: values[row * shape[1] + feature]. */
  values: Float32Array;
  shape: [number, number];
  /** Feature names, in column order. */
  names: string[];
  /** 1 where a numeric feature is missing (null or NaN), laid out like values. */
  missing: Uint8Array;
  /** Categorical codes, row-major: codes[row * codesShape[1] + k]; -1 for nulls. */
  codes: Int32Array;
  codesShape: [number, number];
  /** Each categorical column's values in code order. */
  categorical: { name: string; categories: (string | number | bigint | boolean)[] }[];
  /** Columns not in the matrix, and why. */
  skipped: { name: string; reason: string }[];
}

/** Options of {@link FitsTable.features}. */
export interface FeatureOptions extends SchemaOptions {
  /** Columns to use (default all). */
  columns?: readonly string[];
  /** A schema already computed (default: tableSchema(table, options)). */
  schema?: readonly ColumnSemantics[];
}

/** The feature matrix of a table (see the module doc). */
export function featureMatrix(table: TableSource, opts: FeatureOptions = {}): FeatureMatrix {
  const schema = opts.schema ?? tableSchema(table, opts);
  const want = opts.columns ? new Set(opts.columns) : null;
  if (want) for (const c of want) if (!table.columnNames.includes(c)) throw new FitsError('NOT_FOUND', `featureMatrix(): no column named '${c}'.`);
  const n = table.numRows;
  const numeric: { name: string; col: Column }[] = [];
  const cats: { name: string; col: Column }[] = [];
  const skipped: { name: string; reason: string }[] = [];
  schema.forEach((s, c) => {
    if (want && !want.has(s.name)) return;
    const col = table.columnAt(c);
    switch (s.semanticType) {
      case 'numerical':
      case 'celestial':
        numeric.push({ name: s.name, col });
        break;
      case 'timestamp':
        if (col.dtype === 'string') skipped.push({ name: s.name, reason: 'string timestamps: convert them to numbers (e.g. MJD) with withColumn first' });
        else numeric.push({ name: s.name, col });
        break;
      case 'categorical':
        cats.push({ name: s.name, col });
        break;
      default:
        skipped.push({ name: s.name, reason: `${s.semanticType} columns are not features` });
    }
  });
  const f = numeric.length;
  if (n * f > 2 ** 31) throw new FitsError('BAD_SIZE', `The feature matrix would hold ${n * f} values; select fewer columns or rows.`);
  const values = new Float32Array(n * f);
  const missing = new Uint8Array(n * f);
  numeric.forEach(({ col }, k) => {
    const d = col.data;
    const v = col.validity;
    const big = d instanceof BigInt64Array || d instanceof BigUint64Array;
    for (let i = 0; i < n; i++) {
      let x = big ? Number((d as BigInt64Array)[i]!) : ((d as Float64Array)[i]!);
      if (x !== x || (v && ((v[i >>> 3]! >>> (i & 7)) & 1) === 0)) {
        x = NaN;
        missing[i * f + k] = 1;
      }
      values[i * f + k] = x;
    }
  });
  const c = cats.length;
  const codes = new Int32Array(n * c);
  const categorical = cats.map(({ name, col }, k) => {
    const { codes: cc, count, na } = columnCodes(col, n);
    const nCat = na ? count - 1 : count;
    const first = new Int32Array(nCat).fill(-1);
    for (let i = 0; i < n; i++) {
      const code = na && na[i] ? -1 : cc[i]!;
      codes[i * c + k] = code;
      if (code >= 0 && first[code]! < 0) first[code] = i;
    }
    const d = col.data as ArrayLike<string | number | bigint>;
    const categories = Array.from(first, (i) => (col.dtype === 'bool' ? d[i] !== 0 : d[i]!));
    return { name, categories };
  });
  return { values, shape: [n, f], names: numeric.map((x) => x.name), missing, codes, codesShape: [n, c], categorical, skipped };
}
