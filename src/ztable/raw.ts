/**
 * The data of the table a compressed table holds, byte for byte as funpack
 * restores it (rows, then the heap), in chunks: what `fitsflow decompress`
 * writes.
 */
import type { HduContext } from '../hdu/context.js';
import { compressedTableView } from './view.js';

/**
 * Chunks of the uncompressed table's data (without padding), in order.
 * Memory: one chunk, two decoded tiles, and a few numbers per variable-length
 * array of the table (the heap follows all rows).
 * @example
 * await writer.addRaw(hdu.tableHeader, decompressedTableData(hdu));
 */
export async function* decompressedTableData(ctx: HduContext, chunkBytes = 8 << 20): AsyncGenerator<Uint8Array> {
  const view = await compressedTableView(ctx);
  const size = view.layout.dataBytes;
  for (let at = 0; at < size; at += chunkBytes) yield await view.source.read(at, Math.min(chunkBytes, size - at));
}
