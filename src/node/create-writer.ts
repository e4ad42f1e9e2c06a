/** Convenience for Node: a FitsWriter writing a file through a temporary file renamed on close. */
import { nodeDeflater } from './deflate.js';
import { nodeEncodePool } from './encode-pool.js';
import { NodeFileSink, type NodeFileSinkOptions } from './file-sink.js';
import { FitsWriter, type FitsWriterOptions } from '../write/writer.js';

/**
 * A FitsWriter on a file: GZIP tiles deflated by node:zlib, and large
 * compressed images compressed on the process's worker threads too (same
 * bytes) unless `encodePool` says otherwise.
 * @example
 * const w = await createFitsWriter('out.fits', { checksum: true });
 * await w.addImage(pixels, { shape: [1024, 1024] });
 * await w.close(); // out.fits appears only now
 */
export async function createFitsWriter(path: string, opts: FitsWriterOptions & NodeFileSinkOptions = {}): Promise<FitsWriter> {
  return new FitsWriter(await NodeFileSink.create(path, opts), { deflate: nodeDeflater, encodePool: () => nodeEncodePool(), ...opts });
}
