/**
 * Node adapters of the HATS import: files under the output directory (made as
 * needed), and a spill store of temporary FITS files — one per partition, each
 * spilled piece a binary-table HDU appended to it (with its `_healpix_29`
 * values as the first column), read back with the library's reader.
 */
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { open } from '../index.node.js';
import { FitsWriter } from '../write/writer.js';
import { MemorySink } from '../write/sink.js';
import { FitsTable } from '../table/fits-table.js';
import type { Column } from '../table/column.js';
import { nodeConvertIo, fileOutput } from '../convert/convert-node.js';
import { fitsTableInput } from '../convert/fits-out.js';
import type { TableMeta } from '../convert/table-meta.js';
import type { HatsIo, PartitionPiece, SpillStore } from './import.js';
import { HEALPIX_COLUMN } from './import.js';

/** A spill store of temporary FITS files under `dir` (default: the system's temporary directory). */
export async function fitsSpillStore(dir?: string): Promise<SpillStore> {
  const root = await mkdtemp(join(dir ?? tmpdir(), 'fitsflow-hats-spill-'));
  const started = new Set<number>();
  const fileOf = (p: number) => join(root, `p${p}.fits`);
  return {
    async append(partition: number, piece: PartitionPiece, meta: TableMeta): Promise<void> {
      const sink = new MemorySink();
      // The first piece of a file starts it with a primary HDU; later ones are extensions appended.
      const w = new FitsWriter(sink, { existingHdus: started.has(partition) ? 1 : 0 });
      const index: Column = { name: HEALPIX_COLUMN, dtype: 'int64', format: 'K', cellShape: [], length: piece.index.length, data: piece.index };
      // Strings keep the width of this piece (a foreign input's description may be narrower).
      const own: TableMeta = { ...meta, columns: meta.columns.map((m) => (m.dtype === 'string' && !/^\s*\d*[PQ]/i.test(m.tform) ? { ...m, tform: piece.table.columns.find((c) => c.name === m.name)?.format ?? m.tform } : m)) };
      const t = fitsTableInput([index, ...piece.table.columns], own);
      await w.addTable(t.columns);
      await w.close();
      await appendFile(fileOf(partition), sink.bytes());
      started.add(partition);
    },
    async *read(partition: number): AsyncGenerator<PartitionPiece> {
      if (!started.has(partition)) return;
      const f = await open(fileOf(partition));
      try {
        for await (const hdu of f) {
          if (hdu.kind !== 'bintable') continue;
          const t = await hdu.readTable();
          const index = t.columns[0]!.data as BigInt64Array;
          yield { table: new FitsTable(t.columns.slice(1), t.numRows), index };
        }
      } finally {
        await f.close();
      }
    },
    async dispose(): Promise<void> {
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Node file system access for {@link importHats}. */
export function nodeHatsIo(opts: { spillDir?: string } = {}): HatsIo {
  return {
    ...nodeConvertIo(),
    async writeFile(path: string, bytes: Uint8Array): Promise<void> {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes);
    },
    async createOutput(path: string) {
      await mkdir(dirname(path), { recursive: true });
      return fileOutput(path);
    },
    createSpill: () => fitsSpillStore(opts.spillDir),
    join: (...parts: string[]) => join(...parts),
  };
}
