/**
 * A ByteSource over the decompressed content of a whole-file archive
 * (.gz, .bz2, .Z, .xz, .zip), decompressed forward only as far as reads ask.
 *
 * Memory: a window of the most recent output (default 32 MiB) serves re-reads
 * and short backward steps (a header re-read, a table's heap next to its rows);
 * a read before the window restarts decompression from the archive's start.
 * Measured in bench/archive.ts: a forward pass costs one decompression; random
 * access before the window costs one more per backward jump. The alternative,
 * spilling output to a temporary file, needs a file system (not in browsers or
 * edge functions), so restart is the runtime-neutral choice.
 *
 * Size: unknown until the stream has been read to its end (zip declares it).
 * Until then `size` reports the cap, the most bytes the archive may expand to.
 * The cap is min(limit(), maxBytes), where maxBytes defaults to
 * max(1 GiB, 1100 × compressed size): deflate cannot exceed 1032:1, so no
 * genuine gzip or zip file above 1 GiB trips it; bzip2 and xz can, and then
 * the message says which option to raise.
 */
import { FitsError } from '../core/errors.js';
import type { ByteSource } from '../core/byte-source.js';
import type { ArchiveFormat, StreamDecoder } from './decoder.js';
import { createDecoder, SUFFIX } from './formats.js';
import type { XzOptions } from './xz.js';

/** Options of whole-file decompression. */
export interface DecompressOptions extends XzOptions {
  /** Most bytes an archive may expand to (default: max(minCap, maxRatio × compressed size)). */
  maxBytes?: number;
  /** Most expansion relative to the compressed size (default 1100). */
  maxRatio?: number;
  /** Bytes of recent output kept in memory for re-reads (default 32 MiB). */
  window?: number;
}

export const DEFAULT_MAX_RATIO = 1100;
export const DEFAULT_MIN_CAP = 2 ** 30;
export const DEFAULT_WINDOW = 32 * 2 ** 20;

/** The cap an archive of `compressedSize` bytes gets by default. */
export function defaultCap(compressedSize: number, opts: DecompressOptions = {}): number {
  if (opts.maxBytes !== undefined) return opts.maxBytes;
  return Math.max(DEFAULT_MIN_CAP, (opts.maxRatio ?? DEFAULT_MAX_RATIO) * compressedSize);
}

/** A decompressed view of an archive; see the module comment. */
export class DecompressedSource implements ByteSource {
  readonly name: string;
  /** Times decompression restarted from the start for a backward read. */
  restarts = 0;
  private decoder: StreamDecoder;
  private readonly window: number;
  private readonly maxBytes: number;
  private limitBytes = Infinity;
  private declaredEnd = 0;
  /** Output pieces kept, oldest first, covering [winStart, produced). */
  private pieces: Uint8Array[] = [];
  private winStart = 0;
  private produced = 0;
  private ended = false;
  private total: number | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    /** The compressed file. */
    readonly archive: ByteSource,
    /** Its format. */
    readonly format: ArchiveFormat,
    private readonly opts: DecompressOptions = {},
    /** The decompressed size, when the archive declares it (zip); checked as the stream is read. */
    declaredSize?: number,
  ) {
    this.name = archive.name ?? `a ${SUFFIX[format]} archive`;
    this.window = Math.max(1 << 16, opts.window ?? DEFAULT_WINDOW);
    this.maxBytes = defaultCap(archive.size, opts);
    this.decoder = createDecoder(format, archive, this.name, opts);
    if (declaredSize !== undefined) {
      this.total = declaredSize;
      this.declaredEnd = declaredSize;
    }
  }

  /** The decompressed size once known; until then the cap (the most it may be). */
  get size(): number {
    return this.total ?? this.cap;
  }

  /** True once the decompressed size is known. */
  get sizeKnown(): boolean {
    return this.total !== undefined;
  }

  /** The most bytes this archive may expand to now. */
  get cap(): number {
    return Math.min(this.maxBytes, this.limitBytes);
  }

  /**
   * Tighten the cap: the reader knows the file holds no more than `maxBytes`
   * (what its headers declare plus one block). Reads past it throw BAD_SIZE.
   */
  limit(maxBytes: number): void {
    this.limitBytes = Math.min(this.limitBytes, Math.max(0, maxBytes));
  }

  /**
   * The headers declare the file holds at least `end` bytes: a stream found to
   * end earlier gives TRUNCATED; a declaration past the cap gives BAD_SIZE now.
   */
  expect(end: number): void {
    if (end > this.maxBytes) throw this.tooBig(end);
    if (this.total !== undefined && this.ended && this.total < end) throw this.truncatedAt(end);
    this.declaredEnd = Math.max(this.declaredEnd, end);
  }

  /**
   * The reader is done with the file: decode what is left, up to the cap, so
   * the end-of-stream checks (CRC, sizes) run. Throws TRUNCATED when the stream
   * ended before the end its headers declare, CORRUPT_DATA on a failed check.
   */
  finish(): Promise<void> {
    const run = this.queue.then(async () => {
      while (this.produced <= this.cap && (await this.step()));
      if (this.ended && this.produced < this.declaredEnd) throw this.truncatedAt(this.declaredEnd);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    // One decompression at a time: reads queue behind each other.
    const run = this.queue.then(() => this.readNow(offset, length, into));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.pieces = [];
    await this.archive.close?.();
  }

  private tooBig(end: number): FitsError {
    const byLimit = end > this.maxBytes ? '' : ' (more than its headers declare plus one block)';
    return new FitsError(
      'BAD_SIZE',
      `${this.name} (${this.format}) would expand past ${Math.min(end, this.cap)} bytes${byLimit}; the limit against decompression bombs is ${this.maxBytes} bytes (${this.opts.maxBytes !== undefined ? 'maxBytes' : `max(1 GiB, ${this.opts.maxRatio ?? DEFAULT_MAX_RATIO} × its ${this.archive.size} compressed bytes)`}). If the file is genuine, open it with a larger decompress.maxBytes or decompress.maxRatio.`,
    );
  }

  private truncatedAt(end: number): FitsError {
    return new FitsError('TRUNCATED', `${this.name} decompresses to ${this.produced} bytes, but its FITS headers declare ${end}: the archive holds a truncated file.`, { offset: this.produced });
  }

  private restart(): void {
    this.decoder = createDecoder(this.format, this.archive, this.name, this.opts);
    this.pieces = [];
    this.winStart = 0;
    this.produced = 0;
    this.ended = false;
    this.restarts++;
  }

  /** Decode one more piece into the window; false at the end of the stream. */
  private async step(): Promise<boolean> {
    if (this.ended) return false;
    const piece = await this.decoder.next();
    if (!piece) {
      this.ended = true;
      if (this.total !== undefined && this.total !== this.produced) {
        throw new FitsError('TRUNCATED', `${this.name} holds ${this.produced} bytes where its directory declares ${this.total}.`, { offset: this.produced });
      }
      this.total = this.produced;
      if (this.produced < this.declaredEnd) throw this.truncatedAt(this.declaredEnd);
      return false;
    }
    if (piece.length === 0) return true;
    this.produced += piece.length;
    if (this.produced > this.maxBytes) throw this.tooBig(this.produced);
    this.pieces.push(piece);
    if (this.total !== undefined && this.produced >= this.total) {
      // A declared size (zip) was reached: read the end now, so its checks (CRC) run before the last bytes are used.
      if (this.produced > this.total || (await this.decoder.next()) !== null) {
        throw new FitsError('CORRUPT_DATA', `${this.name} holds more bytes than the ${this.total} its directory declares.`, { offset: this.total });
      }
      this.ended = true;
    }
    let kept = this.produced - this.winStart;
    while (this.pieces.length > 1 && kept - this.pieces[0]!.length >= this.window) {
      const old = this.pieces.shift()!;
      kept -= old.length;
      this.winStart += old.length;
    }
    return true;
  }

  private async readNow(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    const start = Math.max(0, offset);
    let end = start + Math.max(0, length);
    if (end > this.cap) {
      // Bytes past the cap exist only if the stream goes on past it.
      if (start < this.winStart) this.restart();
      while (this.produced <= this.cap && (await this.step()));
      if (this.produced > this.cap) throw this.tooBig(end);
    }
    if (this.total !== undefined) end = Math.min(end, this.total);
    if (start >= end) return into ? into.subarray(0, 0) : new Uint8Array(0);
    if (start < this.winStart) this.restart();
    if (into && into.length < end - start) throw new FitsError('BAD_ARGUMENT', `A read of ${end - start} bytes was given a buffer of ${into.length}.`);
    const out = into ?? new Uint8Array(end - start);
    // Copy what the window holds, then decode forward, copying as pieces arrive.
    let at = this.winStart;
    for (const p of this.pieces) {
      copyOverlap(p, at, out, start, end);
      at += p.length;
    }
    while (this.produced < end && (await this.step())) {
      const p = this.pieces[this.pieces.length - 1]!;
      copyOverlap(p, this.produced - p.length, out, start, end);
    }
    const got = Math.min(end, this.produced) - start;
    return out.subarray(0, Math.max(0, got));
  }
}

/** Copy the part of `piece` (which starts at stream offset `pieceStart`) that falls in [start, end) into `out`. */
function copyOverlap(piece: Uint8Array, pieceStart: number, out: Uint8Array, start: number, end: number): void {
  const from = Math.max(start, pieceStart);
  const to = Math.min(end, pieceStart + piece.length);
  if (from < to) out.set(piece.subarray(from - pieceStart, to - pieceStart), from - start);
}
