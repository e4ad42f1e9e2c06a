/**
 * MSB-first bit reads (bzip2) over a CompressedInput's buffer. The owner
 * makes enough bytes available before each unit (a block) with `refill()`;
 * running out inside a unit means the archive is truncated.
 */
import { truncated, type CompressedInput } from './input.js';

export class MsbBitReader {
  private acc = 0;
  /** Unused bits in `acc` (at most 7 between reads). */
  private count = 0;
  private buf: Uint8Array;
  private p: number;

  constructor(private readonly input: CompressedInput, private readonly what: string) {
    this.buf = input.bytes;
    this.p = input.pos;
  }

  /** Hand the position back and make `n` more bytes available (or all that remain). */
  async refill(n: number): Promise<number> {
    this.input.pos = this.p;
    const have = await this.input.ensure(n);
    this.buf = this.input.bytes;
    this.p = this.input.pos;
    return have;
  }

  /** True when no bits remain, buffered or not (the caller refilled first). */
  get exhausted(): boolean {
    return this.count === 0 && this.p >= this.buf.length && this.input.atEndAfter(this.p);
  }

  /** Read n ≤ 24 bits. */
  bits(n: number): number {
    while (this.count < n) {
      if (this.p >= this.buf.length) throw truncated(this.input.label, this.what);
      this.acc = (this.acc << 8) | this.buf[this.p++]!;
      this.count += 8;
    }
    this.count -= n;
    return (this.acc >>> this.count) & ((1 << n) - 1);
  }

  bit(): number {
    if (this.count === 0) {
      if (this.p >= this.buf.length) throw truncated(this.input.label, this.what);
      this.acc = this.buf[this.p++]!;
      this.count = 8;
    }
    this.count--;
    return (this.acc >>> this.count) & 1;
  }

  /** Drop the bits left in the current byte. */
  alignToByte(): void {
    this.count = 0;
  }

  /** Sync the input's position (call before anyone else reads the input). */
  release(): void {
    this.input.pos = this.p;
  }
}
