/**
 * `fitsflow hats IN… OUTDIR --ra COL --dec COL [--max-rows N | --order K]`:
 * import tables (FITS, Parquet, Arrow, CSV) as a HATS catalog with bounded
 * memory (two passes; rows beyond --memory are spilled to temporary files).
 *
 * `fitsflow hats --cone RA,DEC,RADIUS CATALOG [OUT]`: the rows of a local or
 * remote (http/https) HATS catalog within RADIUS degrees, reading only the
 * partitions the cone touches; written to OUT (format from its extension) or
 * printed as CSV.
 *
 * Progress on stderr. Exit codes: 0 done, 1 bad input or failure, 2 bad usage.
 */
import { flagValue as flag, UsageError, type CliIo, type Command, type ParsedArgs } from './command.js';
import { FORCE_OPTION, progressPrinter, refuseOverwrite } from './shared.js';

const FORMATS = ['fits', 'parquet', 'arrow', 'arrows', 'csv'] as const;

function intFlag(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} takes an integer from ${min} to ${max}`);
  return Number(v);
}

async function runImport(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.positionals.length < 2) throw new UsageError('expected input files and an output directory');
  const inputs = args.positionals.slice(0, -1);
  const outDir = args.positionals[args.positionals.length - 1]!;
  const ra = flag(args, 'ra');
  const dec = flag(args, 'dec');
  if (!ra || !dec) throw new UsageError('--ra and --dec name the position columns');
  const maxRows = intFlag(args, 'max-rows', 1, Number.MAX_SAFE_INTEGER);
  const order = intFlag(args, 'order', 0, 12);
  if (maxRows !== undefined && order !== undefined) throw new UsageError('--max-rows and --order exclude each other');
  const memoryMb = intFlag(args, 'memory', 16, 1 << 20);
  const fromText = flag(args, 'from');
  if (fromText !== undefined && !(FORMATS as readonly string[]).includes(fromText)) throw new UsageError(`--from is one of ${FORMATS.join(', ')}`);
  const from = fromText as (typeof FORMATS)[number] | undefined;

  const hduText = flag(args, 'hdu');
  const codec = flag(args, 'codec');
  if (codec !== undefined && codec !== 'snappy' && codec !== 'none') throw new UsageError('--codec is snappy or none');
  const count = progressPrinter(io, 'hats: counting');
  const bucket = progressPrinter(io, 'hats: bucketing');
  let writing = 0;
  const started = Date.now();
  refuseOverwrite(outDir, args);
  // Loaded here so that other commands do not load the Parquet libraries.
  const { importHatsToDirectory } = await import('../node/hats.js');
  const r = await importHatsToDirectory(inputs, outDir, {
    spillDir: flag(args, 'spill-dir'),
    replace: args.flags.has('force'),
    ra,
    dec,
    maxRows,
    order,
    histogramOrder: intFlag(args, 'histogram-order', 0, 12),
    lowestOrder: intFlag(args, 'lowest-order', 0, 12),
    catalogName: flag(args, 'name'),
    memoryBytes: memoryMb === undefined ? undefined : memoryMb * 2 ** 20,
    batchRows: intFlag(args, 'batch-rows', 1, 1 << 24),
    hdu: hduText === undefined ? undefined : /^\d+$/.test(hduText) ? Number(hduText) : hduText,
    from,
    codec: codec === 'none' ? 'UNCOMPRESSED' : 'SNAPPY',
    onProgress: (phase, done, total) => {
      if (phase === 'count') count.update(done);
      else if (phase === 'bucket') bucket.update(done);
      else if (Date.now() - started > 2000 && (done === total || Date.now() - writing > 1000)) {
        writing = Date.now();
        io.err(`hats: writing partitions ${done} / ${total}`);
      }
    },
  });
  const deepest = Math.max(...r.partitions.map((p) => p.order));
  io.out(`${outDir}: ${r.rows} rows in ${r.partitions.length} partitions (orders ${Math.min(...r.partitions.map((p) => p.order))}–${deepest}), ${(r.bytes / 2 ** 20).toFixed(1)} MiB${r.spilledPieces ? `, ${r.spilledPieces} pieces spilled` : ''}`);
  return 0;
}

async function runCone(args: ParsedArgs, io: CliIo): Promise<number> {
  const cone = flag(args, 'cone')!;
  const parts = cone.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x))) throw new UsageError('--cone takes RA,DEC,RADIUS in degrees');
  const [lon, lat, radius] = parts as [number, number, number];
  if (args.positionals.length < 1 || args.positionals.length > 2) throw new UsageError('expected CATALOG [OUT]');
  const [root, out] = args.positionals as [string, string | undefined];
  const [{ openHatsNode }, { coneSearch }, { writeCsv }, { formatOfPath, writeTableStream }, { nodeConvertIo }, { tableMetaFromColumns }] = await Promise.all([
    import('../node/hats.js'), import('../hats/cone.js'), import('../convert/csv.js'), import('../convert/convert.js'), import('../node/convert.js'), import('../convert/table-meta.js'),
  ]);
  const cat = await openHatsNode(root);
  const columns = flag(args, 'columns')?.split(',').map((s) => s.trim()).filter(Boolean);
  const { table, partitions } = await coneSearch(cat, { lon, lat, radius }, { columns });
  io.err(`hats: ${table.numRows} rows from ${partitions.length} of ${cat.partitions.length} partitions`);
  if (out) {
    const to = formatOfPath(out);
    if (!to) throw new UsageError(`cannot tell the format of ${out} from its name (.fits, .parquet, .arrow, .arrows, .csv)`);
    refuseOverwrite(out, args);
    await writeTableStream(out, to, nodeConvertIo(), { meta: tableMetaFromColumns(table.columns), first: table, rest: (async function* () {})(), close: async () => undefined });
    io.out(`${out}: ${table.numRows} rows`);
    return 0;
  }
  const chunks: string[] = [];
  await writeCsv({ write: async (b) => void chunks.push(new TextDecoder().decode(b)), close: async () => undefined, abort: async () => undefined }, [table]);
  io.out(chunks.join('').replace(/\n$/, ''));
  return 0;
}

export const hatsCommand: Command = {
  name: 'hats',
  summary: 'Import tables as a HATS catalog (HEALPix-partitioned Parquet), or cone-search one.',
  usage: 'IN… OUTDIR --ra COL --dec COL [--max-rows N | --order K] [--memory MB]\n       fitsflow hats --cone RA,DEC,R CATALOG [OUT]',
  options: [
    { flag: 'ra', value: 'COL', help: 'right ascension column (degrees)' },
    { flag: 'dec', value: 'COL', help: 'declination column (degrees)' },
    { flag: 'max-rows', value: 'N', help: 'split partitions until each holds at most N rows (default 1000000)' },
    { flag: 'order', value: 'K', help: 'instead: every partition at HEALPix order K' },
    { flag: 'histogram-order', value: 'H', help: 'order of the counting histogram and skymap.fits, the deepest partitions (default 10)' },
    { flag: 'lowest-order', value: 'K', help: 'shallowest partition order (default 0)' },
    { flag: 'memory', value: 'MB', help: 'rows buffered before spilling to temporary files (default 1024)' },
    { flag: 'spill-dir', value: 'DIR', help: 'where to spill (default: the system temporary directory)' },
    { flag: 'name', value: 'NAME', help: 'obs_collection (default: the output directory name)' },
    { flag: 'hdu', value: 'N|NAME', help: 'FITS inputs: the table HDU' },
    { flag: 'from', value: 'FMT', help: 'input format (default: from the extensions)' },
    { flag: 'codec', value: 'snappy|none', help: 'Parquet compression (default snappy)' },
    { flag: 'batch-rows', value: 'N', help: 'rows read per batch' },
    { flag: 'cone', value: 'RA,DEC,R', help: 'cone search a catalog (path or URL) instead of importing' },
    { flag: 'columns', value: 'a,b', help: 'cone search: columns to return' },
    FORCE_OPTION,
  ],
  details: 'examples:\n  fitsflow hats gaia-*.fits gaia_hats --ra ra --dec dec --max-rows 500000\n  fitsflow hats --cone 10.68,41.27,0.5 gaia_hats m31.parquet\n  fitsflow hats --cone 10.68,41.27,0.5 https://example.org/gaia_hats | head\nCatalogs follow the HATS layout (properties, partition_info.csv, dataset/Norder=K/Dir=D/Npix=N.parquet, skymap.fits) that LSDB and hats read.',
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    return args.flags.has('cone') ? await runCone(args, io) : await runImport(args, io);
  },
};
