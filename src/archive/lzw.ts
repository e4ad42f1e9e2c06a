/**
 * Unix `compress` (.Z): LZW with 9..16-bit codes, as ncompress and `gzip -d`
 * decode it, including block mode (CLEAR code 256) and the quirk that codes
 * come in groups of eight: at a width change or a CLEAR the rest of the current
 * group is padding. astropy ≥ 7.1 reads .Z the same way (via uncompresspy).
 */
import type { StreamDecoder } from './decoder.js';
import { corrupt, type CompressedInput } from './input.js';

const CLEAR = 256;
const INIT_BITS = 9;
/** Output per next() call (plus at most one code's string). */
const PIECE = 1 << 20;
/** Compressed bytes fetched ahead (one code needs at most 3). */
const FETCH = 1 << 16;

/** A .Z decoder. */
export class LzwDecoder implements StreamDecoder {
  private started = false;
  private done = false;
  private maxbits = 16;
  private blockMode = true;
  private nBits = INIT_BITS;
  private maxcode = (1 << INIT_BITS) - 1;
  private maxmaxcode = 1 << 16;
  private freeEnt = 257;
  private oldcode = -1;
  private finchar = 0;
  /** Bit offset within the byte at input.pos. */
  private bitOff = 0;
  /** Codes read since the last group boundary (mod 8). */
  private inGroup = 0;
  private readonly prefix = new Uint16Array(1 << 16);
  private readonly suffix = new Uint8Array(1 << 16);
  private readonly stack = new Uint8Array(1 << 16);

  constructor(private readonly input: CompressedInput) {
    for (let c = 0; c < 256; c++) this.suffix[c] = c;
  }

  private async header(): Promise<void> {
    const label = this.input.label;
    const h = await this.input.takeExactly(3, 'the .Z header');
    if (h[0] !== 0x1f || h[1] !== 0x9d) throw corrupt(label, 'compress (.Z)', 'it does not start with the .Z magic bytes', 0);
    this.maxbits = h[2]! & 0x1f;
    this.blockMode = (h[2]! & 0x80) !== 0;
    if (h[2]! & 0x60) throw corrupt(label, 'compress (.Z)', 'reserved header bits are set', 2);
    if (this.maxbits < INIT_BITS || this.maxbits > 16) throw corrupt(label, 'compress (.Z)', `it declares ${this.maxbits}-bit codes (9 to 16 are valid)`, 2);
    this.maxmaxcode = 1 << this.maxbits;
    this.freeEnt = this.blockMode ? 257 : 256;
    this.started = true;
  }

  /** Skip the unread codes of the current group of eight (at the current width). */
  private async padGroup(): Promise<void> {
    const pad = ((8 - this.inGroup) & 7) * this.nBits;
    this.inGroup = 0;
    let bits = this.bitOff + pad;
    while (bits >= 8) {
      const have = await this.input.ensure(Math.min(bits >> 3, FETCH));
      if (have === 0) {
        this.done = true;
        return;
      }
      const k = Math.min(have, bits >> 3);
      this.input.take(k);
      bits -= 8 * k;
    }
    this.bitOff = bits;
  }

  async next(): Promise<Uint8Array | null> {
    if (!this.started) await this.header();
    if (this.done) return null;
    const label = this.input.label;
    const out = new Uint8Array(PIECE + this.stack.length);
    const { prefix, suffix, stack } = this;
    let o = 0;
    while (o < PIECE && !this.done) {
      if (this.freeEnt > this.maxcode) {
        await this.padGroup();
        this.nBits++;
        this.maxcode = this.nBits === this.maxbits ? this.maxmaxcode : (1 << this.nBits) - 1;
        continue;
      }
      const need = (this.bitOff + this.nBits + 7) >> 3;
      if (this.input.available < need && (await this.input.ensure(FETCH)) < need) {
        // Fewer bits than one code remain: the end (compress pads the last byte).
        this.done = true;
        break;
      }
      const b = this.input.bytes;
      const p = this.input.pos;
      const v = b[p]! | ((b[p + 1] ?? 0) << 8) | ((b[p + 2] ?? 0) << 16);
      let code = (v >>> this.bitOff) & ((1 << this.nBits) - 1);
      const bits = this.bitOff + this.nBits;
      this.input.pos += bits >> 3;
      this.bitOff = bits & 7;
      this.inGroup = (this.inGroup + 1) & 7;

      if (this.oldcode === -1) {
        if (code >= 256) throw corrupt(label, 'compress (.Z)', `its first code is ${code}, not a byte`, this.input.offset);
        out[o++] = this.finchar = this.oldcode = code;
        continue;
      }
      if (code === CLEAR && this.blockMode) {
        this.freeEnt = CLEAR; // the next code adds a dummy entry 256, as ncompress does
        await this.padGroup();
        this.nBits = INIT_BITS;
        this.maxcode = (1 << INIT_BITS) - 1;
        continue;
      }
      const incode = code;
      let sp = stack.length;
      if (code >= this.freeEnt) {
        if (code > this.freeEnt) throw corrupt(label, 'compress (.Z)', `code ${code} is not yet defined`, this.input.offset);
        stack[--sp] = this.finchar;
        code = this.oldcode;
      }
      // prefix[c] < c for every defined entry, so this chain is shorter than the table.
      while (code >= 256) {
        if (sp === 0) throw corrupt(label, 'compress (.Z)', 'a code chain loops', this.input.offset);
        stack[--sp] = suffix[code]!;
        code = prefix[code]!;
      }
      if (sp === 0) throw corrupt(label, 'compress (.Z)', 'a code chain loops', this.input.offset);
      stack[--sp] = this.finchar = suffix[code]!;
      out.set(stack.subarray(sp), o);
      o += stack.length - sp;
      if (this.freeEnt < this.maxmaxcode) {
        prefix[this.freeEnt] = this.oldcode;
        suffix[this.freeEnt] = this.finchar;
        this.freeEnt++;
      }
      this.oldcode = incode;
    }
    return o > 0 ? out.subarray(0, o) : this.done ? null : out.subarray(0, 0);
  }
}
