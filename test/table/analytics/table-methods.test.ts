/** FitsTable's analytics methods wrap the analytics functions. */
import { describe, expect, it } from 'vitest';
import { FitsTable } from '../../../src/table/ops/fits-table.js';

describe('FitsTable analytics methods', () => {
  const t = FitsTable.fromArrays({ BAND: ['g', 'r', 'g', 'r'], MAG: Float64Array.from([20, 21, 22, NaN]), RA: Float64Array.from([10, 10, 11, 12]), DEC: Float64Array.from([0, 0.0001, 1, 2]) });
  it('groupBy().agg(), join, xmatch, withColumn, describe, schema, features', () => {
    const g = t.groupBy('BAND');
    expect(g.numGroups).toBe(2);
    expect([...g.agg('count(),mean(MAG)').rows()]).toEqual([
      { BAND: 'g', 'count()': 2n, 'mean(MAG)': 21 },
      { BAND: 'r', 'count()': 2n, 'mean(MAG)': 21 },
    ]);
    const other = FitsTable.fromArrays({ BAND: ['r', 'z'], ZP: Float64Array.from([25, 26]) });
    expect(t.join(other, { on: 'BAND', how: 'left' }).column('ZP').data).toEqual(Float64Array.from([NaN, 25, NaN, 25]));
    expect(t.xmatch(t, { radius: '1arcsec' }).numRows).toBe(6);
    expect(t.withColumn('M2', 'MAG * 2').cell(2, 'M2')).toBe(44);
    expect(t.describe().numRows).toBe(4);
    expect(t.schema().map((s) => s.semanticType)).toEqual(['categorical', 'numerical', 'celestial', 'celestial']);
    expect(t.features().shape).toEqual([4, 3]);
  });
});
