/**
 * The reference side of the analytics tests: Debian's python3 with pandas,
 * numpy and astropy. Tables travel as JSON (exact: int64 as digits, float32 as
 * the doubles they are, NaN/±Infinity/-0 spelled so Python reads them back),
 * and results come back with integers as strings and NaN as "NaN".
 *
 * When the tools are missing the comparisons skip with a warning locally and
 * fail under CI (`process.env.CI`): {@link pythonTest} does both.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { it } from 'vitest';
import type { Column } from '../../../src/table/column.js';
import { isValid } from '../../../src/table/column.js';

export const PYTHON = '/usr/bin/python3';

export const havePython = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import pandas, numpy, astropy, scipy']).status === 0;
if (!havePython) console.warn(`analytics tests: pandas/astropy comparisons SKIPPED (need ${PYTHON} with pandas, numpy, astropy, scipy)`);

/** `it` for a test that needs the reference tools: skipped with a warning locally, failing in CI. */
export function pythonTest(name: string, fn: () => void | Promise<void>, timeout?: number): void {
  if (havePython) it(name, fn, timeout);
  else if (process.env.CI) it(name, () => { throw new Error(`${PYTHON} with pandas, numpy, astropy and scipy is required in CI`); });
  else it.skip(`${name} (SKIPPED: no ${PYTHON} with pandas/astropy)`, fn);
}

/** JSON text of a value, exact for bigint, NaN, ±Infinity and -0 (Python's json reads all of them). */
export function pyJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    if (Object.is(v, -0)) return '-0.0';
    return String(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return `[${Array.from(v as ArrayLike<unknown>, pyJson).join(',')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}:${pyJson(x)}`).join(',')}}`;
}

/** A scalar column as `{ name, dtype, values }` with nulls as null. */
export function columnForPython(c: Column): { name: string; dtype: string; values: unknown[] } {
  const values: unknown[] = [];
  const d = c.data as ArrayLike<unknown>;
  for (let i = 0; i < c.length; i++) {
    if (!isValid(c, i)) values.push(null);
    else if (c.dtype === 'bool') values.push(d[i] !== 0);
    else values.push(d[i]);
  }
  return { name: c.name, dtype: c.dtype, values };
}

/**
 * Python helpers every script gets: `frame(cols)` builds a DataFrame the way
 * astropy's Table.to_pandas does (float nulls → NaN, integer columns with
 * nulls → nullable Int64/UInt64, strings with nulls → object with None);
 * `out(series)` encodes results (ints as strings, NaN as "NaN").
 */
export const PRELUDE = String.raw`
import sys, json, math
import numpy as np, pandas as pd
NP = {'float64': np.float64, 'float32': np.float32, 'int64': np.int64, 'uint64': np.uint64, 'int32': np.int32,
      'uint32': np.uint32, 'int16': np.int16, 'uint16': np.uint16, 'int8': np.int8, 'uint8': np.uint8}
NULLABLE = {'int64': 'Int64', 'uint64': 'UInt64', 'int32': 'Int32', 'uint32': 'UInt32', 'int16': 'Int16',
            'uint16': 'UInt16', 'int8': 'Int8', 'uint8': 'UInt8'}
def series(c, nullable=False):
    v, dt = c['values'], c['dtype']
    if dt in ('float64', 'float32'):
        return pd.Series(np.array([math.nan if x is None else x for x in v], dtype=NP[dt]))
    if dt in NULLABLE:
        if nullable or any(x is None for x in v):
            return pd.Series(pd.array(v, dtype=NULLABLE[dt]))
        return pd.Series(np.array(v, dtype=NP[dt]))
    if dt == 'bool':
        if nullable or any(x is None for x in v):
            return pd.Series(pd.array(v, dtype='boolean'))
        return pd.Series(np.array(v, dtype=bool))
    return pd.Series(np.array(v, dtype=object))
def frame(cols, nullable=False):
    return pd.DataFrame({c['name']: series(c, nullable) for c in cols})
def enc1(x):
    if x is None or x is pd.NA: return None
    if isinstance(x, (bool, np.bool_)): return bool(x)
    if isinstance(x, (int, np.integer)): return str(int(x))
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if math.isnan(x): return 'NaN'
        if math.isinf(x): return 'Infinity' if x > 0 else '-Infinity'
        return x
    return str(x)
def out(s):
    return {'dtype': str(s.dtype), 'values': [enc1(x) for x in s.tolist()]}
data = json.loads(sys.stdin.read())
`;

/** Run a script (after {@link PRELUDE}) with `data` = the input; it prints one JSON document. */
export function runPython<T>(script: string, input: unknown): T {
  const r = spawnSync(PYTHON, ['-c', PRELUDE + script], { input: pyJson(input), encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A result column as pandas-comparable values: ints as strings, NaN as "NaN", nulls null. */
export function columnValues(c: Column): unknown[] {
  const out: unknown[] = [];
  const d = c.data as ArrayLike<unknown>;
  for (let i = 0; i < c.length; i++) {
    if (!isValid(c, i)) out.push(null);
    else if (c.dtype === 'bool') out.push(d[i] !== 0);
    else {
      const x = d[i];
      if (typeof x === 'bigint') out.push(x.toString());
      else if (typeof x === 'number') {
        if (c.dtype === 'float32' || c.dtype === 'float64') out.push(Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : x);
        else out.push(String(x));
      } else out.push(x);
    }
  }
  return out;
}
