/**
 * Node file-system ByteSource (also used by Bun and Deno through their node:fs).
 * Runtime-specific: only imported from the Node entry point.
 */
import { readSync } from 'node:fs';
import { open as fsOpen, type FileHandle } from 'node:fs/promises';
import { FitsError } from '../errors.js';
import type { ByteSource } from './byte-source.js';

const MAX_READ = 1 << 30; // one read call is limited to < 2 GiB by Node

export class NodeFileSource implements ByteSource {
  private constructor(
    private handle: FileHandle | null,
    readonly size: number,
    readonly name: string,
  ) {}

  static async open(path: string): Promise<NodeFileSource> {
    let handle: FileHandle;
    try {
      handle = await fsOpen(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new FitsError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO', `Cannot open ${path}: ${code ?? String(e)}.`, { cause: e });
    }
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      throw new FitsError('IO', `${path} is not a regular file.`);
    }
    return new NodeFileSource(handle, st.size, path);
  }

  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    if (!this.handle) throw new FitsError('IO', `${this.name} is closed.`);
    const start = Math.min(Math.max(0, offset), this.size);
    const want = Math.min(this.size - start, Math.max(0, length));
    const out = into ?? new Uint8Array(want);
    let done = 0;
    while (done < want) {
      const { bytesRead } = await this.handle.read(out, done, Math.min(MAX_READ, want - done), start + done);
      if (bytesRead === 0) throw new FitsError('TRUNCATED', `${this.name} became shorter while reading.`, { offset: start + done });
      done += bytesRead;
    }
    return out.subarray(0, want);
  }

  /**
   * Synchronous positioned read: for many small ranges (cutouts) a blocking
   * pread costs microseconds where a promise round trip costs tens of them.
   */
  readSync(offset: number, length: number, into?: Uint8Array): Uint8Array {
    if (!this.handle) throw new FitsError('IO', `${this.name} is closed.`);
    const start = Math.min(Math.max(0, offset), this.size);
    const want = Math.min(this.size - start, Math.max(0, length));
    const out = into ?? new Uint8Array(want);
    let done = 0;
    while (done < want) {
      const n = readSync(this.handle.fd, out, done, Math.min(MAX_READ, want - done), start + done);
      if (n === 0) throw new FitsError('TRUNCATED', `${this.name} became shorter while reading.`, { offset: start + done });
      done += n;
    }
    return out.subarray(0, want);
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h) await h.close();
  }
}
