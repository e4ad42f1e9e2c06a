/**
 * Where written FITS bytes go. A ByteSink appends bytes and can patch bytes it
 * already holds (streamed HDUs fix their header — NAXIS2, PCOUNT, CHECKSUM —
 * after the data). `close()` makes the output final; `abort()` discards it.
 *
 * Calls are sequential: each is awaited before the next one starts.
 *
 * Runtime-neutral; the Node file sink (temp file + rename) is in node-sink.ts.
 */
import { FitsError } from '../core/errors.js';

/** Where a {@link FitsWriter} writes its bytes, in order (a file, memory, a stream). */
export interface ByteSink {
  /** Bytes written so far (the offset of the next `write`). */
  readonly position: number;
  /** Append bytes. The sink may keep a reference until the returned promise settles. */
  write(bytes: Uint8Array): Promise<void>;
  /** Overwrite `bytes.length` bytes already written, starting at `position`. */
  writeAt(position: number, bytes: Uint8Array): Promise<void>;
  /** Finish: flush and publish the output. */
  close(): Promise<void>;
  /** Discard the output. Idempotent; never throws for an already-closed sink. */
  abort(reason?: unknown): Promise<void>;
}

/** A sink in memory (browsers, tests): `bytes()` returns everything written. */
export class MemorySink implements ByteSink {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private merged: Uint8Array | null = null;
  private state: 'open' | 'closed' | 'aborted' = 'open';

  get position(): number {
    return this.size;
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.check();
    if (bytes.length === 0) return;
    this.chunks.push(bytes.slice());
    this.size += bytes.length;
    this.merged = null;
  }

  async writeAt(position: number, bytes: Uint8Array): Promise<void> {
    this.check();
    if (position < 0 || position + bytes.length > this.size) {
      throw new FitsError('BAD_ARGUMENT', `Cannot patch bytes ${position}..${position + bytes.length} of a ${this.size}-byte output.`);
    }
    const all = this.bytes();
    all.set(bytes, position);
  }

  async close(): Promise<void> {
    this.check();
    this.state = 'closed';
  }

  async abort(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'aborted';
    this.chunks = [];
    this.size = 0;
    this.merged = null;
  }

  /** Everything written, as one array (valid while open or after close). */
  bytes(): Uint8Array {
    if (this.merged && this.merged.length === this.size) return this.merged;
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.chunks = [out];
    this.merged = out;
    return out;
  }

  /** The output as a Blob (browsers: for a download link). */
  toBlob(type = 'application/fits'): Blob {
    return new Blob([this.bytes() as Uint8Array<ArrayBuffer>], { type });
  }

  private check(): void {
    if (this.state !== 'open') throw new FitsError('BAD_ARGUMENT', `The output is ${this.state}.`);
  }
}
