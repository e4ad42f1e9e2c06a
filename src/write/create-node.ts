/** Convenience for Node: a FitsWriter writing a file through a temporary file renamed on close. */
import { NodeFileSink, type NodeFileSinkOptions } from './node-sink.js';
import { FitsWriter, type FitsWriterOptions } from './writer.js';

/**
 * @example
 * const w = await createFitsWriter('out.fits', { checksum: true });
 * await w.addImage(pixels, { shape: [1024, 1024] });
 * await w.close(); // out.fits appears only now
 */
export async function createFitsWriter(path: string, opts: FitsWriterOptions & NodeFileSinkOptions = {}): Promise<FitsWriter> {
  return new FitsWriter(await NodeFileSink.create(path, opts), opts);
}
