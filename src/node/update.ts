/**
 * Updating FITS files on disk (Node): edit header cards, replace an HDU's
 * data of the same size, append HDUs.
 *
 * Header edits are written in place when the new header fits the existing
 * header blocks; otherwise the file is rewritten through a temporary copy
 * renamed over the original (the data moves by whole blocks, never in place).
 * CHECKSUM/DATASUM cards present in a rewritten HDU are recomputed.
 */
import { BLOCK, CARD, padToBlock } from '../core/block.js';
import { open as fsOpen, stat, truncate } from 'node:fs/promises';
import { FitsError } from '../core/errors.js';
import type { CardValue } from '../header/card.js';
import { openFits } from '../file/fits-file.js';
import { createNodeRuntime } from './runtime.js';
import type { Hdu } from '../file/hdu.js';
import { OnesComplementSum, addSums, encodeChecksum } from '../checksum/sum32.js';
import { sumRange } from '../checksum/verify.js';
import type { ImageArray } from '../image/pixel-type.js';
import { formatCard, type CardInput } from '../header/format.js';
import { keyOf } from '../write/header-build.js';
import { checkHeaderEdit } from '../write/header-edit-rules.js';
import { headerCardsOf } from '../write/copy.js';
import { chooseImageEncoding, dtypeOf, encodePixels } from '../write/image-encode.js';
import { NodeFileSink } from './file-sink.js';
import { nodeDeflater } from './deflate.js';
import { nodeEncodePool } from './encode-pool.js';
import { FitsWriter, type FitsWriterOptions } from '../write/writer.js';
import type { ByteSink } from '../write/sink.js';

/** Updates read the file on this thread: no worker pool. */
const updateRuntime = createNodeRuntime({ workers: 0 });


/** Header edits: values to set (with an optional comment) and keywords to delete. */
export interface HeaderEdits {
  set?: Record<string, CardValue | readonly [CardValue, string]>;
  /** Keywords to remove (every card with that keyword). */
  delete?: readonly string[];
  /** Cards to append at the end (COMMENT, HISTORY, …). */
  append?: readonly CardInput[];
  /**
   * Allow edits that change what the data mean: scaling (BSCALE, BZERO, BLANK,
   * TSCALn, TZEROn, TNULLn, …), compression (ZQUANTIZ, ZDITHER0, ZVALn, …),
   * TDIMn, TTYPEn, EXTEND. Even then the value must be of the keyword's type
   * and agree with the header (TDIMn with TFORMn, …). Default false: such an
   * edit throws BAD_ARGUMENT saying what it would change.
   */
  force?: boolean;
}

/** Keywords that describe the data layout: editing them would corrupt the file. */
const LAYOUT = /^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|GROUPS|TFIELDS|TFORM\d+|TBCOL\d+|THEAP|ZIMAGE|ZBITPIX|ZNAXIS\d*|ZTILE\d+|ZCMPTYPE|END|CHECKSUM|DATASUM)$/;

function edited(cards: CardInput[], edits: HeaderEdits, hdu: number): CardInput[] {
  let out = [...cards];
  for (const k of edits.delete ?? []) {
    const key = k.toUpperCase();
    if (LAYOUT.test(key)) throw new FitsError('BAD_ARGUMENT', `${key} describes the data layout and cannot be deleted.`, { hdu });
    out = out.filter((c) => keyOf(c) !== key && c.keyword !== k);
  }
  for (const [k, v] of Object.entries(edits.set ?? {})) {
    const [value, comment] = Array.isArray(v) ? (v as [CardValue, string]) : [v as CardValue, undefined];
    const key = /^[A-Za-z0-9_-]{1,8}$/.test(k) ? k.toUpperCase() : k;
    if (LAYOUT.test(key)) throw new FitsError('BAD_ARGUMENT', `${key} describes the data layout and cannot be set.`, { hdu });
    const i = out.findIndex((c) => !c.commentary && (keyOf(c) === key || c.keyword === k));
    if (i >= 0) {
      const c = out[i]!;
      out[i] = { keyword: c.keyword, hierarch: c.hierarch, value, comment: comment ?? c.comment ?? '', isReal: typeof value === 'number' && !Number.isInteger(value) };
    } else {
      // New cards go before CHECKSUM/DATASUM if present, else at the end.
      const at = out.findIndex((c) => !c.commentary && (keyOf(c) === 'CHECKSUM' || keyOf(c) === 'DATASUM'));
      const card: CardInput = { keyword: k, value, comment: comment ?? '' };
      if (at >= 0) out.splice(at, 0, card);
      else out.push(card);
    }
  }
  if (edits.append) out.push(...edits.append);
  // Scaling, compression, shape and name keywords: only with force, and then only values that keep the file readable.
  const after = new Map<string, CardValue>();
  for (const c of out) if (!c.commentary && !after.has(keyOf(c))) after.set(keyOf(c), c.value ?? null);
  for (const k of edits.delete ?? []) checkHeaderEdit(k, undefined, after, edits.force === true, hdu);
  for (const [k, v] of Object.entries(edits.set ?? {})) checkHeaderEdit(k, Array.isArray(v) ? (v as [CardValue, string])[0] : (v as CardValue), after, edits.force === true, hdu);
  return out;
}

/** Header bytes of `length` (a multiple of 2880): cards, END, spaces. */
function headerBytes(images: readonly string[], length: number): Uint8Array {
  const out = new Uint8Array(length).fill(0x20);
  let at = 0;
  for (const im of [...images, 'END'.padEnd(80)]) {
    for (let i = 0; i < 80; i++) out[at + i] = im.charCodeAt(i);
    at += 80;
  }
  return out;
}

/**
 * Format the cards into a header region of `length` bytes, filling CHECKSUM
 * (and DATASUM = `dataSum`) when those cards are present.
 */
function sealedHeader(cards: CardInput[], length: number, dataSum: number | undefined): Uint8Array {
  const formatted = cards.map((c) => ({ card: c, images: formatCard(c) }));
  const idx = (k: string) => formatted.findIndex((f) => !f.card.commentary && keyOf(f.card) === k);
  const set = (k: string, value: string) => {
    const i = idx(k);
    if (i < 0) return;
    const c = { ...formatted[i]!.card, value, images: undefined };
    formatted[i] = { card: c, images: formatCard(c) };
  };
  const images = () => formatted.flatMap((f) => f.images);
  const hasChecksum = idx('CHECKSUM') >= 0;
  if (dataSum !== undefined && idx('DATASUM') >= 0) set('DATASUM', String(dataSum >>> 0));
  if (hasChecksum && dataSum !== undefined) {
    set('CHECKSUM', '0000000000000000');
    const s = new OnesComplementSum();
    s.add(headerBytes(images(), length));
    set('CHECKSUM', encodeChecksum(addSums(s.value, dataSum)));
  }
  return headerBytes(images(), length);
}

async function copyRange(src: Hdu['source'], from: number, length: number, sink: ByteSink): Promise<void> {
  const step = 8 << 20;
  for (let at = 0; at < length; at += step) await sink.write((await src.read(from + at, Math.min(step, length - at))).slice());
}

/**
 * Edit the header of HDU `index` of the file at `path`.
 * @returns whether the edit was done in place.
 */
export async function updateHeader(path: string, index: number, edits: HeaderEdits): Promise<{ inPlace: boolean }> {
  const file = await openFits(path, {}, updateRuntime);
  let hdu: Hdu;
  let cards: CardInput[];
  let newCards: CardInput[];
  let dataSum: number | undefined;
  let fileSize: number;
  try {
    hdu = await file.hdu(index);
    cards = await headerCardsOf(hdu);
    newCards = edited(cards, edits, index);
    const needsSum = newCards.some((c) => !c.commentary && (keyOf(c) === 'CHECKSUM' || keyOf(c) === 'DATASUM'));
    dataSum = needsSum ? await sumRange(hdu, hdu.dataOffset, hdu.layout.paddedDataBytes) : undefined;
    fileSize = file.source.size;
    const oldLength = hdu.dataOffset - hdu.headerOffset;
    const nImages = newCards.reduce((n, c) => n + formatCard(c).length, 0);
    const newLength = padToBlock((nImages + 1) * CARD);
    if (newLength <= oldLength) {
      const bytes = sealedHeader(newCards, oldLength, dataSum);
      await file.close();
      const h = await fsOpen(path, 'r+');
      try {
        await h.write(bytes, 0, bytes.length, hdu.headerOffset);
        await h.sync();
      } finally {
        await h.close();
      }
      return { inPlace: true };
    }
    // Grow by whole blocks: rewrite through a temporary copy.
    const sink = await NodeFileSink.create(path);
    try {
      await copyRange(file.source, 0, hdu.headerOffset, sink);
      await sink.write(sealedHeader(newCards, newLength, dataSum));
      await copyRange(file.source, hdu.dataOffset, fileSize - hdu.dataOffset, sink);
      await file.close();
      await sink.close();
    } catch (e) {
      await sink.abort(e);
      throw e;
    }
    return { inPlace: false };
  } finally {
    await file.close();
  }
}

/**
 * Replace the data of image HDU `index` with new pixels (or raw big-endian
 * bytes) of exactly the same size, in place; CHECKSUM/DATASUM are updated.
 */
export async function replaceImageData(path: string, index: number, data: ImageArray | Uint8Array, opts: { raw?: boolean } = {}): Promise<void> {
  const file = await openFits(path, {}, updateRuntime);
  let hdu: Hdu;
  let bytes: Uint8Array;
  let cards: CardInput[];
  try {
    hdu = await file.hdu(index);
    if (hdu.kind !== 'image' && !opts.raw) throw new FitsError('BAD_ARGUMENT', `HDU ${index} is a ${hdu.kind}; pass raw bytes ({ raw: true }) to replace its data.`, { hdu: index });
    if (opts.raw) {
      if (!(data instanceof Uint8Array)) throw new FitsError('BAD_ARGUMENT', 'Raw data must be a Uint8Array.', { hdu: index });
      bytes = data;
    } else {
      const h = hdu.header;
      const enc = chooseImageEncoding(dtypeOf(data), {}, { bitpix: h.get('BITPIX'), bscale: h.get('BSCALE'), bzero: h.get('BZERO'), blank: h.get('BLANK') });
      bytes = new Uint8Array(data.length * (Math.abs(enc.bitpix) / 8));
      encodePixels(data, enc, bytes);
    }
    if (bytes.length !== hdu.layout.dataBytes) {
      throw new FitsError('BAD_ARGUMENT', `The new data has ${bytes.length} bytes; HDU ${index} holds ${hdu.layout.dataBytes}.`, { hdu: index });
    }
    cards = await headerCardsOf(hdu);
  } finally {
    await file.close();
  }
  const hasSums = cards.some((c) => !c.commentary && (keyOf(c) === 'CHECKSUM' || keyOf(c) === 'DATASUM'));
  const h = await fsOpen(path, 'r+');
  try {
    await h.write(bytes, 0, bytes.length, hdu.dataOffset);
    if (hasSums) {
      const s = new OnesComplementSum();
      const padded = new Uint8Array(hdu.layout.paddedDataBytes);
      padded.set(bytes);
      s.add(padded);
      const header = sealedHeader(cards, hdu.dataOffset - hdu.headerOffset, s.value);
      await h.write(header, 0, header.length, hdu.headerOffset);
    }
    await h.sync();
  } finally {
    await h.close();
  }
}

/** A sink appending to an existing file; `abort()` truncates it back. */
class AppendSink implements ByteSink {
  private pos = 0;
  private closed = false;
  private constructor(private readonly handle: import('node:fs/promises').FileHandle, private readonly base: number, private readonly path: string) {}
  static async open(path: string): Promise<AppendSink> {
    const size = (await stat(path)).size;
    if (size % BLOCK !== 0) throw new FitsError('BAD_ARGUMENT', `${path} is not a whole number of 2880-byte blocks; cannot append.`);
    return new AppendSink(await fsOpen(path, 'r+'), size, path);
  }
  get position(): number {
    return this.pos;
  }
  async write(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) done += (await this.handle.write(bytes, done, bytes.length - done, this.base + this.pos + done)).bytesWritten;
    this.pos += bytes.length;
  }
  async writeAt(position: number, bytes: Uint8Array): Promise<void> {
    await this.handle.write(bytes, 0, bytes.length, this.base + position);
  }
  async close(): Promise<void> {
    await this.handle.sync();
    await this.handle.close();
    this.closed = true;
  }
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close().catch(() => undefined);
    await truncate(this.path, this.base).catch(() => undefined);
  }
}

/**
 * Append HDUs to an existing file: `fn` adds them with the writer. On any
 * error the file is truncated back to its original size.
 * @example
 * await appendHdus('cat.fits', (w) => w.addTable({ id: ids }, { extname: 'MORE' }));
 */
export async function appendHdus(path: string, fn: (w: FitsWriter) => Promise<void>, opts: FitsWriterOptions = {}): Promise<void> {
  const file = await openFits(path, {}, updateRuntime);
  let count: number;
  try {
    count = (await file.hdus()).length;
  } finally {
    await file.close();
  }
  const sink = await AppendSink.open(path);
  const w = new FitsWriter(sink, { deflate: nodeDeflater, encodePool: () => nodeEncodePool(), ...opts, existingHdus: count });
  try {
    await fn(w);
    await w.close();
  } catch (e) {
    await w.abort(e);
    throw e;
  }
}
