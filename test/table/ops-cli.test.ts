/** `fitsflow table`: the command and its formatting. */
import { describe, expect, it } from 'vitest';
import { open } from '../helpers/fitsflow.js';
import { parseArgs, UsageError } from '../../src/cli/command.js';
import { applyTableOps, tableCommand } from '../../src/cli/table-command.js';
import { formatFloat32, formatTable, jsonValue, textValue } from '../../src/cli/table-text.js';
import { FitsTable } from '../../src/table/ops/fits-table.js';
import type { Column } from '../../src/table/column.js';
import { corpusPath } from '../helpers/corpus.js';
import { runCli } from '../helpers/run-cli.js';

const run = (...argv: string[]) => runCli(argv, { entry: (args, io) => tableCommand.run(parseArgs(args, tableCommand.options), io) });

function small(): FitsTable {
  const cols: Column[] = [
    { name: 'ID', dtype: 'int64', format: 'K', cellShape: [], length: 4, data: new BigInt64Array([9007199254740993n, 2n, 3n, -4n]) },
    { name: 'MAG', dtype: 'float32', format: 'E', cellShape: [], length: 4, data: new Float32Array([0.1, NaN, -Infinity, 21.5]), validity: new Uint8Array([0b1101]), unit: 'mag' },
    { name: 'NAME', dtype: 'string', format: '8A', cellShape: [], length: 4, data: ['M31', 'a,b', 'say "hi"', ''] },
    { name: 'OK', dtype: 'bool', format: 'L', cellShape: [], length: 4, data: new Uint8Array([1, 0, 1, 0]) },
    { name: 'V', dtype: 'float64', format: '2D', cellShape: [2], length: 4, data: new Float64Array([1, 2.5, 3, 4, 5, 6, 7, 8]) },
    { name: 'Z', dtype: 'complex64', format: 'C', cellShape: [], length: 4, data: new Float32Array([1, -2, 0, 0, 0, 0, 0, 0]) },
  ];
  return new FitsTable(cols, 4);
}

describe('table formatting', () => {
  it('prints float32 values at their shortest round-trip precision', () => {
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(Math.fround(21.5))).toBe('21.5');
    expect(formatFloat32(Math.fround(1 / 3))).toBe('0.33333334');
    expect(formatFloat32(Math.fround(1e-40))).toBe('1e-40');
    expect(formatFloat32(NaN)).toBe('nan');
    expect(formatFloat32(-Infinity)).toBe('-inf');
    expect(formatFloat32(-0)).toBe('-0');
  });

  it('text: aligned, with units, nulls as --', () => {
    const text = formatTable(small(), 'text');
    expect(text.split('\n')).toEqual([
      '              ID  MAG     NAME    OK        V      Z',
      '                  mag',
      '---------------- ---- -------- ----- -------- ------',
      '9007199254740993  0.1      M31  True [1, 2.5] (1-2j)',
      '               2   --      a,b False   [3, 4] (0+0j)',
      '               3 -inf say "hi"  True   [5, 6] (0+0j)',
      '              -4 21.5          False   [7, 8] (0+0j)',
    ]);
    expect(formatTable(small().slice(0, 0), 'text')).toMatch(/\(no rows\)$/);
  });

  it('csv: RFC 4180 quoting, nulls empty', () => {
    expect(formatTable(small(), 'csv').split('\n')).toEqual([
      'ID,MAG,NAME,OK,V,Z',
      '9007199254740993,0.1,M31,True,"[1, 2.5]",(1-2j)',
      '2,,"a,b",False,"[3, 4]",(0+0j)',
      '3,-inf,"say ""hi""",True,"[5, 6]",(0+0j)',
      '-4,21.5,,False,"[7, 8]",(0+0j)',
    ]);
  });

  it('json: exact integers, NaN/Infinity as strings, nulls null', () => {
    const text = formatTable(small(), 'json');
    // 2^53 + 1 as a string: a JSON number would be read back as 2^53 by JavaScript (and most JSON readers).
    expect(text.split('\n')[1]).toBe('  {"ID": "9007199254740993", "MAG": 0.10000000149011612, "NAME": "M31", "OK": true, "V": [1, 2.5], "Z": {"re": 1, "im": -2}},');
    expect(text.split('\n')[2]).toMatch(/^ {2}\{"ID": 2, /);
    // Valid JSON apart from the exact big integer (JSON.parse rounds it).
    const rows = JSON.parse(text) as Record<string, unknown>[];
    expect(rows.length).toBe(4);
    expect(rows[1]!.MAG).toBeNull();
    expect(rows[2]!.MAG).toBe('-Infinity');
    expect(rows[2]!.NAME).toBe('say "hi"');
    expect(formatTable(small().slice(0, 0), 'json')).toBe('[]');
    expect(jsonValue(NaN)).toBe('"NaN"');
    expect(textValue(new Int16Array([1, -2]), 'int16')).toBe('[1, -2]');
  });

  it('applyTableOps filters, sorts, selects and limits', () => {
    const t = applyTableOps(small(), { where: 'OK || ID < 0', sort: ['ID'], descending: true, columns: ['name', 'ID'], limit: 2 });
    expect(t.columnNames).toEqual(['NAME', 'ID']);
    expect([...t.rows()]).toEqual([
      { NAME: 'M31', ID: 9007199254740993n },
      { NAME: 'say "hi"', ID: 3n },
    ]);
  });
});

describe('fitsflow table', () => {
  const big = corpusPath('tables/bintable_big.fits');

  it('reads the first table HDU and prints what is asked', async () => {
    const r = await run(big, '--columns', 'TIME,PHA,SRC', '--where', 'PHA > 1000 && CCD == 2', '--sort', 'PHA,TIME', '--desc', '--limit', '3', '--format', 'csv');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('TIME,PHA,SRC');
    expect(lines.length).toBe(4);
    // Cross-check with the library.
    const file = await open(big);
    try {
      const t = (await (await file.hdu(1)).readTable()).filter('PHA > 1000 && CCD == 2').sort(['PHA', 'TIME'], { descending: true }).head(3);
      expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual([...t.rows()].map((row) => String(row.PHA)));
    } finally {
      await file.close();
    }
  });

  it('accepts --hdu by name and prints text and json', async () => {
    const text = await run(big, '--hdu', 'EVENTS', '--columns', 'ID,ENERGY', '--limit', '2');
    expect(text.out.split('\n').length).toBe(2 + 2);
    expect(text.out.split('\n')[0]).toMatch(/^\s*ID\s+ENERGY$/);
    const json = await run(big, '--hdu', '1', '--columns', 'ID', '--limit', '1', '--format', 'json');
    expect(json.out).toMatch(/^\[\n {2}\{"ID": \d+\}\n\]$/);
  });

  it('rejects bad usage', async () => {
    await expect(run()).rejects.toBeInstanceOf(UsageError);
    await expect(run(big, '--limit', 'x')).rejects.toThrow(/--limit/);
    await expect(run(big, '--format', 'xml')).rejects.toThrow(/--format/);
    await expect(run(big, '--desc')).rejects.toThrow(/--desc needs --sort/);
    await expect(run(big, '--bogus')).rejects.toThrow(/unknown option --bogus/);
    await expect(run(big, '--where', 'PHA >')).rejects.toThrow(/Bad expression/);
    await expect(run(big, '--columns', 'TIME', '--where', 'NOPE > 1')).rejects.toThrow(/no column named 'NOPE'/);
    await expect(run(big, '--columns', 'TIME,NOPE')).rejects.toThrow(/no column named 'NOPE'; the table's columns: .*TIME/);
    await expect(run(big, '--hdu', '0')).rejects.toThrow(/not a table/);
    await expect(run(corpusPath('images/bitpix16_2d.fits'))).rejects.toThrow(/no table HDU/);
  });
});
