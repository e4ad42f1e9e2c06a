import type { ByteSource } from '../core/byte-source.js';

/** The part of Blob/File that a ByteSource needs. */
export interface BlobLike {
  readonly size: number;
  /** The bytes [start, end) as a Blob-like object. */
  slice(start?: number, end?: number): {
    /** The slice's bytes. */
    arrayBuffer(): Promise<ArrayBuffer>;
  };
  readonly name?: string;
}

/** A ByteSource over a Blob or File (browsers, Deno, Bun, Node ≥ 20). */
export class BlobSource implements ByteSource {
  readonly size: number;
  readonly name: string;
  constructor(private readonly blob: BlobLike) {
    this.size = blob.size;
    this.name = blob.name ?? 'blob';
  }

  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    const start = Math.min(Math.max(0, offset), this.size);
    const end = Math.min(this.size, start + Math.max(0, length));
    const bytes = new Uint8Array(await this.blob.slice(start, end).arrayBuffer());
    if (!into) return bytes;
    into.set(bytes);
    return into.subarray(0, bytes.length);
  }
}
