/**
 * Node file-system ByteSource (also used by Bun and Deno through their node:fs).
 * Runtime-specific: only imported from the Node entry point.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { FitsError } from '../core/errors.js';
import type { ByteSource, SourceLoan, SyncReadInto } from '../core/byte-source.js';

const MAX_READ = 1 << 30; // one read call is limited to < 2 GiB by Node

export class NodeFileSource implements ByteSource {
  /** Loans to worker threads not yet released: the descriptor stays open until the last one is. */
  private loans = 0;
  private closeWhenReturned = false;

  private constructor(
    private fd: number | null,
    readonly size: number,
    readonly name: string,
  ) {}

  /** Open a file for reading (its size read once; reads are positioned reads of the open descriptor). */
  static async open(path: string): Promise<NodeFileSource> {
    // Synchronous open/fstat: microseconds for a local file, where the promise
    // versions cost a thread-pool round trip each (measurable on cutouts).
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new FitsError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO', `Cannot open ${path}: ${code ?? String(e)}.`, { cause: e });
    }
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      throw new FitsError('IO', `${path} is not a regular file.`);
    }
    return new NodeFileSource(fd, st.size, path);
  }

  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    return this.readSync(offset, length, into);
  }

  /**
   * Synchronous positioned read: for many small ranges (cutouts) a blocking
   * pread costs microseconds where a promise round trip costs tens of them.
   */
  readSync(offset: number, length: number, into?: Uint8Array): Uint8Array {
    if (this.fd === null) throw new FitsError('IO', `${this.name} is closed.`);
    const start = Math.min(Math.max(0, offset), this.size);
    const want = Math.min(this.size - start, Math.max(0, length));
    const out = into ?? new Uint8Array(want);
    let done = 0;
    while (done < want) {
      const n = readSync(this.fd, out, done, Math.min(MAX_READ, want - done), start + done);
      if (n === 0) throw new FitsError('TRUNCATED', `${this.name} became shorter while reading.`, { offset: start + done });
      done += n;
    }
    return out.subarray(0, want);
  }

  /**
   * Lend the descriptor to worker threads of this process (they share it and
   * read with pread): the number stays open, and so cannot name another file,
   * until every loan is released.
   */
  lend(): SourceLoan | undefined {
    if (this.fd === null) return undefined;
    const fd = this.fd;
    this.loans++;
    let released = false;
    return {
      handle: { kind: 'node-fd', fd, size: this.size },
      release: () => {
        if (released) return;
        released = true;
        if (--this.loans === 0 && this.closeWhenReturned) {
          this.closeWhenReturned = false;
          closeSync(fd);
        }
      },
    };
  }

  async close(): Promise<void> {
    const fd = this.fd;
    this.fd = null;
    if (fd === null) return;
    if (this.loans > 0) this.closeWhenReturned = true;
    else closeSync(fd);
  }
}

/** The worker side of a 'node-fd' loan: pread on the lent descriptor. */
export function nodeFdReader(fd: number): SyncReadInto {
  return (offset, into) => {
    let done = 0;
    while (done < into.length) {
      const n = readSync(fd, into, done, Math.min(MAX_READ, into.length - done), offset + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  };
}
