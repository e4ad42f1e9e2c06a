/**
 * Images and tables written by fitsflow: read back by fitsflow and by astropy
 * (the reference digest of shared/tools/digest.py must equal fitsflow's), and
 * fitsverify must report no errors. Property tests with random data.
 */
import { readTable } from '../../src/table/read/read-table.js';
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open } from '../helpers/fitsflow.js';
import type { ImageArray } from '../../src/image/pixel-type.js';
import { compareDigest } from '../helpers/compare-digest.js';
import { astropyDigest, fitsflowDigest, fitsverify, haveAstropy, haveFitsverify, tempDir, writeFile } from './tools.js';
import { MemorySink } from '../../src/write/sink.js';
import { FitsWriter } from '../../src/write/writer.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const path = (name: string) => join(dir, `${n++}-${name}.fits`);

async function checkFile(p: string): Promise<void> {
  const mine = await fitsflowDigest(p);
  if (haveAstropy) expect(compareDigest(mine as never, astropyDigest(p) as never)).toEqual([]);
  if (haveFitsverify) {
    const v = fitsverify(p);
    expect(v.errors, v.text).toBe(0);
  }
}

function ramp<T extends ImageArray>(Ctor: { from(a: ArrayLike<number>): T }, count: number, f: (i: number) => number): T {
  return Ctor.from(Array.from({ length: count }, (_, i) => f(i)));
}

describe('images', () => {
  const shape = [3, 4, 5];
  const cnt = 60;
  const cases: [string, ImageArray][] = [
    ['uint8', ramp(Uint8Array, cnt, (i) => (i * 37) % 256)],
    ['int8', ramp(Int8Array, cnt, (i) => ((i * 37) % 256) - 128)],
    ['int16', ramp(Int16Array, cnt, (i) => i * 1000 - 30000)],
    ['uint16', ramp(Uint16Array, cnt, (i) => i * 1111)],
    ['int32', ramp(Int32Array, cnt, (i) => i * 70000000 - 2100000000)],
    ['uint32', ramp(Uint32Array, cnt, (i) => i * 71000000)],
    ['float32', ramp(Float32Array, cnt, (i) => (i === 3 ? NaN : i === 4 ? Infinity : i === 5 ? -0 : i * 1.25e-3 - 7))],
    ['float64', ramp(Float64Array, cnt, (i) => (i === 7 ? NaN : Math.sin(i) * 1e300))],
    ['int64', BigInt64Array.from(Array.from({ length: cnt }, (_, i) => BigInt(i) * 153722867280912930n - 9223372036854775808n + BigInt(i)))],
    ['uint64', BigUint64Array.from(Array.from({ length: cnt }, (_, i) => BigInt(i) * 307445734561825860n + 1n))],
  ];
  for (const [name, data] of cases) {
    it(`${name}: exact round trip (fitsflow, astropy, fitsverify)`, async () => {
      const p = path(name);
      await writeFile(p, async (w) => {
        await w.addImage(data, { shape, header: { OBJECT: name } });
        await w.addImage(data, { shape: [cnt], extname: 'EXT' });
      }, true);
      const f = await open(p);
      const img = await (await f.hdu(0)).readImage();
      expect(img.dtype).toBe(name);
      expect(img.shape).toEqual(shape);
      expect(Array.from(img.data as ArrayLike<number>).map(String)).toEqual(Array.from(data as ArrayLike<number>).map(String));
      expect((await (await f.hdu(1)).verifyChecksum()).checksum).toBe('ok');
      await f.close();
      await checkFile(p);
    });
  }

  it('BSCALE/BZERO on request, NaN → BLANK', async () => {
    const p = path('scaled');
    const data = Float64Array.from([0, 0.5, 1.5, NaN, -100.25, 3000.75]);
    await writeFile(p, (w) => w.addImage(data, { bitpix: 16, bscale: 0.25, bzero: 100 }));
    const f = await open(p);
    const h = await f.hdu(0);
    expect(h.header.get('BLANK')).toBe(-32768);
    const got = (await h.readImage()).data;
    expect(Array.from(got as Float32Array)).toEqual(Array.from(Float32Array.from(data)));
    await f.close();
    await checkFile(p);
  });

  it('refuses values that do not fit', async () => {
    const w = new FitsWriter(new MemorySink());
    await expect(w.addImage(Float64Array.from([1e9]), { bitpix: 16 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });

  it('streams chunks with bounded memory', async () => {
    const p = path('stream');
    const rows = 64;
    const cols = 100;
    await writeFile(p, (w) => w.addImageStream({ shape: [rows, cols], dtype: 'float32', header: { OBJECT: 'stream' }, checksum: true }, (function* () {
      for (let r = 0; r < rows; r += 7) yield ramp(Float32Array, Math.min(7, rows - r) * cols, (i) => r * cols + i);
    })()));
    const f = await open(p);
    const img = await (await f.hdu(0)).readImage();
    expect(img.data[6399]).toBe(6399);
    expect((await (await f.hdu(0)).verifyChecksum()).checksum).toBe('ok');
    await f.close();
    await checkFile(p);
  });

  it('property: random images round-trip', async () => {
    const dtypes = ['uint8', 'int16', 'uint16', 'int32', 'float32', 'float64'] as const;
    const ctor = { uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...dtypes), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), fc.integer(), async (dtype, shape, seed) => {
        const count = shape.reduce((a, b) => a * b, 1);
        const bytes = new Uint8Array(count * ctor[dtype].BYTES_PER_ELEMENT);
        let s = seed >>> 0;
        for (let i = 0; i < bytes.length; i++) bytes[i] = (s = (s * 1664525 + 1013904223) >>> 0) >>> 24;
        const data = new ctor[dtype](bytes.buffer);
        const sink = new MemorySink();
        const w = new FitsWriter(sink, { checksum: true });
        await w.addImage(data, { shape });
        await w.close();
        const f = await open(sink.bytes());
        const h = await f.hdu(0);
        const img = await h.readImage();
        expect(img.shape).toEqual(shape);
        expect(new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength)).toEqual(bytes);
        expect((await h.verifyChecksum()).checksum).toBe('ok');
      }),
      { numRuns: 60 },
    );
  });
});

describe('tables', () => {
  it('every TFORM, VLA, TDIM, TNULL, unsigned, scaled: fitsflow and astropy agree', async () => {
    const p = path('tforms');
    const rows = 7;
    await writeFile(p, async (w) => {
      await w.addTable([
        { name: 'L', data: [true, false, true, true, false, false, true] },
        { name: 'X', data: Uint8Array.from({ length: rows * 11 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0), format: '11X', dtype: 'bool' },
        { name: 'B', data: Uint8Array.from({ length: rows }, (_, i) => i * 40) },
        { name: 'SB', data: Int8Array.from({ length: rows }, (_, i) => i * 30 - 100) },
        { name: 'I', data: Int16Array.from({ length: rows }, (_, i) => i * 5000 - 16000) },
        { name: 'UI', data: Uint16Array.from({ length: rows }, (_, i) => i * 10000) },
        { name: 'J', data: Int32Array.from({ length: rows * 3 }, (_, i) => i * 100000000 - 1000000000), cellShape: [3] },
        { name: 'UJ', data: Uint32Array.from({ length: rows }, (_, i) => 4294967295 - i) },
        { name: 'K', data: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i) * 1000000000000000n - 3000000000000000000n) },
        { name: 'UK', data: BigUint64Array.from({ length: rows }, (_, i) => 18446744073709551615n - BigInt(i)) },
        { name: 'E', data: Float32Array.from({ length: rows * 6 }, (_, i) => (i === 4 ? NaN : i / 3)), cellShape: [2, 3] },
        { name: 'D', data: Float64Array.from({ length: rows }, (_, i) => Math.PI * i) },
        { name: 'C', data: Float32Array.from({ length: rows * 2 }, (_, i) => i - 3), dtype: 'complex64' },
        { name: 'M', data: Float64Array.from({ length: rows * 2 }, (_, i) => i * 1e-300), dtype: 'complex128' },
        { name: 'A', data: ['a', 'bb', 'ccc', '', "q'uote", 'x y', 'end'] },
        { name: 'A2', data: Array.from({ length: rows * 2 }, (_, i) => `s${i}`), cellShape: [2], stringWidth: 4, dtype: 'string' },
        { name: 'NUL', data: Int32Array.from({ length: rows }, (_, i) => i), tnull: -1, validity: new Uint8Array([0b1011101]) },
        { name: 'SCL', data: Float64Array.from({ length: rows }, (_, i) => 10 + i * 0.5), format: 'I', tscal: 0.5, tzero: 10 },
        { name: 'PJ', data: Array.from({ length: rows }, (_, i) => Int32Array.from({ length: i % 4 }, (_, k) => k * i)) },
        { name: 'QD', data: Array.from({ length: rows }, (_, i) => Float64Array.from({ length: (i * 3) % 5 }, (_, k) => k / 7)), format: '1QD' },
        { name: 'PA', data: ['one', '', 'three', 'four4', 'v', 'sixsix', 'seven'], format: '1PA' },
        { name: 'PE', data: Array.from({ length: rows }, (_, i) => Float32Array.from({ length: i }, (_, k) => k + 0.5)) },
      ], { extname: 'ALL', header: [['COMMENT', null, 'every TFORM']] });
      await w.addTable({ empty: new Float64Array(0), vla: [] as Float32Array[] }, { extname: 'ZERO' });
    }, true);
    const f = await open(p);
    const t = await readTable((await f.hdu(1)));
    expect(t.numRows).toBe(rows);
    await f.close();
    await checkFile(p);
  });

  it('ASCII tables', async () => {
    const p = path('ascii');
    await writeFile(p, (w) => w.addAsciiTable([
      { name: 'ID', data: Int32Array.from([1, 22, 333, -4444]) },
      { name: 'FLUX', data: Float64Array.from([0.1, 1e-300, -123456.789, 2 / 3]) },
      { name: 'F32', data: Float32Array.from([1.5, -2.25, 3, 4]) },
      { name: 'NAME', data: ['alpha', 'b', '', 'delta'] },
      { name: 'NUL', data: Int16Array.from([5, 0, 7, 8]), tnull: -99, validity: new Uint8Array([0b1101]) },
    ], { extname: 'ASC' }));
    const f = await open(p);
    const t = await readTable((await f.hdu(1)));
    expect(Array.from(t.columns[1]!.data as Float64Array)).toEqual([0.1, 1e-300, -123456.789, 2 / 3]);
    await f.close();
    await checkFile(p);
  });

  it('streams rows in chunks (NAXIS2 and PCOUNT filled in at the end)', async () => {
    const p = path('tstream');
    await writeFile(p, (w) => w.addTableStream([{ name: 'T', format: 'D' }, { name: 'S', format: '8A' }, { name: 'V', format: '1PJ' }], (async function* () {
      for (let k = 0; k < 5; k++) {
        yield [
          { name: 'T', data: Float64Array.from({ length: 1000 }, (_, i) => k * 1000 + i) },
          { name: 'S', data: Array.from({ length: 1000 }, (_, i) => `r${k * 1000 + i}`) },
          { name: 'V', data: Array.from({ length: 1000 }, (_, i) => Int32Array.from({ length: i % 3 }, () => i)) },
        ];
      }
    })(), { checksum: true }));
    const f = await open(p);
    const h = await f.hdu(1);
    expect(h.header.get('NAXIS2')).toBe(5000);
    expect((await h.verifyChecksum()).checksum).toBe('ok');
    const t = await readTable(h);
    expect((t.columns[0]!.data as Float64Array)[4999]).toBe(4999);
    await f.close();
    await checkFile(p);
  });

  it('property: random numeric tables round-trip', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: -32768, max: 32767 }), fc.double({ noNaN: true }), fc.string({ unit: fc.constantFrom(...'abc xyz'.split('')), maxLength: 6 })), { maxLength: 40 }), async (rows) => {
        const sink = new MemorySink();
        const w = new FitsWriter(sink);
        await w.addTable({ i: Int16Array.from(rows.map((r) => r[0])), d: Float64Array.from(rows.map((r) => r[1])), s: rows.map((r) => r[2].replace(/ +$/, '')) });
        await w.close();
        const f = await open(sink.bytes());
        const t = await readTable((await f.hdu(1)));
        expect(Array.from(t.columns[0]!.data as Int16Array)).toEqual(rows.map((r) => r[0]));
        expect(Array.from(t.columns[1]!.data as Float64Array)).toEqual(rows.map((r) => r[1]));
        expect(Array.from(t.columns[2]!.data as string[])).toEqual(rows.map((r) => r[2].replace(/ +$/, '')));
      }),
      { numRuns: 50 },
    );
  });
});
