/**
 * An LZMA decoder for LZMA2 chunks (the xz format's only common filter):
 * range decoder, literal/match/rep coding and a sliding dictionary. The
 * dictionary grows with the output up to min(declared size, maxDict), so a
 * small archive declaring a 1.5 GiB dictionary does not allocate one.
 */
const PROB_INIT = 1024;
const STATES = 12;
const POS_STATES_MAX = 16;
const LEN_LOW = 8;
const LEN_MID = 8;
const LEN_HIGH = 256;
const DIST_STATES = 4;
const DIST_SLOTS = 64;
const END_POS_MODEL = 14;
const FULL_DISTANCES = 128;
const ALIGN_BITS = 4;
const MATCH_MIN = 2;

/** A length coder's probabilities (match lengths and rep lengths have one each). */
class LenProbs {
  readonly choice = new Uint16Array(2);
  readonly low = new Uint16Array(POS_STATES_MAX * LEN_LOW);
  readonly mid = new Uint16Array(POS_STATES_MAX * LEN_MID);
  readonly high = new Uint16Array(LEN_HIGH);
  reset(): void {
    this.choice.fill(PROB_INIT);
    this.low.fill(PROB_INIT);
    this.mid.fill(PROB_INIT);
    this.high.fill(PROB_INIT);
  }
}

/** Thrown by the decoder on invalid data; the xz module turns it into a FitsError. */
export class LzmaDataError extends Error {}

export class LzmaDecoder {
  // Properties.
  private lc = 0;
  private lp = 0;
  private pb = 0;
  // Range decoder over the current chunk.
  private range = 0;
  private code = 0;
  private inBuf: Uint8Array = new Uint8Array(0);
  private inPos = 0;
  private inEnd = 0;
  // Coder state.
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  /** A match cut at a chunk's end, to finish in the next chunk. */
  private pendingLen = 0;
  private readonly isMatch = new Uint16Array(STATES * POS_STATES_MAX);
  private readonly isRep = new Uint16Array(STATES);
  private readonly isRepG0 = new Uint16Array(STATES);
  private readonly isRepG1 = new Uint16Array(STATES);
  private readonly isRepG2 = new Uint16Array(STATES);
  private readonly isRep0Long = new Uint16Array(STATES * POS_STATES_MAX);
  private readonly posSlot = new Uint16Array(DIST_STATES * DIST_SLOTS);
  private readonly posSpecial = new Uint16Array(1 + FULL_DISTANCES - END_POS_MODEL);
  private readonly align = new Uint16Array(1 << ALIGN_BITS);
  private readonly lenProbs = new LenProbs();
  private readonly repLenProbs = new LenProbs();
  private literal = new Uint16Array(0x300);
  // Dictionary.
  private dict: Uint8Array;
  private dpos = 0;
  /** Valid bytes in the dictionary (back-references may reach this far). */
  private dfull = 0;
  /** Output since the last dictionary reset (its low bits select pos states). */
  private total = 0;

  /**
   * @param dictSize the dictionary size the stream declares
   * @param maxDict most bytes this decoder will hold as its dictionary
   */
  constructor(dictSize: number, maxDict: number, private readonly dictAlloc = Math.min(dictSize, maxDict)) {
    this.dict = new Uint8Array(Math.min(this.dictAlloc, 1 << 20));
  }

  /** Set lc/lp/pb from an LZMA properties byte; false if it is invalid for LZMA2. */
  setProps(props: number): boolean {
    if (props > 224) return false;
    const lc = props % 9;
    const rest = (props / 9) | 0;
    const lp = rest % 5;
    const pb = (rest / 5) | 0;
    if (lc + lp > 4 || pb > 4) return false;
    this.lc = lc;
    this.lp = lp;
    this.pb = pb;
    if (this.literal.length !== 0x300 << (lc + lp)) this.literal = new Uint16Array(0x300 << (lc + lp));
    return true;
  }

  resetDict(): void {
    this.dpos = 0;
    this.dfull = 0;
    this.total = 0;
  }

  resetState(): void {
    this.isMatch.fill(PROB_INIT);
    this.isRep.fill(PROB_INIT);
    this.isRepG0.fill(PROB_INIT);
    this.isRepG1.fill(PROB_INIT);
    this.isRepG2.fill(PROB_INIT);
    this.isRep0Long.fill(PROB_INIT);
    this.posSlot.fill(PROB_INIT);
    this.posSpecial.fill(PROB_INIT);
    this.align.fill(PROB_INIT);
    this.lenProbs.reset();
    this.repLenProbs.reset();
    this.literal.fill(PROB_INIT);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
    this.pendingLen = 0;
  }

  private put(b: number, out: Uint8Array, o: number): void {
    if (this.dpos === this.dict.length) {
      if (this.dict.length < this.dictAlloc) {
        const grown = new Uint8Array(Math.min(this.dictAlloc, this.dict.length * 2));
        grown.set(this.dict);
        this.dict = grown;
      } else {
        this.dpos = 0;
      }
    }
    this.dict[this.dpos++] = b;
    if (this.dfull < this.dict.length) this.dfull++;
    this.total++;
    out[o] = b;
  }

  /** The byte `dist` (≥ 1) positions back. */
  private back(dist: number): number {
    let i = this.dpos - dist;
    if (i < 0) i += this.dict.length;
    return this.dict[i]!;
  }

  /** Copy an uncompressed LZMA2 chunk into the dictionary. */
  uncompressed(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) this.put(data[i]!, out, i);
    return out;
  }

  // --- range decoder ---
  private rcNormalize(): void {
    if (this.range < 0x1000000) {
      if (this.inPos >= this.inEnd) throw new LzmaDataError('the range coder reads past its chunk');
      this.range = (this.range << 8) >>> 0;
      this.code = ((this.code << 8) | this.inBuf[this.inPos++]!) >>> 0;
    }
  }

  private bit(probs: Uint16Array, i: number): number {
    this.rcNormalize();
    const p = probs[i]!;
    const bound = (this.range >>> 11) * p;
    if (this.code < bound) {
      this.range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      return 0;
    }
    this.range -= bound;
    this.code -= bound;
    probs[i] = p - (p >>> 5);
    return 1;
  }

  private direct(n: number): number {
    let r = 0;
    for (let i = 0; i < n; i++) {
      this.rcNormalize();
      this.range >>>= 1;
      let b = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        b = 1;
      }
      r = ((r << 1) | b) >>> 0;
    }
    return r;
  }

  private tree(probs: Uint16Array, offset: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(probs, offset + m);
    return m - (1 << bits);
  }

  private reverseTree(probs: Uint16Array, offset: number, bits: number): number {
    let m = 1;
    let sym = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.bit(probs, offset + m);
      m = (m << 1) | b;
      sym |= b << i;
    }
    return sym;
  }

  private length(lp: LenProbs, posState: number): number {
    if (!this.bit(lp.choice, 0)) return this.tree(lp.low, posState * LEN_LOW, 3);
    if (!this.bit(lp.choice, 1)) return LEN_LOW + this.tree(lp.mid, posState * LEN_MID, 3);
    return LEN_LOW + LEN_MID + this.tree(lp.high, 0, 8);
  }

  /**
   * Decode one LZMA chunk: `input[start, end)` holds its range-coded bytes and
   * `size` is its uncompressed size. Returns the decoded bytes.
   */
  chunk(input: Uint8Array, start: number, end: number, size: number): Uint8Array {
    this.inBuf = input;
    this.inPos = start;
    this.inEnd = end;
    if (end - start < 5 || input[start] !== 0) throw new LzmaDataError('a chunk does not start a range coder');
    this.code = ((input[start + 1]! << 24) | (input[start + 2]! << 16) | (input[start + 3]! << 8) | input[start + 4]!) >>> 0;
    this.range = 0xffffffff;
    this.inPos = start + 5;
    const out = new Uint8Array(size);
    let o = 0;
    const pbMask = (1 << this.pb) - 1;
    const lpMask = (1 << this.lp) - 1;
    const lc = this.lc;
    // Finish a match the previous chunk cut.
    while (this.pendingLen > 0 && o < size) {
      this.put(this.back(this.rep0 + 1), out, o++);
      this.pendingLen--;
    }
    while (o < size) {
      const posState = this.total & pbMask;
      const s = this.state;
      if (!this.bit(this.isMatch, (s << 4) | posState)) {
        const prev = this.dfull > 0 ? this.back(1) : 0;
        const base = 0x300 * (((this.total & lpMask) << lc) + (prev >>> (8 - lc)));
        let sym = 1;
        if (s >= 7) {
          if (this.rep0 + 1 > this.dfull) throw new LzmaDataError('a match reaches before the start of the dictionary');
          let matchByte = this.back(this.rep0 + 1);
          while (sym < 0x100) {
            const matchBit = (matchByte >>> 7) & 1;
            matchByte = (matchByte << 1) & 0xff;
            const b = this.bit(this.literal, base + 0x100 * (1 + matchBit) + sym);
            sym = (sym << 1) | b;
            if (matchBit !== b) break;
          }
        }
        while (sym < 0x100) sym = (sym << 1) | this.bit(this.literal, base + sym);
        this.put(sym & 0xff, out, o++);
        this.state = s < 4 ? 0 : s < 10 ? s - 3 : s - 6;
        continue;
      }
      let len: number;
      if (this.bit(this.isRep, s)) {
        if (this.dfull === 0) throw new LzmaDataError('a repeated match in an empty dictionary');
        if (!this.bit(this.isRepG0, s)) {
          if (!this.bit(this.isRep0Long, (s << 4) | posState)) {
            this.state = s < 7 ? 9 : 11;
            this.put(this.back(this.rep0 + 1), out, o++);
            continue;
          }
        } else {
          let dist: number;
          if (!this.bit(this.isRepG1, s)) dist = this.rep1;
          else {
            if (!this.bit(this.isRepG2, s)) dist = this.rep2;
            else {
              dist = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = dist;
        }
        len = this.length(this.repLenProbs, posState);
        this.state = s < 7 ? 8 : 11;
      } else {
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        len = this.length(this.lenProbs, posState);
        this.state = s < 7 ? 7 : 10;
        const lenState = len < DIST_STATES ? len : DIST_STATES - 1;
        const slot = this.tree(this.posSlot, lenState * DIST_SLOTS, 6);
        if (slot < 4) this.rep0 = slot;
        else {
          const nDirect = (slot >>> 1) - 1;
          let dist = ((2 | (slot & 1)) << nDirect) >>> 0;
          if (slot < END_POS_MODEL) dist += this.reverseTree(this.posSpecial, dist - slot, nDirect);
          else {
            dist = (dist + ((this.direct(nDirect - ALIGN_BITS) << ALIGN_BITS) >>> 0)) >>> 0;
            dist += this.reverseTree(this.align, 0, ALIGN_BITS);
          }
          this.rep0 = dist >>> 0;
        }
        if (this.rep0 === 0xffffffff) throw new LzmaDataError('an end marker inside an LZMA2 chunk');
      }
      if (this.rep0 + 1 > this.dfull) throw new LzmaDataError(this.dfull === this.dict.length && this.dict.length < this.total ? 'a match reaches further back than the dictionary this reader keeps' : 'a match reaches before the start of the dictionary');
      let n = len + MATCH_MIN;
      const dist = this.rep0 + 1;
      while (n > 0 && o < size) {
        this.put(this.back(dist), out, o++);
        n--;
      }
      this.pendingLen = n;
    }
    this.rcNormalize();
    if (this.code !== 0 || this.inPos !== this.inEnd) throw new LzmaDataError('a chunk does not end where its range coder does');
    return out;
  }
}
