/** schema() semantic types and the feature-matrix export. */
import { describe, expect, it } from 'vitest';
import { FitsTable } from '../../../src/table/ops/fits-table.js';
import { tableSchema } from '../../../src/table/ops/analytics/schema.js';
import { featureMatrix } from '../../../src/table/ops/analytics/features.js';
import type { Column } from '../../../src/table/column.js';
import { col } from './catalogs.js';

const n = 8;
const cols: Column[] = [
  { ...col('RA', 'float64', Float64Array.from({ length: n }, (_, i) => 10 + i)), unit: 'deg' },
  col('DEJ2000', 'float64', Float64Array.from({ length: n }, (_, i) => -5 + i)),
  { ...col('MJD', 'float64', Float64Array.from({ length: n }, (_, i) => 59000 + i)), unit: 'd' },
  { ...col('EXPTIME', 'float32', Float32Array.from({ length: n }, () => 30)), unit: 's' },
  col('FLAG', 'int16', Int16Array.from([0, 1, 0, 2, 1, 0, 0, 1])),
  col('BAND', 'string', ['g', 'r', 'i', 'g', 'r', 'g', 'z', 'i'], [false, false, false, true, false, false, false, false]),
  col('NAME', 'string', Array.from({ length: n }, (_, i) => `source number ${i}`)),
  col('DATE_OBS', 'string', Array.from({ length: n }, (_, i) => `2024-01-0${i + 1}T00:00:00`)),
  col('FLUX', 'float32', Float32Array.from({ length: n }, (_, i) => (i === 3 ? NaN : i * 1.5)), [false, false, false, false, false, true, false, false]),
  col('ID', 'int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i) + 2n ** 60n)),
  { name: 'SPEC', dtype: 'float32', format: '3E', cellShape: [3], length: n, data: new Float32Array(3 * n) },
  { name: 'LC', dtype: 'float64', format: 'PD()', cellShape: null, length: n, data: new Float64Array(4), offsets: Int32Array.from([0, 1, 1, 2, 2, 3, 3, 4, 4]) },
  col('OK', 'bool', Uint8Array.from({ length: n }, (_, i) => i % 2)),
];
const table = new FitsTable(cols, n);
const cards: Record<string, unknown> = { TFIELDS: 13, TIMESYS: 'TDB', TTYPE4: 'EXPTIME', TUCD4: 'time.duration;obs.exposure', TTYPE9: 'FLUX', TUCD9: 'phot.flux', TCOMM9: 'Aperture flux' };
const header = { get: (k: string) => cards[k], comment: (k: string) => (k === 'TTYPE4' ? 'exposure time' : undefined) };

describe('schema', () => {
  it('gives each column a semantic type, with unit, UCD, description and null count', () => {
    const s = tableSchema(table, { header });
    expect(Object.fromEntries(s.map((c) => [c.name, c.semanticType]))).toEqual({
      RA: 'celestial', DEJ2000: 'celestial', MJD: 'timestamp', EXPTIME: 'numerical', FLAG: 'categorical', BAND: 'categorical',
      NAME: 'text', DATE_OBS: 'timestamp', FLUX: 'numerical', ID: 'numerical', SPEC: 'embedding', LC: 'sequence_numerical', OK: 'categorical',
    });
    expect(s[0]).toMatchObject({ coordinate: 'ra', unit: 'deg', nullCount: 0 });
    expect(s[1]!.coordinate).toBe('dec');
    expect(s[2]).toMatchObject({ timeSystem: 'TDB', unit: 'd' });
    expect(s[3]).toMatchObject({ ucd: 'time.duration;obs.exposure', description: 'exposure time' });
    expect(s[4]).toMatchObject({ numCategories: 3 });
    expect(s[5]).toMatchObject({ nullCount: 1, numCategories: 4 });
    expect(s[8]).toMatchObject({ ucd: 'phot.flux', description: 'Aperture flux', nullCount: 2 });
  });
  it('exports a float32 feature matrix with a missing mask and categorical codes', () => {
    const m = featureMatrix(table, { header });
    expect(m.names).toEqual(['RA', 'DEJ2000', 'MJD', 'EXPTIME', 'FLUX', 'ID']);
    expect(m.shape).toEqual([n, 6]);
    expect(m.values[3 * 6 + 4]).toBeNaN();
    expect(m.missing[3 * 6 + 4]).toBe(1);
    expect(m.missing[5 * 6 + 4]).toBe(1);
    expect(m.values[1 * 6 + 0]).toBe(11);
    expect(m.categorical.map((c) => c.name)).toEqual(['FLAG', 'BAND', 'OK']);
    expect(m.categorical[1]!.categories).toEqual(['g', 'i', 'r', 'z']);
    expect(Array.from({ length: n }, (_, i) => m.codes[i * 3 + 1])).toEqual([0, 2, 1, -1, 2, 0, 3, 1]);
    expect(m.categorical[2]!.categories).toEqual([false, true]);
    expect(m.skipped.map((s) => s.name)).toEqual(['NAME', 'DATE_OBS', 'SPEC', 'LC']);
    expect(featureMatrix(table, { columns: ['FLUX'] }).shape).toEqual([n, 1]);
  });
});
