/**
 * Node adapters of the HATS import: files under the output directory (made as
 * needed), and a spill store of temporary FITS files — one per partition, each
 * spilled piece a binary-table HDU appended to it (with its `_healpix_29`
 * values as the first column), read back with the library's reader.
 */
import { appendFile, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { openFits } from '../file/fits-file.js';
import { resolveSource } from '../file/resolve-source.js';
import { createNodeRuntime } from './runtime.js';
import { openHats, type HatsCatalog } from '../hats/cone.js';
import { FitsWriter } from '../write/writer.js';
import { MemorySink } from '../write/sink.js';
import { FitsTable } from '../table/ops/fits-table.js';
import type { Column } from '../table/column.js';
import { nodeConvertIo, fileOutput } from './convert.js';
import { fitsTableInput } from '../convert/fits-out.js';
import type { TableMeta } from '../convert/table-meta.js';
import type { HatsImportOptions, HatsImportResult, HatsIo, PartitionPiece, SpillStore } from '../hats/import.js';
import { HEALPIX_COLUMN, importHats } from '../hats/import.js';
import { FitsError } from '../core/errors.js';

/** HATS files are read on this thread (no worker pool). */
const hatsRuntime = createNodeRuntime({ workers: 0 });

/** Open a HATS catalog by path or URL (http, https, s3). */
export function openHatsNode(root: string): Promise<HatsCatalog> {
  return openHats(root, { openSource: (p) => resolveSource(p, hatsRuntime) });
}

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
      const f = await openFits(fileOf(partition), {}, hatsRuntime);
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

/**
 * {@link importHats} into the directory `outDir`, built beside it under a
 * temporary name and renamed into place when complete: an interrupted import
 * leaves `outDir` as it was. An existing `outDir` is replaced only with
 * `replace` (it is removed after the new catalog is in place).
 */
export async function importHatsToDirectory(
  inputs: readonly string[],
  outDir: string,
  opts: HatsImportOptions & { spillDir?: string; replace?: boolean },
): Promise<HatsImportResult> {
  const target = resolve(outDir);
  const exists = await stat(target).then(() => true, () => false);
  if (exists && !opts.replace) throw new FitsError('BAD_ARGUMENT', `${outDir} exists; choose another directory or replace it.`);
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
  try {
    const result = await importHats(inputs, staging, nodeHatsIo({ spillDir: opts.spillDir }), { ...opts, catalogName: opts.catalogName ?? basename(target) });
    if (exists) {
      const old = `${staging}.old`;
      await rename(target, old);
      await rename(staging, target);
      await rm(old, { recursive: true, force: true });
    } else await rename(staging, target);
    return result;
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}
