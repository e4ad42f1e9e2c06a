/** Convenience for Node: a FitsWriter writing a file through a temporary file renamed on close. */
import { installNodeEncodePool } from './encode-pool.js';
import { NodeFileSink, type NodeFileSinkOptions } from './file-sink.js';
import { FitsWriter, type FitsWriterOptions } from '../write/writer.js';

/**
 * Also installs the tile-compression worker pool (encode-pool-node.ts) unless
 * one is installed already: large compressed images are then compressed on
 * worker threads too (same bytes).
 * @example
 * const w = await createFitsWriter('out.fits', { checksum: true });
 * await w.addImage(pixels, { shape: [1024, 1024] });
 * await w.close(); // out.fits appears only now
 */
export async function createFitsWriter(path: string, opts: FitsWriterOptions & NodeFileSinkOptions = {}): Promise<FitsWriter> {
  installNodeEncodePool();
  return new FitsWriter(await NodeFileSink.create(path, opts), opts);
}
