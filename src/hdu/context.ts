/**
 * What every data reader (images, tables, tile-compressed images, checksums)
 * knows about the HDU it reads: where its bytes are, its header and layout,
 * and the runtime it was opened with. The Hdu class (src/file/hdu.ts)
 * implements it and dispatches to the readers; the readers import only this.
 */
import type { ByteSource } from '../core/byte-source.js';
import type { Runtime } from '../core/runtime.js';
import type { Header } from '../header/header.js';
import type { HduLayout } from './layout.js';

/** An HDU as its data readers see it. */
export interface HduContext {
  readonly source: ByteSource;
  /** 0-based index of the HDU in its file. */
  readonly index: number;
  readonly header: Header;
  readonly layout: HduLayout;
  /** Byte offset of the header's first card. */
  readonly headerOffset: number;
  /** Byte offset of the data (just past the header's last block). */
  readonly dataOffset: number;
  /** The runtime the file was opened with: its inflater, worker pool and hasher. */
  readonly runtime: Runtime;
}
