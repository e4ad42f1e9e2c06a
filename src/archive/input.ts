/**
 * Sequential reads of an archive's compressed bytes from any ByteSource (a file,
 * memory, or HTTP range reads), in chunks, keeping only what is not yet consumed.
 */
import { FitsError } from '../core/errors.js';
import type { ByteSource } from '../core/byte-source.js';

/** Compressed bytes are fetched in reads of at least this size (one range request each, remotely). */
const READ_CHUNK = 1 << 18;

/** A forward-only cursor over the compressed bytes of an archive. */
export class CompressedInput {
  private buf = new Uint8Array(0);
  /** Index of the next unread byte in `buf`. */
  pos = 0;
  /** Offset in the source of `buf[0]`. */
  private bufStart: number;
  private readonly end: number;

  constructor(
    private readonly source: ByteSource,
    /** Where the compressed stream starts in the source. */
    start = 0,
    /** Where it ends (default: the end of the source). */
    end = source.size,
    /** The archive's name, for messages. */
    readonly label = source.name ?? 'archive',
  ) {
    this.bufStart = start;
    this.end = end;
  }

  /** Source offset of the next unread byte. */
  get offset(): number {
    return this.bufStart + this.pos;
  }

  /** Bytes buffered and not yet consumed. */
  get available(): number {
    return this.buf.length - this.pos;
  }

  /** True when every compressed byte has been consumed. */
  get atEnd(): boolean {
    return this.available === 0 && this.bufStart + this.buf.length >= this.end;
  }

  /** True when buffer index `p` is past every compressed byte. */
  atEndAfter(p: number): boolean {
    return p >= this.buf.length && this.bufStart + this.buf.length >= this.end;
  }

  /** The buffer; bytes [pos, pos + available) are unread. Valid until the next ensure(). */
  get bytes(): Uint8Array {
    return this.buf;
  }

  /**
   * Make at least `n` unread bytes available, or all that remain.
   * @returns the number of unread bytes now available (less than `n` only at the end).
   */
  async ensure(n: number): Promise<number> {
    if (this.available >= n) return this.available;
    const fetched = this.bufStart + this.buf.length;
    const remaining = this.end - fetched;
    if (remaining <= 0) return this.available;
    const want = Math.min(remaining, Math.max(READ_CHUNK, n - this.available));
    let got: Uint8Array;
    try {
      got = await this.source.read(fetched, want);
    } catch (e) {
      if (e instanceof FitsError) throw e;
      throw new FitsError('IO', `Reading the compressed bytes of ${this.label} failed: ${(e as Error).message}.`, { cause: e });
    }
    if (got.length === 0) throw new FitsError('IO', `${this.label} returned no bytes at offset ${fetched} before its end.`, { offset: fetched });
    const next = new Uint8Array(this.available + got.length);
    next.set(this.buf.subarray(this.pos));
    next.set(got, this.available);
    this.bufStart += this.pos;
    this.buf = next;
    this.pos = 0;
    return this.ensure(n);
  }

  /** Take up to `n` unread bytes (a view; valid until the next ensure()). */
  take(n: number): Uint8Array {
    const k = Math.min(n, this.available);
    const view = this.buf.subarray(this.pos, this.pos + k);
    this.pos += k;
    return view;
  }

  /** Take exactly `n` bytes, fetching them first; fewer means the archive is truncated. */
  async takeExactly(n: number, what: string): Promise<Uint8Array> {
    if ((await this.ensure(n)) < n) throw truncated(this.label, what, this.offset + this.available);
    return this.take(n);
  }
}

/** The FitsError for an archive that ends early. */
export function truncated(label: string, what: string, offset?: number): FitsError {
  return new FitsError('TRUNCATED', `${label} is truncated: it ends inside ${what}. Download it again, or decompress it with its own tool to see how much is left.`, offset === undefined ? {} : { offset });
}

/** The FitsError for a compressed stream that cannot be decoded. */
export function corrupt(label: string, format: string, why: string, offset?: number): FitsError {
  return new FitsError('CORRUPT_DATA', `${label} is not a valid ${format} stream: ${why}.`, offset === undefined ? {} : { offset });
}
