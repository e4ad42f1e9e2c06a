/**
 * bzip2 (.bz2), including concatenated streams as `bzip2 -d` and Python's bz2
 * module read them. Each block is Huffman + MTF decoded and its BWT inverted,
 * then its run-length stage is played out in pieces of bounded size, so a
 * block that expands ~50:1 never makes one call allocate more than a piece.
 * Block and stream CRCs are checked. Randomised blocks (never written since
 * bzip2 0.9.5) are refused.
 */
import { MsbBitReader } from './bit-reader.js';
import { bzCrcUpdate } from './crc.js';
import type { StreamDecoder } from './decoder.js';
import { corrupt, truncated, type CompressedInput } from './input.js';
import { FitsError } from '../core/errors.js';

const BLOCK_MAGIC_HI = 0x314159;
const BLOCK_MAGIC_LO = 0x265359;
const END_MAGIC_HI = 0x177245;
const END_MAGIC_LO = 0x385090;
const MAX_GROUPS = 6;
const MAX_ALPHA = 258;
const MAX_CODE_LEN = 20;
const MAX_SELECTORS = 18002;
const GROUP_SIZE = 50;
/** Compressed bytes made available before a block: more than any block can take (900k symbols × 20 bits + tables). */
const BLOCK_FETCH = 2_400_000;
/** Output per next() call. */
const PIECE = 1 << 20;

const FORMAT = 'bzip2';

/** A bzip2 decoder. */
export class Bzip2Decoder implements StreamDecoder {
  private readonly reader: MsbBitReader;
  private inStream = false;
  private streams = 0;
  private done = false;
  private blockMax = 0;
  private ll = new Uint8Array(0);
  private tt = new Int32Array(0);
  private combinedCrc = 0;
  // The block being played out.
  private remaining = 0;
  private tPos = 0;
  private lastByte = -1;
  private runCount = 0;
  private blockCrc = 0;
  private expectedBlockCrc = 0;
  private inBlock = false;

  constructor(private readonly input: CompressedInput) {
    this.reader = new MsbBitReader(input, 'a bzip2 block');
  }

  private fail(why: string): FitsError {
    return corrupt(this.input.label, FORMAT, why, this.input.offset);
  }

  async next(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.done) return null;
      if (this.inBlock) return this.playOut();
      await this.reader.refill(BLOCK_FETCH);
      if (!this.inStream && !this.startStream()) {
        this.done = true;
        this.reader.release();
        return null;
      }
      const hi = this.reader.bits(24);
      const lo = this.reader.bits(24);
      if (hi === BLOCK_MAGIC_HI && lo === BLOCK_MAGIC_LO) {
        this.readBlock();
      } else if (hi === END_MAGIC_HI && lo === END_MAGIC_LO) {
        const crc = ((this.reader.bits(16) << 16) | this.reader.bits(16)) >>> 0;
        if (crc !== this.combinedCrc) throw this.fail(`stream ${this.streams} fails its combined CRC check`);
        this.reader.alignToByte();
        this.inStream = false;
      } else {
        throw this.fail('a block does not start with the block marker');
      }
    }
  }

  /** Read a stream header; false at the end of input or at trailing bytes that are not a stream (ignored, as bzip2 -d and Python do). */
  private startStream(): boolean {
    if (this.reader.exhausted) {
      if (this.streams === 0) throw truncated(this.input.label, 'the bzip2 header');
      return false;
    }
    let b: number;
    try {
      b = this.reader.bits(24);
    } catch (e) {
      if (this.streams > 0) return false;
      throw e;
    }
    if (b !== 0x425a68) {
      if (this.streams > 0) return false;
      throw this.fail('it does not start with "BZh"');
    }
    const level = this.reader.bits(8) - 0x30;
    if (level < 1 || level > 9) throw this.fail(`block size digit ${level} is not 1 to 9`);
    this.blockMax = level * 100_000;
    if (this.ll.length < this.blockMax) {
      this.ll = new Uint8Array(this.blockMax);
      this.tt = new Int32Array(this.blockMax);
    }
    this.combinedCrc = 0;
    this.inStream = true;
    this.streams++;
    return true;
  }

  private readBlock(): void {
    const r = this.reader;
    this.expectedBlockCrc = ((r.bits(16) << 16) | r.bits(16)) >>> 0;
    if (r.bit()) throw new FitsError('UNSUPPORTED', `${this.input.label} has a randomised bzip2 block (written by bzip2 before 0.9.5); decompress it with bzip2 -d first.`);
    const origPtr = r.bits(24);

    // Symbol map: which byte values occur.
    const seqToUnseq = new Uint8Array(256);
    let inUse = 0;
    const used16 = r.bits(16);
    for (let i = 0; i < 16; i++) {
      if (!(used16 & (0x8000 >>> i))) continue;
      const bits = r.bits(16);
      for (let j = 0; j < 16; j++) if (bits & (0x8000 >>> j)) seqToUnseq[inUse++] = i * 16 + j;
    }
    if (inUse === 0) throw this.fail('a block uses no byte values');
    const alphaSize = inUse + 2;

    const nGroups = r.bits(3);
    if (nGroups < 2 || nGroups > MAX_GROUPS) throw this.fail(`a block has ${nGroups} Huffman tables (2 to 6 are valid)`);
    const nSelectors = r.bits(15);
    if (nSelectors < 1) throw this.fail('a block has no selectors');
    const selectorMtf = new Uint8Array(Math.min(nSelectors, MAX_SELECTORS));
    for (let i = 0; i < nSelectors; i++) {
      let j = 0;
      while (r.bit()) {
        j++;
        if (j >= nGroups) throw this.fail('a selector names a table that does not exist');
      }
      if (i < MAX_SELECTORS) selectorMtf[i] = j;
    }
    const groupOrder = [0, 1, 2, 3, 4, 5];
    const selectors = new Uint8Array(selectorMtf.length);
    for (let i = 0; i < selectorMtf.length; i++) {
      const v = selectorMtf[i]!;
      const t = groupOrder[v]!;
      for (let k = v; k > 0; k--) groupOrder[k] = groupOrder[k - 1]!;
      groupOrder[0] = t;
      selectors[i] = t;
    }

    // Code lengths and decoding tables per group.
    const limits: Int32Array[] = [];
    const bases: Int32Array[] = [];
    const perms: Uint16Array[] = [];
    const minLens: number[] = [];
    const lens = new Uint8Array(MAX_ALPHA);
    for (let t = 0; t < nGroups; t++) {
      let curr = r.bits(5);
      let minLen = 32;
      let maxLen = 0;
      for (let i = 0; i < alphaSize; i++) {
        for (;;) {
          if (curr < 1 || curr > MAX_CODE_LEN) throw this.fail('a Huffman code length is out of range');
          if (!r.bit()) break;
          curr += r.bit() ? -1 : 1;
        }
        lens[i] = curr;
        if (curr < minLen) minLen = curr;
        if (curr > maxLen) maxLen = curr;
      }
      const limit = new Int32Array(MAX_CODE_LEN + 2);
      const base = new Int32Array(MAX_CODE_LEN + 2);
      const perm = new Uint16Array(MAX_ALPHA);
      let pp = 0;
      for (let i = minLen; i <= maxLen; i++) for (let j = 0; j < alphaSize; j++) if (lens[j] === i) perm[pp++] = j;
      for (let i = 0; i < alphaSize; i++) base[lens[i]! + 1]!++;
      for (let i = 1; i < base.length; i++) base[i]! += base[i - 1]!;
      let vec = 0;
      for (let i = minLen; i <= maxLen; i++) {
        vec += base[i + 1]! - base[i]!;
        limit[i] = vec - 1;
        vec <<= 1;
      }
      for (let i = maxLen + 1; i < limit.length; i++) limit[i] = 0x7fffffff;
      for (let i = minLen + 1; i <= maxLen; i++) base[i] = ((limit[i - 1]! + 1) << 1) - base[i]!;
      limits.push(limit);
      bases.push(base);
      perms.push(perm);
      minLens.push(minLen);
    }

    // Huffman symbols → MTF/RLE2 → bytes in ll.
    const EOB = inUse + 1;
    const mtf = new Uint8Array(256);
    for (let i = 0; i < 256; i++) mtf[i] = i;
    const counts = new Int32Array(256);
    const ll = this.ll;
    const blockMax = this.blockMax;
    let nblock = 0;
    let groupNo = -1;
    let groupPos = 0;
    let limit = limits[0]!;
    let base = bases[0]!;
    let perm = perms[0]!;
    let minLen = minLens[0]!;
    const nextSym = (): number => {
      if (groupPos === 0) {
        groupNo++;
        if (groupNo >= selectors.length) throw this.fail('a block has more symbols than its selectors cover');
        const g = selectors[groupNo]!;
        limit = limits[g]!;
        base = bases[g]!;
        perm = perms[g]!;
        minLen = minLens[g]!;
        groupPos = GROUP_SIZE;
      }
      groupPos--;
      let zn = minLen;
      let zvec = r.bits(zn);
      while (zvec > limit[zn]!) {
        zn++;
        if (zn > MAX_CODE_LEN) throw this.fail('a Huffman code is invalid');
        zvec = (zvec << 1) | r.bit();
      }
      const idx = zvec - base[zn]!;
      if (idx < 0 || idx >= alphaSize) throw this.fail('a Huffman code is invalid');
      return perm[idx]!;
    };

    let sym = nextSym();
    for (;;) {
      if (sym === EOB) break;
      if (sym <= 1) {
        let run = 0;
        let n = 1;
        do {
          if (n > blockMax) throw this.fail('a run is longer than the block');
          run += sym === 0 ? n : 2 * n;
          n <<= 1;
          sym = nextSym();
        } while (sym <= 1);
        if (nblock + run > blockMax) throw this.fail('a block holds more bytes than its declared size');
        const uc = seqToUnseq[mtf[0]!]!;
        counts[uc]! += run;
        ll.fill(uc, nblock, nblock + run);
        nblock += run;
        continue;
      }
      if (nblock >= blockMax) throw this.fail('a block holds more bytes than its declared size');
      const nn = sym - 1;
      const v = mtf[nn]!;
      mtf.copyWithin(1, 0, nn);
      mtf[0] = v;
      const uc = seqToUnseq[v]!;
      counts[uc]!++;
      ll[nblock++] = uc;
      sym = nextSym();
    }
    if (origPtr >= nblock) throw this.fail('the BWT origin pointer is outside the block');

    // Inverse BWT: tt[i] holds (next position << 8) | byte.
    const tt = this.tt;
    const cftab = new Int32Array(257);
    for (let i = 0; i < 256; i++) cftab[i + 1] = cftab[i]! + counts[i]!;
    for (let i = 0; i < nblock; i++) tt[i] = ll[i]!;
    for (let i = 0; i < nblock; i++) {
      const uc = tt[i]! & 0xff;
      tt[cftab[uc]!] = tt[cftab[uc]!]! | (i << 8);
      cftab[uc]!++;
    }
    this.tPos = tt[origPtr]! >>> 8;
    this.remaining = nblock;
    this.lastByte = -1;
    this.runCount = 0;
    this.blockCrc = 0xffffffff;
    this.inBlock = true;
  }

  /** Play out up to one piece of the current block's run-length stage. */
  private playOut(): Uint8Array {
    const out = new Uint8Array(PIECE + 256);
    const tt = this.tt;
    let o = 0;
    let { tPos, remaining, lastByte, runCount } = this;
    while (remaining > 0 && o < PIECE) {
      const e = tt[tPos]!;
      const k = e & 0xff;
      tPos = e >>> 8;
      remaining--;
      if (runCount === 4) {
        out.fill(lastByte, o, o + k);
        o += k;
        runCount = 0;
        continue;
      }
      if (k === lastByte) runCount++;
      else {
        runCount = 1;
        lastByte = k;
      }
      out[o++] = k;
    }
    this.tPos = tPos;
    this.remaining = remaining;
    this.lastByte = lastByte;
    this.runCount = runCount;
    // The CRC in a second, sequential pass: the loop above is bound by random reads of tt.
    const piece = out.subarray(0, o);
    this.blockCrc = bzCrcUpdate(this.blockCrc, piece);
    if (remaining === 0) {
      const crc = ~this.blockCrc >>> 0;
      if (crc !== this.expectedBlockCrc) throw this.fail('a block fails its CRC check');
      this.combinedCrc = (((this.combinedCrc << 1) | (this.combinedCrc >>> 31)) ^ crc) >>> 0;
      this.inBlock = false;
    }
    return piece;
  }
}
