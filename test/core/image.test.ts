import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { open, FitsError, MemorySource } from '../helpers/fitsflow.js';
import { corpusPath } from '../helpers/corpus.js';
import { concat, imageHdu, kv } from '../helpers/make-fits.js';

/** Reference slice of a C-order array. */
function sliceRef(data: ArrayLike<number | bigint>, dims: number[], start: number[], shape: number[], step: number[]): (number | bigint)[] {
  const out: (number | bigint)[] = [];
  const strides = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const rec = (axis: number, base: number) => {
    if (axis === dims.length) { out.push(data[base]!); return; }
    for (let k = 0; k < shape[axis]!; k++) rec(axis + 1, base + (start[axis]! + k * step[axis]!) * strides[axis]!);
  };
  rec(0, 0);
  return out;
}

describe('image reads', () => {
  it('full read of every BITPIX gives native values', async () => {
    for (const [bitpix, vals] of [[8, [0, 1, 255]], [16, [-32768, 0, 32767]], [32, [-2147483648, 5, 2147483647]], [-32, [1.5, -0, Infinity]], [-64, [1e300, -2.5, 3]]] as const) {
      const f = await open(imageHdu(bitpix, [3], vals));
      const img = await (await f.hdu(0)).readImage();
      expect(Array.from(img.data as ArrayLike<number>)).toEqual(vals);
      expect(img.shape).toEqual([3]);
    }
  });

  it('int64 and unsigned conventions', async () => {
    const f = await open(imageHdu(64, [2], [-5n, 9223372036854775807n]));
    expect(Array.from((await (await f.hdu(0)).readImage()).data as BigInt64Array)).toEqual([-5n, 9223372036854775807n]);
    const u = await open(imageHdu(16, [2], [-32768, 32767], [kv('BZERO', 32768)]));
    const img = await (await u.hdu(0)).readImage();
    expect(img.dtype).toBe('uint16');
    expect(Array.from(img.data as Uint16Array)).toEqual([0, 65535]);
  });

  it('scaling in float32 arithmetic and BLANK → NaN', async () => {
    const f = await open(imageHdu(16, [3], [1, -1, 7], [kv('BSCALE', 0.05), kv('BZERO', 1000.0), kv('BLANK', 7)]));
    const img = await (await f.hdu(0)).readImage();
    expect(img.dtype).toBe('float32');
    const v = img.data as Float32Array;
    expect(v[0]).toBe(Math.fround(Math.fround(1 * Math.fround(0.05)) + 1000));
    expect(Number.isNaN(v[2])).toBe(true);
  });

  it('sections (start/shape/step, N-D) equal the slice of the full read', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(8, 16, 32, 64, -32, -64),
        fc.integer({ min: 0, max: 1000 }),
        async (dims, bitpix, seed) => {
          const n = dims.reduce((a, b) => a * b, 1);
          const vals = Array.from({ length: n }, (_, i) => (bitpix === 64 ? BigInt(i * 7 - seed) : bitpix === 8 ? (i + seed) % 256 : i * 3 - seed));
          const file = await open(imageHdu(bitpix, [...dims].reverse(), vals));
          const hdu = await file.hdu(0);
          const full = await hdu.readImage();
          const start = dims.map((d, i) => (seed + i) % d);
          const step = dims.map((_, i) => 1 + ((seed >> i) % 3));
          const shape = dims.map((d, i) => Math.ceil((d - start[i]!) / step[i]!));
          const sec = await hdu.readImage({ start, shape, step });
          expect(sec.shape).toEqual(shape);
          expect(Array.from(sec.data as ArrayLike<number | bigint>)).toEqual(sliceRef(full.data as ArrayLike<number | bigint>, dims, start, shape, step));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects sections outside the image', async () => {
    const f = await open(imageHdu(16, [4, 3], new Array(12).fill(1)));
    const h = await f.hdu(0);
    await expect(h.readImage({ start: [2, 0], shape: [2, 4] })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(h.readImage({ start: [0, 0], shape: [1, 1], step: [0, 1] })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });

  it('iterateImage chunks concatenate to the full image', async () => {
    const f = await open(corpusPath('images/bitpixm32_3d.fits'));
    const h = await f.hdu(0);
    const full = (await h.readImage()).data as Float32Array;
    const parts: number[] = [];
    let next = 0;
    for await (const c of h.iterateImage({ slices: 2 })) {
      expect(c.start).toBe(next);
      next += c.shape[0]!;
      parts.push(...(c.data as Float32Array));
    }
    expect(new Float32Array(parts)).toEqual(full);
    await f.close();
  });

  it('shared: true puts the result in a SharedArrayBuffer', async () => {
    const f = await open(imageHdu(16, [4], [1, 2, 3, 4]));
    const img = await (await f.hdu(0)).readImage({ shared: true });
    expect(img.data.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('reads gzip-compressed files and Blobs like plain ones', async () => {
    const bytes = readFileSync(corpusPath('images/bitpix16_2d.fits'));
    const plain = await (await (await open(bytes)).hdu(0)).readImage();
    const gz = await (await (await open(new Uint8Array(gzipSync(bytes)))).hdu(0)).readImage();
    const blob = await (await (await open(new Blob([bytes]))).hdu(0)).readImage();
    expect(gz.data).toEqual(plain.data);
    expect(blob.data).toEqual(plain.data);
  });

  it('HDUs by name and version', async () => {
    const f = await open(corpusPath('mef/mef_images.fits'));
    const sci2 = await f.hdu('sci', 2);
    expect(sci2.name).toBe('SCI');
    expect(sci2.version).toBe(2);
    await expect(f.hdu('NOPE')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(f.hdu(99)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const all = [];
    for await (const h of f) all.push(h.index);
    expect(all.length).toBe(10);
    await f.close();
  });
});

describe('reads only what a request needs', () => {
  class CountingSource extends MemorySource {
    bytesRead = 0;
    override readSync(o: number, l: number, into?: Uint8Array) {
      const r = super.readSync(o, l, into);
      this.bytesRead += r.length;
      return r;
    }
  }
  it('a header listing reads header blocks only', async () => {
    const big = concat(imageHdu(-32, [1000, 1000], new Float32Array(1_000_000)), imageHdu(16, [10], new Int16Array(10), [], false));
    const src = new CountingSource(big);
    const f = await open(src);
    expect((await f.hdus()).length).toBe(2);
    expect(src.bytesRead).toBeLessThanOrEqual(2 * 2880 + 2);
  });
  it('a cutout reads only its rows', async () => {
    const src = new CountingSource(imageHdu(-32, [1000, 1000], new Float32Array(1_000_000)));
    const f = await open(src);
    const hdu = await f.hdu(0);
    const before = src.bytesRead;
    await hdu.readImage({ start: [10, 10], shape: [50, 50] });
    expect(src.bytesRead - before).toBe(50 * 50 * 4);
  });
});

describe('structure warnings and errors', () => {
  it('zero blocks and trailing bytes after the last HDU are warnings', async () => {
    const base = imageHdu(16, [4], [1, 2, 3, 4]);
    const f1 = await open(concat(base, new Uint8Array(2880)));
    expect((await f1.hdus()).length).toBe(1);
    expect(f1.warnings.map((w) => w.code)).toContain('ZERO_PADDING_AFTER_END');
    const f2 = await open(concat(base, new Uint8Array(100).fill(65)));
    expect((await f2.hdus()).length).toBe(1);
    expect(f2.warnings.map((w) => w.code)).toContain('TRAILING_BYTES');
  });
  it('missing final padding is a warning; missing data is TRUNCATED', async () => {
    const base = imageHdu(16, [4], [1, 2, 3, 4]);
    const short = base.subarray(0, 2880 + 8);
    const f = await open(short);
    expect((await (await f.hdu(0)).readImage()).data).toEqual(new Int16Array([1, 2, 3, 4]));
    expect(f.warnings.map((w) => w.code)).toContain('MISSING_PADDING');
    await expect((await open(base.subarray(0, 2880 + 6))).hdus()).rejects.toMatchObject({ code: 'TRUNCATED' });
  });
  it('no END card → NO_END; not FITS → BAD_HEADER; empty → TRUNCATED', async () => {
    const noEnd = new Uint8Array(2880).fill(32);
    noEnd.set(Uint8Array.from(kv('SIMPLE', true), (c) => c.charCodeAt(0)));
    await expect((await open(noEnd)).hdus()).rejects.toMatchObject({ code: 'NO_END' });
    await expect((await open(new Uint8Array(2880).fill(0x41))).hdus()).rejects.toMatchObject({ code: 'BAD_HEADER' });
    await expect((await open(new Uint8Array(0))).hdus()).rejects.toMatchObject({ code: 'TRUNCATED' });
  });
  it('absurd NAXISn is refused without allocating', async () => {
    const huge = imageHdu(-64, [4], [1, 2, 3, 4], []);
    const text = new TextDecoder().decode(huge.subarray(0, 2880)).replace('NAXIS1  =                    4', 'NAXIS1  =     9999999999999999');
    const bad = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const err = await (await open(concat(bad, huge.subarray(2880)))).hdus().catch((e) => e);
    expect(err).toBeInstanceOf(FitsError);
    expect(['BAD_SIZE', 'TRUNCATED']).toContain((err as FitsError).code);
  });
});

describe('readImage({ into })', () => {
  it('fills the caller’s array (a longer one: its first elements) and refuses a wrong type or a short one, plain and tile-compressed', async () => {
    for (const path of ['images/bitpix16_2d.fits', 'compressed/fpack/rice_int16.fits.fz']) {
      const f = await open(corpusPath(path));
      const hdu = path.endsWith('.fz') ? await f.hdu(1) : await f.hdu(0);
      const want = await hdu.readImage();
      const n = want.data.length;
      const longer = new Int16Array(n + 5).fill(7);
      const got = await hdu.readImage({ into: longer });
      expect(got.data.buffer).toBe(longer.buffer);
      expect(Array.from(got.data as Int16Array)).toEqual(Array.from(want.data as Int16Array));
      expect(Array.from(longer.subarray(n))).toEqual([7, 7, 7, 7, 7]);
      await expect(hdu.readImage({ into: new Int16Array(n - 1) })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
      await expect(hdu.readImage({ into: new Int32Array(n) })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
      await f.close();
    }
  });
});
