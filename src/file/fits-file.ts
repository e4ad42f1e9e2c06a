/**
 * FitsFile: a FITS file opened for reading. HDUs are discovered lazily by
 * reading headers only and skipping data by its declared size. `openFits()`
 * opens one with a runtime's adapters; each entry point's `open()` is
 * `openFits` with that entry's runtime.
 */
import { FitsError } from '../core/errors.js';
import type { HeaderWarning } from '../header/header.js';
import { readHeader, type ReadHeaderOptions } from '../header/read-header.js';
import { Hdu } from './hdu.js';
import { layoutOf, type HduLayout } from '../hdu/layout.js';
import { BLOCK } from '../core/block.js';
import type { ByteSource } from '../core/byte-source.js';
import { resolveSource, type SourceInput } from './resolve-source.js';
import { PORTABLE_RUNTIME, type Runtime } from '../core/runtime.js';
import type { RemoteOpenOptions } from '../remote/open-remote.js';
import { maybeDecompress, isDecompressedSource } from '../archive/maybe-decompress.js';
import type { DecompressOptions } from '../archive/decompressed-source.js';

/** Options of `open()`: header limits, whole-file decompression limits, for URLs the HTTP, cache and S3 settings, and the runtime. */
export interface OpenOptions extends ReadHeaderOptions, RemoteOpenOptions {
  /**
   * The runtime adapters to read with (default: the entry point's:
   * `createNodeRuntime()` from `fitsflow` on Node, `createWebRuntime()` in
   * browsers). Pass your own to set the worker count or the worker script URL.
   */
  runtime?: Runtime;
  /** Limits of whole-file decompression (.gz, .bz2, .Z, .xz, .zip). */
  decompress?: DecompressOptions;
}

/** A file-level warning (the file is readable, but not quite standard). */
export interface FileWarning extends HeaderWarning {
  hdu?: number;
}

export class FitsFile implements AsyncIterable<Hdu> {
  private readonly scanned: Hdu[] = [];
  private nextOffset = 0;
  private done = false;
  private scanning: Promise<Hdu | null> | null = null;
  /** Warnings about the file structure (trailing bytes, missing padding, …), in the order met. */
  private readonly fileWarnings: FileWarning[] = [];

  /**
   * Every warning so far: the file's structure (trailing bytes, missing padding,
   * …) and each scanned HDU's `header.warnings` — values the reader ignored or
   * read as CFITSIO does (unparsable cards, a non-integer BLANK, …). Readers
   * add to a header's warnings when they meet such a value, so read first,
   * then look.
   */
  get warnings(): FileWarning[] {
    const all: FileWarning[] = [];
    for (const h of this.scanned) for (const w of h.header.warnings) all.push({ ...w, hdu: h.index });
    all.push(...this.fileWarnings);
    // Stable: by HDU, the file's own warnings after those of the header they follow.
    return all.map((w, i) => [w, i] as const).sort(([a, i], [b, j]) => (a.hdu ?? Infinity) - (b.hdu ?? Infinity) || i - j).map(([w]) => w);
  }

  /** The runtime the file is read with (its inflater, worker pool, hasher). */
  readonly runtime: Runtime;

  /**
   * A file over any ByteSource. Without `options.runtime` it is read with
   * the portable runtime (pure JS, no workers); `open()` passes its entry's.
   */
  constructor(
    /** The byte source the file is read from. */
    readonly source: ByteSource,
    private readonly options: OpenOptions = {},
  ) {
    this.runtime = options.runtime ?? PORTABLE_RUNTIME;
  }

  /** Record a file-level warning once (a failed scan may be retried). */
  private note(w: FileWarning): void {
    if (!this.fileWarnings.some((o) => o.code === w.code && o.message === w.message && o.hdu === w.hdu)) this.fileWarnings.push(w);
  }

  /** Read the next header; null when there are no more HDUs. */
  private scanNext(): Promise<Hdu | null> {
    if (!this.scanning) {
      this.scanning = this.scanOne().finally(() => {
        this.scanning = null;
      });
    }
    return this.scanning;
  }

  private async scanOne(): Promise<Hdu | null> {
    if (this.done) return null;
    const index = this.scanned.length;
    const offset = this.nextOffset;
    const size = this.source.size;
    let probe: Uint8Array | undefined;
    if (index > 0) {
      if (offset >= size) {
        // A decompressed stream: run its end-of-stream checks (CRC, declared sizes).
        if (isDecompressedSource(this.source)) await this.source.finish();
        this.done = true;
        return null;
      }
      probe = (await this.source.read(offset, Math.min(BLOCK, size - offset))).slice();
      if (probe.length === 0) {
        // A decompressed stream: its end was found only now.
        this.done = true;
        return null;
      }
      if (!startsWith(probe, 'XTENSION')) {
        this.done = true;
        const allZero = probe.every((b) => b === 0);
        // A decompressed stream is not read past one block after the last HDU, so its rest is not counted.
        const after = isDecompressedSource(this.source) && !this.source.sizeKnown ? `At least ${probe.length}` : `${this.source.size - offset}`;
        if (isDecompressedSource(this.source)) this.source.limit(offset + BLOCK);
        this.note({
          code: allZero ? 'ZERO_PADDING_AFTER_END' : 'TRAILING_BYTES',
          message: allZero ? `${after} zero bytes follow the last HDU.` : `${after} bytes after the last HDU are not an extension; ignored.`,
          hdu: index,
        });
        return null;
      }
    } else if (size === 0) {
      throw new FitsError('TRUNCATED', 'The file is empty.', { offset: 0 });
    }
    const { header, dataOffset } = await readHeader(this.source, offset, index, { ...this.options, firstBytes: probe });
    let layout: HduLayout;
    try {
      layout = layoutOf(header, index);
      const dataEnd = dataOffset + layout.dataBytes;
      if (isDecompressedSource(this.source) && !this.source.sizeKnown) {
        // Checked as the stream is read: decompressing the data now would read it twice.
        this.source.expect(dataEnd);
      } else if (dataEnd > size) {
        throw new FitsError('TRUNCATED', `The data of HDU ${index} needs ${layout.dataBytes} bytes but the file has only ${Math.max(0, size - dataOffset)} after its header.`, { hdu: index, offset: size });
      }
    } catch (e) {
      // The HDU is unreadable, but what its header said (unparsable cards, …) still explains the error.
      for (const w of header.warnings) this.note({ ...w, hdu: index });
      throw e;
    }
    if (dataOffset + layout.paddedDataBytes > this.source.size) {
      this.note({ code: 'MISSING_PADDING', message: 'The last HDU is not padded to a whole 2880-byte block.', hdu: index });
    }
    const hdu = new Hdu(this.source, index, header, layout, offset, dataOffset, this.runtime, this);
    this.scanned.push(hdu);
    this.nextOffset = dataOffset + layout.paddedDataBytes;
    return hdu;
  }

  /**
   * An HDU by 0-based index, or by EXTNAME (case-insensitive, optionally with EXTVER).
   * Reads headers up to that HDU only.
   * @example
   * const sci = await file.hdu('SCI', 2);
   */
  async hdu(which: number | string, version?: number): Promise<Hdu> {
    if (typeof which === 'number') {
      if (!Number.isInteger(which) || which < 0) throw new FitsError('BAD_ARGUMENT', `HDU index ${which} is not a non-negative integer.`);
      while (this.scanned.length <= which) {
        if (!(await this.scanNext())) throw new FitsError('NOT_FOUND', `The file has ${this.scanned.length} HDUs; there is no HDU ${which}.`);
      }
      return this.scanned[which]!;
    }
    const want = which.trim().toUpperCase();
    const matches = (h: Hdu) => {
      const name = h.name?.trim().toUpperCase() ?? (h.index === 0 ? 'PRIMARY' : null);
      return name === want && (version === undefined || (h.version ?? 1) === version);
    };
    for (let i = 0; ; i++) {
      const h = i < this.scanned.length ? this.scanned[i]! : await this.scanNext();
      if (!h) break;
      if (matches(h)) return h;
    }
    throw new FitsError('NOT_FOUND', `No HDU named ${which}${version !== undefined ? ` with EXTVER ${version}` : ''}.`);
  }

  /** All HDUs (reads every header). */
  async hdus(): Promise<Hdu[]> {
    while (await this.scanNext());
    return [...this.scanned];
  }

  /** Walk the HDUs lazily, reading each header only when reached. */
  async *[Symbol.asyncIterator](): AsyncIterator<Hdu> {
    for (let i = 0; ; i++) {
      const h = i < this.scanned.length ? this.scanned[i]! : await this.scanNext();
      if (!h) return;
      yield h;
    }
  }

  /** Release the underlying source (file handle, connections). */
  async close(): Promise<void> {
    await this.source.close?.();
  }
}

function startsWith(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Open a FITS file with a runtime's adapters (`options.runtime`, else
 * `defaultRuntime`): a path or `file:` URL (where the runtime opens paths), an
 * `https:`/`s3:` URL (where it opens URLs), bytes, a Blob/File, or any
 * ByteSource. Whole-file archives (.gz, .bz2, .Z, .xz, one-member .zip) are
 * decompressed lazily as the file is read, within `options.decompress` limits.
 * Entry points export this as `open(input, options)` with their runtime.
 */
export async function openFits(input: SourceInput, options: OpenOptions, defaultRuntime: Runtime): Promise<FitsFile> {
  const runtime = options.runtime ?? defaultRuntime;
  const source = await maybeDecompress(await resolveSource(input, runtime, options), options.decompress);
  return new FitsFile(source, { ...options, runtime });
}
