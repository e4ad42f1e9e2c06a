/**
 * Malformed tables: truncated files, flipped header values (TFORM, NAXIS1,
 * NAXIS2, THEAP, PCOUNT, TDIM, TBCOL, …), corrupted descriptors and rows give
 * FitsErrors with a code and the HDU — never other exceptions, never hangs,
 * never huge allocations.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FitsError, open } from '../helpers/fitsflow.js';
import { digestHdu } from '../../src/digest/digest.js';
import { readVlaDescriptors } from '../../src/table/read/read-binary.js';
import { card, concat, headerBytes, kv, padData } from '../helpers/make-fits.js';
import { binaryTableFits, type WriteColumn } from '../fixtures/tables/write-bintable.js';
import { tableArb } from './read-model.js';
import { tableCorpusPath } from './read-helpers.js';

const TABLE_KINDS = new Set(['bintable', 'table', 'random-groups']);
/** Cases per fuzz property (TABLE_FUZZ_RUNS=5000 for a long run). */
const RUNS = Number(process.env.TABLE_FUZZ_RUNS ?? 150);
const outcomes = new Map<string, number>();

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms (hang?)`)), ms))]);
}

/** Read every table/groups HDU every way; 'ok' or the FitsError code. Any other exception fails the test. */
async function readAll(bytes: Uint8Array): Promise<string> {
  const run = async (): Promise<string> => {
    try {
      const file = await open(bytes);
      for await (const hdu of file) {
        if (!TABLE_KINDS.has(hdu.kind)) continue;
        if (hdu.kind === 'random-groups') {
          await hdu.readGroups();
        } else {
          const t = await hdu.readTable();
          if (t.numRows > 1) await hdu.readTable({ rows: { start: 1, count: t.numRows - 1 } });
          for await (const b of hdu.iterateTable({ rows: 3 })) void b;
        }
        await digestHdu(hdu);
      }
      outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1);
      return 'ok';
    } catch (e) {
      if (e instanceof FitsError) {
        expect(typeof e.code).toBe('string');
        outcomes.set(e.code, (outcomes.get(e.code) ?? 0) + 1);
        return e.code;
      }
      throw e;
    }
  };
  return withTimeout(run(), 10_000);
}

const corpusFiles = ['tables/bintable_vla.fits', 'tables/bintable_all_tforms.fits', 'tables/bintable_fitsio.fits', 'ascii/ascii_raw.fits', 'ascii/ascii_table.fits', 'groups/random_groups_int16_scaled.fits'].map(
  (p) => new Uint8Array(readFileSync(tableCorpusPath(p))),
);

const sample = fc.oneof(
  fc.constantFrom(...corpusFiles),
  tableArb.map(({ n, columns }) => binaryTableFits(columns.map((c) => c.write), n)),
);

/** Byte ranges of the value fields (bytes 11–30) of cards whose keyword starts with one of `prefixes`. */
function valueFields(bytes: Uint8Array, prefixes: string[]): number[] {
  const out: number[] = [];
  for (let p = 0; p + 80 <= bytes.length; p += 80) {
    const kw = String.fromCharCode(...bytes.subarray(p, p + 8));
    if (prefixes.some((x) => kw.startsWith(x))) for (let k = 10; k < 30; k++) out.push(p + k);
  }
  return out;
}

describe('malformed tables give FitsErrors', () => {
  afterAll(() => {
    if (process.env.TABLE_FUZZ_RUNS) console.log('outcomes', Object.fromEntries(outcomes));
  });

  it('files truncated anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(sample, fc.double({ min: 0, max: 1, noNaN: true }), async (bytes, f) => {
        await readAll(bytes.slice(0, Math.floor(f * bytes.length)));
      }),
      { numRuns: RUNS },
    );
  });

  it('flipped bytes in structural header values', async () => {
    const keys = ['TFORM', 'NAXIS1', 'NAXIS2', 'THEAP', 'PCOUNT', 'GCOUNT', 'TFIELDS', 'TDIM', 'TBCOL', 'TSCAL', 'TZERO', 'TNULL', 'PSCAL', 'BSCALE', 'NAXIS'];
    const chars = fc.constantFrom(...'0123456789-+.EDPQXLABIJKCM() \''.split('').map((c) => c.charCodeAt(0)), 0, 0xff);
    await fc.assert(
      fc.asyncProperty(sample, fc.array(fc.tuple(fc.nat(), chars), { minLength: 1, maxLength: 3 }), async (bytes, flips) => {
        const fields = valueFields(bytes, keys);
        if (!fields.length) return;
        const b = bytes.slice();
        for (const [at, c] of flips) b[fields[at % fields.length]!] = c;
        await readAll(b);
      }),
      { numRuns: 2 * RUNS },
    );
  });

  it('flipped bytes in the data (rows, descriptors, heap, ASCII fields)', async () => {
    await fc.assert(
      fc.asyncProperty(sample, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), async (bytes, flips) => {
        const b = bytes.slice();
        const dataStart = 2880 * 2; // past the primary header and the first extension header block (tables here have short headers)
        if (b.length <= dataStart) return;
        for (const [at, v] of flips) b[dataStart + (at % (b.length - dataStart))] = v;
        await readAll(b);
      }),
      { numRuns: 2 * RUNS },
    );
  });
});

function vlaTable(descriptor: [number, number], opts: { pcount?: number; extra?: string[] } = {}): Uint8Array {
  const row = new Uint8Array(8);
  new DataView(row.buffer).setInt32(0, descriptor[0]);
  new DataView(row.buffer).setInt32(4, descriptor[1]);
  const heap = new Uint8Array(16);
  const cards = [
    kv('XTENSION', 'BINTABLE'), kv('BITPIX', 8), kv('NAXIS', 2), kv('NAXIS1', 8), kv('NAXIS2', 1),
    kv('PCOUNT', opts.pcount ?? 16), kv('GCOUNT', 1), kv('TFIELDS', 1), kv('TTYPE1', 'V'), kv('TFORM1', '1PJ(4)'), ...(opts.extra ?? []),
  ];
  const primary = headerBytes([kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 0)]);
  return concat(primary, headerBytes(cards), padData(concat(row, heap)));
}

async function errorOf(p: Promise<unknown>): Promise<FitsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FitsError) return e;
    throw e;
  }
  throw new Error('expected a FitsError');
}

describe('specific malformed cases', () => {
  it('reads a good VLA cell', async () => {
    const t = await (await (await open(vlaTable([4, 0]))).hdu(1)).readTable();
    expect(Array.from(t.columns[0]!.offsets!)).toEqual([0, 4]);
  });

  it('a descriptor pointing past the heap is CORRUPT_DATA with the HDU and the descriptor offset', async () => {
    for (const d of [[5, 0], [1, 13], [1, 2 ** 31 - 1], [-1, 0], [0x7fffffff, 0x7fffffff]] as [number, number][]) {
      const hdu = await (await open(vlaTable(d))).hdu(1);
      const e = await errorOf(hdu.readTable());
      expect(e.code).toBe('CORRUPT_DATA');
      expect(e.hdu).toBe(1);
      expect(e.offset).toBe(hdu.dataOffset);
      expect((await errorOf(readVlaDescriptors(hdu, 'V'))).code).toBe('CORRUPT_DATA');
    }
  });

  it('THEAP outside the data is BAD_HEADER', async () => {
    for (const theap of [4, 8 + 16 + 1]) {
      const hdu = await (await open(vlaTable([1, 0], { extra: [kv('THEAP', theap)] }))).hdu(1);
      expect((await errorOf(hdu.readTable())).code).toBe('BAD_HEADER');
    }
  });

  it('an absurd NAXIS2 fails before any allocation', async () => {
    const cols: WriteColumn[] = [{ name: 'A', tform: 'D', cells: [[1], [2]] }];
    const good = binaryTableFits(cols, 2);
    for (const n of ['999999999999', '9007199254740993', '99999999999999999999']) {
      const text = String.fromCharCode(...good);
      const at = text.indexOf('NAXIS2  =');
      const b = good.slice();
      const c = card(`NAXIS2  = ${n.padStart(20)}`);
      for (let k = 0; k < 80; k++) b[at + k] = c.charCodeAt(k);
      const code = await readAll(b);
      expect(['TRUNCATED', 'BAD_SIZE', 'BAD_HEADER']).toContain(code);
    }
  });

  it('TFORM garbage and fields wider than NAXIS1 are BAD_HEADER', async () => {
    const cols: WriteColumn[] = [{ name: 'A', tform: 'J', cells: [[1]] }];
    for (const [key, value] of [['TFORM1', "'Z       '"], ['TFORM1', "'2J      '"], ['TFORM1', "'2PJ     '"], ['TFIELDS', '1000']]) {
      const b = binaryTableFits(cols, 1);
      const text = String.fromCharCode(...b);
      const at = text.indexOf(key!.padEnd(8) + '=');
      const c = card(`${key!.padEnd(8)}= ${value!.padEnd(20)}`);
      for (let k = 0; k < 80; k++) b[at + k] = c.charCodeAt(k);
      const e = await errorOf((await (await open(b)).hdu(1)).readTable());
      expect(e.code).toBe('BAD_HEADER');
      expect(e.hdu).toBe(1);
    }
  });

  it('an unparsable ASCII-table field is CORRUPT_DATA with its byte offset', async () => {
    const row = 'x12 ';
    const cards = [kv('XTENSION', 'TABLE'), kv('BITPIX', 8), kv('NAXIS', 2), kv('NAXIS1', 4), kv('NAXIS2', 1), kv('PCOUNT', 0), kv('GCOUNT', 1), kv('TFIELDS', 1), kv('TFORM1', 'I4'), kv('TBCOL1', 1)];
    const primary = headerBytes([kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 0)]);
    const data = Uint8Array.from(row.padEnd(2880, ' '), (c) => c.charCodeAt(0));
    const hdu = await (await open(concat(primary, headerBytes(cards), data))).hdu(1);
    const e = await errorOf(hdu.readTable());
    expect(e.code).toBe('CORRUPT_DATA');
    expect(e.offset).toBe(hdu.dataOffset);
  });

  it('bad requests: rows out of range, unknown columns, non-table HDUs', async () => {
    const file = await open(binaryTableFits([{ name: 'A', tform: 'J', cells: [[1], [2]] }], 2));
    const hdu = await file.hdu(1);
    expect((await errorOf(hdu.readTable({ rows: { start: 1, count: 2 } }))).code).toBe('BAD_ARGUMENT');
    expect((await errorOf(hdu.readTable({ rows: { start: -1, count: 1 } }))).code).toBe('BAD_ARGUMENT');
    expect((await errorOf(hdu.readTable({ rows: { start: 0.5, count: 1 } }))).code).toBe('BAD_ARGUMENT');
    expect((await errorOf(hdu.readTable({ columns: ['NOPE'] }))).code).toBe('NOT_FOUND');
    expect((await errorOf(hdu.readTable({ columns: [1] }))).code).toBe('NOT_FOUND');
    expect((await errorOf(hdu.iterateTable({ rows: 0 }).next())).code).toBe('BAD_ARGUMENT');
    expect((await errorOf(hdu.readGroups())).code).toBe('BAD_ARGUMENT');
    expect((await errorOf((await file.hdu(0)).readTable())).code).toBe('BAD_ARGUMENT');
    expect((await errorOf(readVlaDescriptors(hdu, 'A'))).code).toBe('BAD_ARGUMENT');
    expect((await hdu.readTable({ columns: ['a'] })).columns[0]!.name).toBe('A'); // case-insensitive fallback
  });
});
