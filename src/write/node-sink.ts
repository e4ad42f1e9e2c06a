/**
 * A ByteSink writing a file through node:fs, crash-safe: bytes go to a
 * temporary file in the destination's directory, which is renamed over the
 * destination only by `close()`, after an fsync. A process killed mid-write
 * leaves the destination untouched (and a stray `.NAME.*.tmp` file, which
 * `abort()` removes when it gets the chance).
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FitsError } from '../errors.js';
import type { ByteSink } from './sink.js';

export interface NodeFileSinkOptions {
  /** Replace an existing destination (default true). When false, an existing file is an error. */
  overwrite?: boolean;
  /** fsync the temporary file before the rename (default true), so a power loss cannot publish a partial file. */
  fsync?: boolean;
  /** Bytes buffered before a write system call (default 4 MiB). */
  bufferSize?: number;
}

const DEFAULT_BUFFER = 4 << 20;

export class NodeFileSink implements ByteSink {
  private pos = 0;
  private buf: Uint8Array;
  private buffered = 0;
  private flushedTo = 0;
  private state: 'open' | 'closed' | 'aborted' = 'open';

  private constructor(
    private readonly handle: FileHandle,
    /** The temporary file written until close(). */
    readonly tempPath: string,
    /** The destination. */
    readonly path: string,
    private readonly opts: NodeFileSinkOptions,
  ) {
    this.buf = new Uint8Array(opts.bufferSize ?? DEFAULT_BUFFER);
  }

  /** Start writing `path` (through a temporary file beside it). */
  static async create(path: string, opts: NodeFileSinkOptions = {}): Promise<NodeFileSink> {
    if (opts.overwrite === false) {
      try {
        const h = await open(path, 'r');
        await h.close();
        throw new FitsError('BAD_ARGUMENT', `${path} exists; not overwriting it.`);
      } catch (e) {
        if (e instanceof FitsError) throw e;
      }
    }
    const rnd = Math.random().toString(36).slice(2, 10);
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${rnd}.tmp`);
    let handle: FileHandle;
    try {
      handle = await open(temp, 'wx');
    } catch (e) {
      throw new FitsError('IO', `Cannot create ${temp}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`, { cause: e });
    }
    return new NodeFileSink(handle, temp, path, opts);
  }

  get position(): number {
    return this.pos;
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.check();
    const n = bytes.length;
    if (n === 0) return;
    if (this.buffered + n <= this.buf.length) {
      this.buf.set(bytes, this.buffered);
      this.buffered += n;
      this.pos += n;
      if (this.buffered === this.buf.length) await this.flush();
      return;
    }
    await this.flush();
    if (n >= this.buf.length) {
      await this.writeFully(bytes, this.flushedTo);
      this.flushedTo += n;
      this.pos += n;
      return;
    }
    this.buf.set(bytes, 0);
    this.buffered = n;
    this.pos += n;
  }

  async writeAt(position: number, bytes: Uint8Array): Promise<void> {
    this.check();
    const end = position + bytes.length;
    if (position < 0 || end > this.pos) {
      throw new FitsError('BAD_ARGUMENT', `Cannot patch bytes ${position}..${end} of a ${this.pos}-byte output.`);
    }
    // Part in the file, part possibly still in the buffer.
    const inFile = Math.max(0, Math.min(end, this.flushedTo) - position);
    if (inFile > 0) await this.writeFully(bytes.subarray(0, inFile), position);
    if (inFile < bytes.length) this.buf.set(bytes.subarray(inFile), position + inFile - this.flushedTo);
  }

  async close(): Promise<void> {
    this.check();
    try {
      await this.flush();
      if (this.opts.fsync !== false) await this.handle.sync();
      await this.handle.close();
      this.state = 'closed';
      await rename(this.tempPath, this.path);
    } catch (e) {
      await this.abort(e);
      throw e instanceof FitsError ? e : new FitsError('IO', `Cannot finish writing ${this.path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`, { cause: e });
    }
  }

  async abort(_reason?: unknown): Promise<void> {
    if (this.state === 'aborted') return;
    const wasOpen = this.state === 'open';
    this.state = 'aborted';
    if (wasOpen) await this.handle.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }

  private async flush(): Promise<void> {
    if (this.buffered === 0) return;
    await this.writeFully(this.buf.subarray(0, this.buffered), this.flushedTo);
    this.flushedTo += this.buffered;
    this.buffered = 0;
  }

  private async writeFully(bytes: Uint8Array, position: number): Promise<void> {
    let done = 0;
    try {
      while (done < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, done, Math.min(bytes.length - done, 1 << 30), position + done);
        done += bytesWritten;
      }
    } catch (e) {
      throw new FitsError('IO', `Cannot write ${this.tempPath}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`, { cause: e });
    }
  }

  private check(): void {
    if (this.state !== 'open') throw new FitsError('BAD_ARGUMENT', `The output ${this.path} is ${this.state}.`);
  }
}
