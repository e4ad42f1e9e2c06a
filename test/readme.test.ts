/** The README's quick-start examples, run against the corpus (so the documented API stays real). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open, createFitsWriter, FitsDataset, toArrow } from './helpers/fitsflow.js';
import { corpusPath } from './helpers/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'fitsflow-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README examples', () => {
  it('images: open, iterate, by name, sections, streaming, header, checksums', async () => {
    const file = await open(corpusPath('mef/mef_images.fits'));
    const kinds: string[] = [];
    for await (const hdu of file) kinds.push(hdu.kind);
    expect(kinds.length).toBe(10);
    const sci = await file.hdu('SCI', 1);
    const { data, shape, dtype } = await sci.readImage();
    expect(data.length).toBe(shape.reduce((a, b) => a * b, 1));
    expect(dtype).toBe('float32');
    const cut = await sci.readImage({ start: [1, 2], shape: [3, 4] });
    expect(cut.shape).toEqual([3, 4]);
    let rows = 0;
    for await (const chunk of sci.iterateImage({ slices: 4 })) rows += chunk.shape[0]!;
    expect(rows).toBe(shape[0]);
    expect(sci.header.get('EXTNAME')).toBe('SCI');
    expect(await sci.verifyChecksum()).toMatchObject({ datasum: 'absent', checksum: 'absent' });
    await file.close();
  });

  it('tables: readTable, filter, sort, head, toArrow, iterateTable', async () => {
    const file = await open(corpusPath('tables/bintable_big.fits'));
    const cat = await file.hdu(1);
    const t = await cat.readTable({ columns: ['TIME', 'X', 'Y', 'ENERGY'], rows: { start: 0, count: 1000 } });
    expect(t.numRows).toBe(1000);
    expect(t.column('ENERGY').data.length).toBe(1000);
    const bright = t.filter('ENERGY > 100 && !isnan(X)').sort('X');
    expect(bright.head(5).toString().length).toBeGreaterThan(0);
    const arrowTable = await toArrow(bright);
    expect(arrowTable.numRows).toBe(bright.numRows);
    let n = 0;
    for await (const batch of cat.iterateTable({ rows: 100_000 })) n += batch.numRows;
    expect(n).toBe(cat.layout.naxes[1]);
    let m = 0;
    for await (const batch of cat.iterateTable({ rows: 700, reuse: true })) m += batch.numRows;
    expect(m).toBe(cat.layout.naxes[1]);
    const next = await cat.readTable({ columns: ['TIME', 'X', 'Y', 'ENERGY'], rows: { start: 1000, count: 1000 }, into: t });
    expect((next.column('ENERGY').data as Float64Array).buffer).toBe((t.column('ENERGY').data as Float64Array).buffer);
    await file.close();
  });

  it('compressed images: cutouts, imageHeader, workers: false', async () => {
    const file = await open(corpusPath('compressed/fpack/rice_int16.fits.fz'));
    const hdu = await file.hdu(1);
    const full = await hdu.readImage({ workers: false });
    const img = await hdu.readImage({ start: [10, 10], shape: [20, 30] });
    expect(img.shape).toEqual([20, 30]);
    expect(img.data[0]).toBe(full.data[10 * full.shape[1]! + 10]);
    expect(hdu.imageHeader.get('BITPIX')).toBe(16);
    await file.close();
  });

  it('writing: image, table, compressed image, with checksums; read back', async () => {
    const path = join(dir, 'out.fits');
    const w = await createFitsWriter(path, { checksum: true });
    await w.addImage({ data: new Float32Array(100 * 200).map((_, i) => i), shape: [100, 200] }, { header: { OBJECT: 'M31' } });
    await w.addTable({ RA: new Float64Array([1, 2]), NAME: ['a', 'b'] }, { extname: 'CAT' });
    const data = new Float32Array(64 * 64).map((_, i) => Math.sin(i) * 100);
    await w.addCompressedImage({ data, shape: [64, 64] }, { compression: 'RICE_1', quantize: 4, dither: 'SUBTRACTIVE_DITHER_1' });
    await w.close();
    const f = await open(path);
    const hdus = await f.hdus();
    expect(hdus.map((h) => h.kind)).toEqual(['image', 'bintable', 'compressed-image']);
    expect(hdus[0]!.header.get('OBJECT')).toBe('M31');
    expect((await hdus[0]!.verifyChecksum()).checksum).toBe('ok');
    expect((await (await f.hdu('CAT')).readTable()).column('NAME').data).toEqual(['a', 'b']);
    expect((await hdus[2]!.readImage()).shape).toEqual([64, 64]);
    await f.close();
  });

  it('FitsDataset over local files', async () => {
    const urls = [corpusPath('images/bitpix16_2d.fits'), corpusPath('images/bitpix8_2d.fits')];
    const ds = new FitsDataset(urls, { prefetch: 2, concurrency: 2, shuffle: 42, epochs: 2 });
    let items = 0;
    for await (const item of ds) {
      expect(item.shape).toEqual([100, 120]);
      items++;
    }
    expect(items).toBe(4);
  });
});
