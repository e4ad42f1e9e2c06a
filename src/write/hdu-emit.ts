/**
 * Writing one HDU to a ByteSink: header, data (streamed in chunks), padding,
 * then the header rewritten in place when values known only at the end
 * (NAXIS2, PCOUNT, DATASUM, CHECKSUM) must be filled in.
 */
import { fillBytes } from '../core/block.js';
import { FitsError } from '../core/errors.js';
import type { CardValue } from '../header/card.js';
import { OnesComplementSum, addSums, encodeChecksum } from '../checksum/sum32.js';
import { formatCard } from '../header/format.js';
import { cardImages, encodeHeader, type AssembledCard, type StructuralCard } from './header-build.js';
import type { ByteSink } from './sink.js';


/** A ones' complement sum over a byte stream cut at any boundaries. */
export class StreamingSum {
  private readonly sum = new OnesComplementSum();
  private readonly carry = new Uint8Array(4);
  private carried = 0;
  private scratch = new Uint8Array(0);

  add(bytes: Uint8Array): void {
    let b = bytes;
    if (this.carried) {
      const take = Math.min(4 - this.carried, b.length);
      this.carry.set(b.subarray(0, take), this.carried);
      this.carried += take;
      b = b.subarray(take);
      if (this.carried < 4) return;
      this.sum.add(this.carry);
      this.carried = 0;
    }
    const whole = b.length & ~3;
    if (whole) {
      if ((b.byteOffset & 3) === 0) this.sum.add(b.subarray(0, whole));
      else {
        if (this.scratch.length < Math.min(whole, 1 << 20)) this.scratch = new Uint8Array(Math.min(whole, 1 << 20));
        for (let at = 0; at < whole; at += this.scratch.length) {
          const n = Math.min(this.scratch.length, whole - at);
          this.scratch.set(b.subarray(at, at + n));
          this.sum.add(this.scratch.subarray(0, n));
        }
      }
    }
    const tail = b.length - whole;
    if (tail) {
      this.carry.set(b.subarray(whole));
      this.carried = tail;
    }
  }

  /** The sum, with missing bytes of a partial last word counted as zeros. */
  get value(): number {
    if (this.carried) {
      const last = new Uint8Array(4);
      last.set(this.carry.subarray(0, this.carried));
      const s = new OnesComplementSum(this.sum.value);
      s.add(last);
      return s.value;
    }
    return this.sum.value;
  }
}

/** Patch the value of a card of an assembled header (keeping its comment); its physical length must not change. */
export function patchCard(cards: AssembledCard[], keyword: string, value: CardValue): void {
  const c = cards.find((x) => !x.commentary && x.keyword === keyword);
  if (!c) throw new Error(`internal: no ${keyword} card to patch`);
  const next = { keyword: c.keyword, value, comment: c.comment ?? '', hierarch: c.hierarch, isReal: c.isReal };
  const images = formatCard(next);
  if (images.length !== c.images.length) throw new Error(`internal: patching ${keyword} changed the header length`);
  Object.assign(c, next, { images });
}

/** Checksum cards to add to a header when checksums are requested. */
export function checksumCards(): StructuralCard[] {
  return [
    { keyword: 'CHECKSUM', value: '0000000000000000', comment: 'HDU checksum', mode: 'derived' },
    { keyword: 'DATASUM', value: '0', comment: 'data unit checksum', mode: 'derived' },
  ];
}

/** Fill DATASUM and CHECKSUM of a header for a data sum; returns the final header bytes. */
export function sealChecksum(cards: AssembledCard[], dataSum: number): Uint8Array {
  patchCard(cards, 'DATASUM', String(dataSum >>> 0));
  patchCard(cards, 'CHECKSUM', '0000000000000000');
  const bytes = encodeHeader(cardImages(cards));
  const h = new OnesComplementSum();
  h.add(bytes);
  const total = addSums(h.value, dataSum);
  patchCard(cards, 'CHECKSUM', encodeChecksum(total));
  return encodeHeader(cardImages(cards));
}

export interface EmitOptions {
  /** Compute DATASUM/CHECKSUM (the header must hold both cards). */
  checksum: boolean;
  /** Exact number of data bytes the producer must emit (checked), if known up front. */
  dataBytes?: number;
  /** Called after the data: values of header cards to fill in (NAXIS2, PCOUNT, …). */
  finalize?: (written: number) => Record<string, CardValue>;
  hdu: number;
  /** Padding byte after the data (0; ASCII tables: 0x20). */
  fill?: number;
}

/**
 * Write header + data. `produce` calls `emit` with consecutive data chunks.
 * Returns the number of data bytes written (before padding).
 */
export async function emitHdu(
  sink: ByteSink,
  cards: AssembledCard[],
  produce: (emit: (bytes: Uint8Array) => Promise<void>) => Promise<void>,
  opts: EmitOptions,
): Promise<{ headerOffset: number; dataOffset: number; dataBytes: number }> {
  const headerOffset = sink.position;
  const header = encodeHeader(cardImages(cards));
  await sink.write(header);
  const dataOffset = sink.position;
  const sum = opts.checksum ? new StreamingSum() : undefined;
  const fill = opts.fill ?? 0;
  let written = 0;
  await produce(async (bytes) => {
    if (bytes.length === 0) return;
    if (opts.dataBytes !== undefined && written + bytes.length > opts.dataBytes) {
      throw new FitsError('BAD_ARGUMENT', `More data than the header declares (${opts.dataBytes} bytes).`, { hdu: opts.hdu });
    }
    sum?.add(bytes);
    written += bytes.length;
    await sink.write(bytes);
  });
  if (opts.dataBytes !== undefined && written !== opts.dataBytes) {
    throw new FitsError('BAD_ARGUMENT', `The data has ${written} bytes but the header declares ${opts.dataBytes}.`, { hdu: opts.hdu });
  }
  const pad = fillBytes(written);
  if (pad) {
    const padding = new Uint8Array(pad).fill(fill);
    sum?.add(padding);
    await sink.write(padding);
  }
  let patched = false;
  if (opts.finalize) {
    for (const [k, v] of Object.entries(opts.finalize(written))) patchCard(cards, k, v);
    patched = true;
  }
  if (sum) {
    const bytes = sealChecksum(cards, sum.value);
    await sink.writeAt(headerOffset, bytes);
  } else if (patched) {
    await sink.writeAt(headerOffset, encodeHeader(cardImages(cards)));
  }
  return { headerOffset, dataOffset, dataBytes: written };
}
