/**
 * Copy a FITS file through the writer: every HDU is read with fitsflow's
 * readers and written again with FitsWriter, keeping each header card exactly
 * as it was (its 80-character images) unless the data forces a change.
 * Images and tables stream with bounded memory; tile-compressed images,
 * random groups and unknown extensions are copied as stored bytes.
 */
import { readTable } from '../table/read/read-table.js';
import { FitsError } from '../core/errors.js';
import type { FitsFile } from '../file/fits-file.js';
import type { Hdu } from '../file/hdu.js';
import { isEndCard } from '../header/card.js';
import type { CardInput } from '../header/format.js';
import type { FitsWriter } from './writer.js';

/** The HDU's header cards, each with its physical card images from the file. */
export async function headerCardsOf(hdu: Hdu): Promise<CardInput[]> {
  const bytes = await hdu.source.read(hdu.headerOffset, hdu.dataOffset - hdu.headerOffset);
  const images: string[] = [];
  for (let at = 0; at + 80 <= bytes.length; at += 80) {
    const text = String.fromCharCode.apply(null, bytes.subarray(at, at + 80) as unknown as number[]);
    if (isEndCard(text)) break;
    images.push(text);
  }
  return hdu.header.cards.map((c) => ({
    keyword: c.keyword,
    value: c.value,
    comment: c.comment,
    isReal: c.isReal,
    hierarch: c.hierarch,
    commentary: c.commentary,
    images: images.slice(c.index, c.index + c.span),
  }));
}

/** Options of {@link copyFits} and {@link copyHdu}. */
export interface CopyOptions {
  /** Recompute CHECKSUM/DATASUM in every HDU (default: keep the cards as they are). */
  checksum?: boolean;
  /** Rows per batch when streaming tables. */
  tableRows?: number;
}

/** Copy every HDU of `file` to `writer` (which is not closed). */
export async function copyFits(file: FitsFile, writer: FitsWriter, opts: CopyOptions = {}): Promise<void> {
  for await (const hdu of file) await copyHdu(hdu, writer, opts);
}

/** Copy one HDU. */
export async function copyHdu(hdu: Hdu, writer: FitsWriter, opts: CopyOptions = {}): Promise<void> {
  const header = await headerCardsOf(hdu);
  const checksum = opts.checksum ?? false;
  const keep = checksum ? header : header;
  switch (hdu.kind) {
    case 'image': {
      if (hdu.layout.naxes.length === 0) {
        await writer.addImage(null, { header: keep, checksum });
        return;
      }
      const shape = [...hdu.layout.naxes].reverse();
      const dtype = hdu.dtype!;
      const chunks = (async function* () {
        if (shape.some((n) => n === 0)) return;
        for await (const c of hdu.iterateImage()) yield c.data;
      })();
      await writer.addImageStream({ shape, dtype, header: keep, checksum }, chunks);
      return;
    }
    case 'bintable': {
      const table = await readTable(hdu);
      await writer.addTable(table, { header: keep, checksum });
      return;
    }
    case 'table': {
      const table = await readTable(hdu);
      await writer.addAsciiTable(table, { header: keep, checksum });
      return;
    }
    default: {
      // Stored bytes: tile-compressed images, random groups, unknown extensions.
      if (hdu.index === 0 && hdu.kind !== 'random-groups' && hdu.kind !== 'other') {
        throw new FitsError('UNSUPPORTED', `Cannot copy a ${hdu.kind} primary HDU.`, { hdu: hdu.index });
      }
      const n = hdu.layout.dataBytes;
      const source = hdu.source;
      const start = hdu.dataOffset;
      const chunks = (async function* () {
        const step = 8 << 20;
        for (let at = 0; at < n; at += step) yield (await source.read(start + at, Math.min(step, n - at))).slice();
      })();
      await writer.addRaw(keep, chunks, { checksum });
    }
  }
}
