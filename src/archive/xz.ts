/**
 * xz (.xz): streams of blocks holding LZMA2 chunks, with the block check
 * (CRC-32 or CRC-64 verified; SHA-256 accepted unverified) and the index
 * compared with what was decoded. Concatenated streams and stream padding are
 * read as `xz -d` does; bytes after the last stream that are not a stream are
 * ignored, as Python's lzma module does. Filters other than LZMA2 (BCJ, delta)
 * are refused: xz never uses them for data files unless asked.
 */
import { FitsError } from '../core/errors.js';
import { crc32, Crc64 } from './crc.js';
import type { StreamDecoder } from './decoder.js';
import { corrupt, truncated, type CompressedInput } from './input.js';
import { LzmaDataError, LzmaDecoder } from './lzma.js';

const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];
const FORMAT = 'xz';

/** Options of the xz decoder. */
export interface XzOptions {
  /** Most bytes of LZMA2 dictionary to hold (default 256 MiB; xz -9 uses 64 MiB). */
  maxDictionary?: number;
}

export const DEFAULT_MAX_DICTIONARY = 256 * 2 ** 20;

type Phase = 'stream' | 'block' | 'chunks' | 'done';

/** An xz decoder. */
export class XzDecoder implements StreamDecoder {
  private phase: Phase = 'stream';
  private streams = 0;
  private checkType = 0;
  private lzma: LzmaDecoder | null = null;
  private needDictReset = true;
  private needProps = true;
  private blockOut = 0;
  private blockIn = 0;
  private crc = 0;
  private crc64 = new Crc64();
  private records: Array<{ unpadded: number; uncompressed: number }> = [];
  private blockHeaderSize = 0;
  private declaredCompressed = -1;
  private declaredUncompressed = -1;
  private readonly maxDict: number;

  constructor(private readonly input: CompressedInput, opts: XzOptions = {}) {
    this.maxDict = opts.maxDictionary ?? DEFAULT_MAX_DICTIONARY;
  }

  private fail(why: string, offset = this.input.offset): FitsError {
    return corrupt(this.input.label, FORMAT, why, offset);
  }

  async next(): Promise<Uint8Array | null> {
    for (;;) {
      switch (this.phase) {
        case 'done':
          return null;
        case 'stream':
          if (!(await this.streamHeader())) {
            this.phase = 'done';
            return null;
          }
          this.phase = 'block';
          break;
        case 'block':
          if (await this.blockHeader()) this.phase = 'chunks';
          else {
            await this.indexAndFooter();
            this.phase = 'stream';
          }
          break;
        case 'chunks': {
          const out = await this.chunk();
          if (out) return out;
          await this.blockEnd();
          this.phase = 'block';
          break;
        }
      }
    }
  }

  /** Stream header (after any stream padding); false at the end of input. */
  private async streamHeader(): Promise<boolean> {
    if (this.streams > 0) {
      // Stream padding: zero bytes in multiples of four.
      let zeros = 0;
      while ((await this.input.ensure(1)) > 0 && this.input.bytes[this.input.pos] === 0) {
        this.input.take(1);
        zeros++;
      }
      if (this.input.atEnd) {
        if (zeros % 4 !== 0) throw this.fail('stream padding is not a multiple of four bytes');
        return false;
      }
    }
    const have = await this.input.ensure(12);
    const b = this.input.bytes;
    const p = this.input.pos;
    const isMagic = have >= 6 && MAGIC.every((m, i) => b[p + i] === m);
    if (!isMagic) {
      if (this.streams > 0) return false; // trailing bytes: ignored
      throw this.fail('it does not start with the xz magic bytes', 0);
    }
    if (have < 12) throw truncated(this.input.label, 'an xz stream header', this.input.offset + have);
    const flags = b.subarray(p + 6, p + 8);
    const crc = readU32(b, p + 8);
    if (crc32(flags) !== crc) throw this.fail('the stream header fails its CRC-32 check');
    if (flags[0] !== 0 || flags[1]! > 15) throw this.fail('the stream flags are invalid');
    this.checkType = flags[1]!;
    this.input.take(12);
    this.records = [];
    this.streams++;
    return true;
  }

  /** A block header; false when the index follows instead. */
  private async blockHeader(): Promise<boolean> {
    const first = await this.input.takeExactly(1, 'an xz block header');
    if (first[0] === 0) return false;
    const size = (first[0]! + 1) * 4;
    const rest = await this.input.takeExactly(size - 1, 'an xz block header');
    const h = new Uint8Array(size);
    h[0] = first[0]!;
    h.set(rest, 1);
    if (crc32(h.subarray(0, size - 4)) !== readU32(h, size - 4)) throw this.fail('a block header fails its CRC-32 check');
    const flags = h[1]!;
    if (flags & 0x3c) throw this.fail('a block header sets reserved flags');
    const nFilters = (flags & 3) + 1;
    let at = 2;
    const varint = (): number => {
      let v = 0;
      for (let i = 0; i < 9; i++) {
        if (at >= size - 4) throw this.fail('a block header field runs past the header');
        const byte = h[at++]!;
        v += (byte & 0x7f) * 2 ** (7 * i);
        if (!(byte & 0x80)) return v;
      }
      throw this.fail('a block header number is too long');
    };
    this.declaredCompressed = flags & 0x40 ? varint() : -1;
    this.declaredUncompressed = flags & 0x80 ? varint() : -1;
    let dictSize = 0;
    for (let f = 0; f < nFilters; f++) {
      const id = varint();
      const propSize = varint();
      if (id !== 0x21) {
        throw new FitsError('UNSUPPORTED', `${this.input.label} uses xz filter 0x${id.toString(16)}; only LZMA2 is supported. Decompress it with xz -d first.`);
      }
      if (f !== nFilters - 1 || propSize !== 1 || at >= size - 4) throw this.fail('the LZMA2 filter properties are invalid');
      const d = h[at++]!;
      if (d > 40) throw this.fail('the LZMA2 dictionary size is invalid');
      dictSize = d === 40 ? 0xffffffff : (2 | (d & 1)) * 2 ** ((d >>> 1) + 11);
    }
    while (at < size - 4) if (h[at++] !== 0) throw this.fail('block header padding is not zero');
    this.lzma = new LzmaDecoder(dictSize, this.maxDict);
    this.needDictReset = true;
    this.needProps = true;
    this.blockHeaderSize = size;
    this.blockOut = 0;
    this.blockIn = 0;
    this.crc = 0;
    this.crc64 = new Crc64();
    return true;
  }

  /** One LZMA2 chunk's output (at most 2 MiB), or null at the end-of-chunks byte. */
  private async chunk(): Promise<Uint8Array | null> {
    const lzma = this.lzma!;
    for (;;) {
      const ctl = (await this.input.takeExactly(1, 'an LZMA2 chunk'))[0]!;
      this.blockIn += 1;
      if (ctl === 0) return null;
      let out: Uint8Array;
      if (ctl === 1 || ctl === 2) {
        if (ctl === 1) lzma.resetDict();
        else if (this.needDictReset) throw this.fail('the first LZMA2 chunk does not reset the dictionary');
        this.needDictReset = false;
        const s = await this.input.takeExactly(2, 'an LZMA2 chunk header');
        const n = ((s[0]! << 8) | s[1]!) + 1;
        const data = await this.input.takeExactly(n, 'an LZMA2 chunk');
        out = lzma.uncompressed(data);
        this.blockIn += 2 + n;
      } else if (ctl >= 0x80) {
        const reset = (ctl >>> 5) & 3;
        const hdr = await this.input.takeExactly(reset >= 2 ? 5 : 4, 'an LZMA2 chunk header');
        const size = ((ctl & 0x1f) << 16) + ((hdr[0]! << 8) | hdr[1]!) + 1;
        const packed = ((hdr[2]! << 8) | hdr[3]!) + 1;
        if (reset === 3) {
          lzma.resetDict();
          this.needDictReset = false;
        } else if (this.needDictReset) throw this.fail('the first LZMA2 chunk does not reset the dictionary');
        if (reset >= 2) {
          if (!lzma.setProps(hdr[4]!)) throw this.fail('an LZMA2 chunk has invalid properties');
          this.needProps = false;
        } else if (this.needProps) throw this.fail('an LZMA2 chunk lacks the properties it needs');
        if (reset >= 1) lzma.resetState();
        if ((await this.input.ensure(packed)) < packed) throw truncated(this.input.label, 'an LZMA2 chunk', this.input.offset + this.input.available);
        const at = this.input.pos;
        const buf = this.input.bytes;
        try {
          out = lzma.chunk(buf, at, at + packed, size);
        } catch (e) {
          if (e instanceof LzmaDataError) throw this.fail(e.message, this.input.offset);
          throw e;
        }
        this.input.take(packed);
        this.blockIn += hdr.length + packed;
      } else {
        throw this.fail(`LZMA2 control byte 0x${ctl.toString(16)} is invalid`);
      }
      this.blockOut += out.length;
      if (this.checkType === 1) this.crc = crc32(out, this.crc);
      else if (this.checkType === 4) this.crc64.update(out);
      if (out.length > 0) return out;
    }
  }

  private async blockEnd(): Promise<void> {
    const compressed = this.blockIn;
    if (this.declaredCompressed >= 0 && this.declaredCompressed !== compressed) throw this.fail('a block holds a different compressed size than its header declares');
    if (this.declaredUncompressed >= 0 && this.declaredUncompressed !== this.blockOut) throw this.fail('a block holds a different uncompressed size than its header declares');
    const pad = (4 - (compressed % 4)) % 4;
    const padding = await this.input.takeExactly(pad, 'block padding');
    if (padding.some((x) => x !== 0)) throw this.fail('block padding is not zero');
    const checkSize = CHECK_SIZES[this.checkType]!;
    const check = await this.input.takeExactly(checkSize, 'a block check');
    if (this.checkType === 1 && readU32(check, 0) !== this.crc) throw this.fail('a block fails its CRC-32 check');
    if (this.checkType === 4) {
      const want = this.crc64.digest();
      if (!want.every((x, i) => x === check[i])) throw this.fail('a block fails its CRC-64 check');
    }
    this.records.push({ unpadded: this.blockHeaderSize + compressed + checkSize, uncompressed: this.blockOut });
    this.lzma = null;
  }

  /** The index (its 0x00 indicator already read) and the stream footer. */
  private async indexAndFooter(): Promise<void> {
    const bytes: number[] = [0];
    const byte = async (): Promise<number> => {
      const b = (await this.input.takeExactly(1, 'the xz index'))[0]!;
      bytes.push(b);
      return b;
    };
    const varint = async (): Promise<number> => {
      let v = 0;
      for (let i = 0; i < 9; i++) {
        const b = await byte();
        v += (b & 0x7f) * 2 ** (7 * i);
        if (!(b & 0x80)) return v;
      }
      throw this.fail('an index number is too long');
    };
    const n = await varint();
    if (n !== this.records.length) throw this.fail(`the index lists ${n} blocks but the stream holds ${this.records.length}`);
    for (const r of this.records) {
      const unpadded = await varint();
      const uncompressed = await varint();
      if (unpadded !== r.unpadded || uncompressed !== r.uncompressed) throw this.fail('the index does not match the blocks');
    }
    while (bytes.length % 4 !== 0) if ((await byte()) !== 0) throw this.fail('index padding is not zero');
    const crc = readU32(await this.input.takeExactly(4, 'the xz index'), 0);
    if (crc32(Uint8Array.from(bytes)) !== crc) throw this.fail('the index fails its CRC-32 check');
    const footer = await this.input.takeExactly(12, 'the xz stream footer');
    if (footer[10] !== 0x59 || footer[11] !== 0x5a) throw this.fail('the stream footer lacks its magic bytes');
    if (crc32(footer.subarray(4, 10)) !== readU32(footer, 0)) throw this.fail('the stream footer fails its CRC-32 check');
    if (footer[8] !== 0 || footer[9] !== this.checkType) throw this.fail('the stream footer flags differ from the header');
    const backward = (readU32(footer, 4) + 1) * 4;
    if (backward !== bytes.length + 4) throw this.fail('the stream footer gives a different index size');
  }
}

function readU32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}
