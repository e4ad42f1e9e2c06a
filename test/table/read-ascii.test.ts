/**
 * ASCII tables (XTENSION = 'TABLE') and random groups: field parsing (D
 * exponents, blanks, TNULL, widths → dtypes, correct rounding, scaling) and
 * group parameters/arrays with PSCAL/PZERO and BSCALE/BZERO.
 */
import { describe, expect, it } from 'vitest';
import { isValid, open } from '../helpers/fitsflow.js';
import { concat, headerBytes, kv, padData } from '../helpers/make-fits.js';

interface AsciiCol {
  name: string;
  tform: string;
  width: number;
  extra?: string[];
}

/** An ASCII table from row strings (each exactly the row width) and column definitions (in order, no gaps except `gap`). */
function asciiTable(cols: AsciiCol[], rows: string[], gap = 0): Uint8Array {
  let col = 1;
  const cards = [kv('XTENSION', 'TABLE'), kv('BITPIX', 8), kv('NAXIS', 2), kv('NAXIS1', rows[0]?.length ?? 0), kv('NAXIS2', rows.length), kv('PCOUNT', 0), kv('GCOUNT', 1), kv('TFIELDS', cols.length)];
  cols.forEach((c, i) => {
    cards.push(kv(`TTYPE${i + 1}`, c.name), kv(`TFORM${i + 1}`, c.tform), kv(`TBCOL${i + 1}`, col), ...(c.extra ?? []));
    col += c.width + gap;
  });
  const primary = headerBytes([kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 0), kv('EXTEND', true)]);
  const data = Uint8Array.from(rows.join(''), (ch) => ch.charCodeAt(0));
  return concat(primary, headerBytes(cards), padData(data).fill(0x20, data.length));
}

describe('ASCII tables', () => {
  const cols: AsciiCol[] = [
    { name: 'I4', tform: 'I4', width: 4 },
    { name: 'I8', tform: 'I8', width: 8, extra: [kv('TNULL2', '-999')] },
    { name: 'I20', tform: 'I20', width: 20 },
    { name: 'F', tform: 'F10.3', width: 10 },
    { name: 'E', tform: 'E14.6', width: 14 },
    { name: 'D', tform: 'D25.17', width: 25 },
    { name: 'S', tform: 'A6', width: 6, extra: [kv('TNULL7', 'NONE')] },
    { name: 'SC', tform: 'I5', width: 5, extra: [kv('TSCAL8', 0.5), kv('TZERO8', 100)] },
  ];
  const rows = [
    '  12' + '     -42' + '9223372036854775807'.padStart(20) + '    12.345' + '  1.500000E+03' + '  1.0000000000000001D-01'.padStart(25) + '  ab  ' + '   10',
    '-999' + '    -999' + '-9223372036854775808'.padStart(20) + '     12345' + '        -1e-05' + '0.10000000000000000555112' + 'NONE  ' + '  -20',
    '    ' + '        ' + ' '.repeat(20) + '          ' + '              ' + ' '.repeat(25) + '      ' + '     ',
    '  +7' + '  -999  ' + '1'.padStart(20) + '       nan' + '           inf' + '2.5d2'.padStart(25) + ' NONE ' + '    0',
  ];

  it('parses every field type', async () => {
    const file = await open(asciiTable(cols, rows));
    const t = await (await file.hdu(1)).readTable();
    const col = (name: string) => t.column(name);
    expect(t.numRows).toBe(4);
    expect(col('I4').dtype).toBe('int16');
    expect(Array.from(col('I4').data as Int16Array)).toEqual([12, -999, 0, 7]);
    expect(col('I8').dtype).toBe('int32');
    expect(Array.from(col('I8').data as Int32Array)).toEqual([-42, 0, 0, 0]);
    expect([0, 1, 2, 3].map((i) => isValid(col('I8'), i))).toEqual([true, false, true, false]); // TNULL matches with spaces trimmed
    expect(col('I20').dtype).toBe('int64');
    expect(Array.from(col('I20').data as BigInt64Array)).toEqual([2n ** 63n - 1n, -(2n ** 63n), 0n, 1n]);
    expect(Array.from(col('F').data as Float64Array)).toEqual([12.345, 12345, 0, NaN]);
    expect(Array.from(col('E').data as Float64Array)).toEqual([1500, -1e-5, 0, Infinity]);
    expect(Array.from(col('D').data as Float64Array)).toEqual([0.1, 0.1, 0, 250]);
    expect(col('S').data).toEqual(['  ab', 'NONE', '', ' NONE']);
    expect([0, 1, 2, 3].map((i) => isValid(col('S'), i))).toEqual([true, false, true, false]);
    expect(col('SC').dtype).toBe('float64');
    expect(Array.from(col('SC').data as Float64Array)).toEqual([105, 90, 0, 100]);
    await file.close();
  });

  it('TBCOL with gaps, subsets and batches', async () => {
    const gapped = asciiTable(cols.slice(0, 2), rows.map((r) => r.slice(0, 4) + ' | ' + r.slice(4, 12)), 3);
    const hdu = await (await open(gapped)).hdu(1);
    const part = await hdu.readTable({ columns: ['I8'], rows: { start: 1, count: 2 } });
    expect(Array.from(part.columns[0]!.data as Int32Array)).toEqual([0, 0]);
    expect(isValid(part.columns[0]!, 0)).toBe(false);
    const all: number[] = [];
    for await (const b of hdu.iterateTable({ rows: 3, columns: [0] })) all.push(...(b.columns[0]!.data as Int16Array));
    expect(all).toEqual([12, -999, 0, 7]);
  });

  it('a field that is not a number is CORRUPT_DATA', async () => {
    const hdu = await (await open(asciiTable([{ name: 'F', tform: 'F6.2', width: 6 }], ['1.5e3 ', '0x10  ']))).hdu(1);
    await expect(hdu.readTable()).rejects.toMatchObject({ code: 'CORRUPT_DATA', hdu: 1, offset: hdu.dataOffset + 6 });
  });
});

describe('random groups', () => {
  /** GROUPS=T, BITPIX 16, 3 groups of 2 parameters + a 2×3 array. */
  function groupsFile(extra: string[]): Uint8Array {
    const cards = [
      kv('SIMPLE', true), kv('BITPIX', 16), kv('NAXIS', 3), kv('NAXIS1', 0), kv('NAXIS2', 3), kv('NAXIS3', 2),
      kv('GROUPS', true), kv('PCOUNT', 2), kv('GCOUNT', 3), kv('PTYPE1', 'UU'), kv('PTYPE2', 'VV'), ...extra,
    ];
    const values: number[] = [];
    for (let g = 0; g < 3; g++) {
      values.push(100 + g, -g);
      for (let k = 0; k < 6; k++) values.push(g * 10 + k - 20);
    }
    const data = new Uint8Array(values.length * 2);
    values.forEach((v, i) => new DataView(data.buffer).setInt16(2 * i, v));
    return concat(headerBytes(cards), padData(data));
  }

  it('raw values when unscaled', async () => {
    const { data, params } = await (await (await open(groupsFile([]))).hdu(0)).readGroups();
    expect(data!.shape).toEqual([3, 2, 3]);
    expect(data!.dtype).toBe('int16');
    expect(Array.from(data!.data as Int16Array).slice(0, 7)).toEqual([-20, -19, -18, -17, -16, -15, -10]);
    expect(params.map((p) => [p.name, p.dtype, Array.from(p.data as Int16Array)])).toEqual([
      ['UU', 'int16', [100, 101, 102]],
      ['VV', 'int16', [0, -1, -2]],
    ]);
  });

  it('PSCAL/PZERO and BSCALE/BZERO give float64 in double precision', async () => {
    const file = await open(groupsFile([kv('PSCAL1', 0.1), kv('PZERO1', 1000), kv('PZERO2', 0.5), kv('BSCALE', 0.001), kv('BZERO', 1.5)]));
    const { data, params } = await (await file.hdu(0)).readGroups();
    expect(data!.dtype).toBe('float64');
    expect((data!.data as Float64Array)[0]).toBe(-20 * 0.001 + 1.5);
    expect(Array.from(params[0]!.data as Float64Array)).toEqual([100 * 0.1 + 1000, 101 * 0.1 + 1000, 102 * 0.1 + 1000]);
    expect(Array.from(params[1]!.data as Float64Array)).toEqual([0.5, -0.5, -1.5]);
  });
});
