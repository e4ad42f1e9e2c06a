/**
 * gzip (RFC 1952), including concatenated members as `gzip -d` and Python's
 * gzip module read them. Deflate itself is pako's; the member framing (header,
 * CRC-32, ISIZE) is checked here so that each member's end is known exactly.
 */
import { Inflate } from 'pako';
import { crc32 } from './crc.js';
import type { StreamDecoder } from './decoder.js';
import { corrupt, truncated, type CompressedInput } from './input.js';

/** Compressed bytes handed to pako per push: deflate expands at most 1032:1, so one push makes at most ~33 MiB. */
const PUSH = 32768;

/**
 * A raw-deflate stream decoder over a CompressedInput, pulling `PUSH` bytes at a
 * time. Used by gzip members and zip entries.
 */
export class DeflateStream {
  private readonly inflater: Inflate;
  private pieces: Uint8Array[] = [];
  private done = false;

  constructor(
    private readonly input: CompressedInput,
    private readonly format: string,
    /** Compressed bytes this stream may consume (zip knows it); Infinity for gzip. */
    private remaining = Infinity,
  ) {
    this.inflater = new Inflate({ raw: true, chunkSize: 1 << 16 });
    this.inflater.onData = (chunk: Uint8Array) => {
      this.pieces.push(chunk);
    };
  }

  /** True once the deflate stream's final block has been decoded. */
  get ended(): boolean {
    return this.done;
  }

  /** The next decoded piece, or null once the deflate stream has ended. */
  async next(): Promise<Uint8Array | null> {
    while (this.pieces.length === 0) {
      if (this.done) return null;
      const want = Math.min(PUSH, this.remaining);
      const have = want > 0 ? await this.input.ensure(want) : 0;
      if (have === 0) throw truncated(this.input.label, `its ${this.format} stream`, this.input.offset);
      const chunk = this.input.take(Math.min(have, want));
      this.remaining -= chunk.length;
      const ok = this.inflater.push(chunk, false);
      // pako keeps these on the instance; its typings omit them.
      const { strm, ended } = this.inflater as unknown as { strm: { avail_in: number }; ended: boolean };
      if (!ok || this.inflater.err) throw corrupt(this.input.label, this.format, this.inflater.msg || `deflate error ${this.inflater.err}`, this.input.offset);
      if (ended) {
        // Give back what pako did not consume: the member trailer (or the next member) starts there.
        this.input.pos -= strm.avail_in;
        this.remaining += strm.avail_in;
        this.done = true;
      }
    }
    return this.pieces.shift()!;
  }
}

/** A gzip decoder (all members, each with its CRC-32 and size checked). */
export class GzipDecoder implements StreamDecoder {
  private member: DeflateStream | null = null;
  private crc = 0;
  private size = 0;
  private members = 0;

  constructor(private readonly input: CompressedInput) {}

  async next(): Promise<Uint8Array | null> {
    for (;;) {
      if (!this.member) {
        if (!(await this.startMember())) return null;
      }
      const piece = await this.member!.next();
      if (piece) {
        this.crc = crc32(piece, this.crc);
        this.size = (this.size + piece.length) >>> 0;
        return piece;
      }
      await this.endMember();
    }
  }

  /** Parse a member header; false at the end of the file (or trailing zero padding, which gzip ignores). */
  private async startMember(): Promise<boolean> {
    const label = this.input.label;
    const have = await this.input.ensure(10);
    if (have === 0 && this.members > 0) return false;
    const b = this.input.bytes;
    const p = this.input.pos;
    if (this.members > 0 && b[p] === 0) {
      // gzip -d: "decompression OK, trailing zero bytes ignored".
      while ((await this.input.ensure(1)) > 0) {
        const rest = this.input.take(this.input.available);
        if (rest.some((x) => x !== 0)) throw corrupt(label, 'gzip', 'non-zero bytes follow zero padding after the last member', this.input.offset);
      }
      return false;
    }
    if (have < 10) throw truncated(label, 'a gzip member header', this.input.offset + have);
    if (b[p] !== 0x1f || b[p + 1] !== 0x8b) {
      if (this.members === 0) throw corrupt(label, 'gzip', 'it does not start with the gzip magic bytes', this.input.offset);
      throw corrupt(label, 'gzip', 'bytes after the last member are not another gzip member', this.input.offset);
    }
    if (b[p + 2] !== 8) throw corrupt(label, 'gzip', `compression method ${b[p + 2]} is not deflate`, this.input.offset + 2);
    const flags = b[p + 3]!;
    if (flags & 0xe0) throw corrupt(label, 'gzip', 'reserved header flags are set', this.input.offset + 3);
    this.input.take(10);
    if (flags & 4) {
      const xlen = await this.input.takeExactly(2, 'a gzip header');
      await this.input.takeExactly(xlen[0]! | (xlen[1]! << 8), 'a gzip header');
    }
    for (const bit of [8, 16]) {
      if (!(flags & bit)) continue;
      // Zero-terminated file name / comment, bounded by the file's own size.
      for (;;) {
        const one = await this.input.takeExactly(1, 'a gzip header');
        if (one[0] === 0) break;
      }
    }
    if (flags & 2) await this.input.takeExactly(2, 'a gzip header');
    this.member = new DeflateStream(this.input, 'gzip');
    this.crc = 0;
    this.size = 0;
    this.members++;
    return true;
  }

  private async endMember(): Promise<void> {
    const t = await this.input.takeExactly(8, 'a gzip member trailer');
    const crc = (t[0]! | (t[1]! << 8) | (t[2]! << 16) | (t[3]! << 24)) >>> 0;
    const isize = (t[4]! | (t[5]! << 8) | (t[6]! << 16) | (t[7]! << 24)) >>> 0;
    if (crc !== this.crc) throw corrupt(this.input.label, 'gzip', `member ${this.members} fails its CRC-32 check`, this.input.offset - 8);
    if (isize !== this.size) throw corrupt(this.input.label, 'gzip', `member ${this.members} declares ${isize} bytes (mod 2^32) but holds ${this.size}`, this.input.offset - 4);
    this.member = null;
  }
}
