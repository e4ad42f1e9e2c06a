/** The decoder of each archive format, composed explicitly (no registry). */
import type { ByteSource } from '../core/byte-source.js';
import { Bzip2Decoder } from './bzip2.js';
import type { ArchiveFormat, StreamDecoder } from './decoder.js';
import { GzipDecoder } from './gzip.js';
import { CompressedInput } from './input.js';
import { LzwDecoder } from './lzw.js';
import { XzDecoder, type XzOptions } from './xz.js';
import { ZipDecoder } from './zip.js';

/** A fresh decoder of `archive` (in `format`) from its first byte. */
export function createDecoder(format: ArchiveFormat, archive: ByteSource, label: string, opts: XzOptions = {}): StreamDecoder {
  switch (format) {
    case 'gzip':
      return new GzipDecoder(new CompressedInput(archive, 0, archive.size, label));
    case 'bzip2':
      return new Bzip2Decoder(new CompressedInput(archive, 0, archive.size, label));
    case 'lzw':
      return new LzwDecoder(new CompressedInput(archive, 0, archive.size, label));
    case 'xz':
      return new XzDecoder(new CompressedInput(archive, 0, archive.size, label), opts);
    case 'zip':
      return new ZipDecoder(archive, label);
  }
}

/** The usual file suffix of each format, for messages. */
export const SUFFIX: Record<ArchiveFormat, string> = { gzip: '.gz', bzip2: '.bz2', lzw: '.Z', xz: '.xz', zip: '.zip' };
