import type { ByteSource, SourceLoan } from '../core/byte-source.js';

/** A ByteSource over bytes already in memory. Reads return views, never copies (unless `into` is given). */
export class MemorySource implements ByteSource {
  readonly size: number;
  readonly name: string;
  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array | ArrayBuffer | SharedArrayBuffer, name = 'memory') {
    this.bytes = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    this.size = this.bytes.length;
    this.name = name;
  }

  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    return this.readSync(offset, length, into);
  }

  /** Workers read bytes on a SharedArrayBuffer themselves; others cannot be lent. */
  lend(): SourceLoan | undefined {
    if (typeof SharedArrayBuffer !== 'function' || !(this.bytes.buffer instanceof SharedArrayBuffer)) return undefined;
    return { handle: { kind: 'memory', size: this.size, bytes: this.bytes }, release() {} };
  }

  /** Synchronous read (memory needs no waiting). */
  readSync(offset: number, length: number, into?: Uint8Array): Uint8Array {
    const start = Math.min(Math.max(0, offset), this.size);
    const end = Math.min(this.size, start + Math.max(0, length));
    const view = this.bytes.subarray(start, end);
    if (!into) return view;
    into.set(view);
    return into.subarray(0, view.length);
  }
}
