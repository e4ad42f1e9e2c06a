/**
 * Commands that write files: copy, compress, decompress, and header printing
 * and editing. Outputs are written through a temporary file renamed into place
 * (an interrupted command never leaves a partial file), and an existing OUT is
 * replaced only with --force.
 */
import { FitsError } from '../core/errors.js';
import type { CardValue } from '../header/card.js';
import { parseNumberToken } from '../header/card.js';
import type { FitsFile } from '../file/fits-file.js';
import type { Hdu } from '../file/hdu.js';
import type { FitsWriter } from '../write/writer.js';
import { createFitsWriter } from '../node/create-writer.js';
import { copyFits, copyHdu, headerCardsOf } from '../write/copy.js';
import type { CompressedImageOptions, CompressionType } from '../write/compressed-image.js';
import type { CompressedTableOptions, TableCompression } from '../write/compressed-table.js';
import type { QuantizeMethod } from '../codecs/quantize/dequantize.js';
import { updateHeader } from '../node/update.js';
import { onePositional, UsageError, type CliIo, type Command, type OptionSpec, type ParsedArgs } from './command.js';
import { FORCE_OPTION, HDU_OPTION, inputOutput, pickHdu, printWarnings, progress } from './shared.js';

const CHECKSUM_OPTION: OptionSpec = { flag: 'checksum', help: 'write CHECKSUM and DATASUM in every HDU' };

async function withOutput(io: CliIo, input: string, output: string, checksum: boolean, body: (file: FitsFile, w: FitsWriter) => Promise<void>): Promise<void> {
  const file = await io.open(input);
  try {
    const w = await createFitsWriter(output, { checksum });
    try {
      await body(file, w);
      await w.close();
    } catch (e) {
      await w.abort(e);
      throw e;
    }
    printWarnings(io, file);
  } finally {
    await file.close();
  }
}

function describe(hdu: Hdu): string {
  const s = hdu.shape;
  return `HDU ${hdu.index} (${hdu.kind}${s ? ` ${[...s].reverse().join('×')}` : ''})`;
}

export const copyCommand: Command = {
  name: 'copy',
  summary: 'Read every HDU and write it again (a check that a file reads and writes back).',
  usage: 'IN OUT [--checksum] [--force]',
  options: [CHECKSUM_OPTION, FORCE_OPTION],
  async run(args, io) {
    const [input, output] = inputOutput(args);
    const checksum = args.flags.has('checksum');
    await withOutput(io, input, output, checksum, (file, w) => copyFits(file, w, { checksum }));
    io.out(`${output}: written`);
    return 0;
  },
};

function parseTile(spec: string | true | undefined): number[] | undefined {
  if (spec === undefined) return undefined;
  if (spec === true || !/^\d+(?:[x,]\d+)*$/i.test(spec)) throw new UsageError('--tile takes AxB[xC…] (ZTILE1 first, as fpack -t)');
  return spec.split(/[x,]/i).map(Number);
}

function compressOptions(args: ParsedArgs): CompressedImageOptions {
  const types: [string, CompressionType][] = [['rice', 'RICE_1'], ['gzip1', 'GZIP_1'], ['gzip2', 'GZIP_2'], ['hcompress', 'HCOMPRESS_1'], ['plio', 'PLIO_1'], ['nocompress', 'NOCOMPRESS']];
  const chosen = types.filter(([f]) => args.flags.has(f));
  if (chosen.length > 1) throw new UsageError('choose one of --rice, --gzip1, --gzip2, --hcompress, --plio, --nocompress');
  const o: CompressedImageOptions = { compression: chosen[0]?.[1] ?? 'RICE_1' };
  const scale = args.flags.get('scale');
  if (scale !== undefined) {
    if (o.compression !== 'HCOMPRESS_1') throw new UsageError('--scale applies to --hcompress');
    if (scale === true || !Number.isFinite(Number(scale))) throw new UsageError('--scale takes a number');
    o.hcompScale = Number(scale);
  }
  if (args.flags.has('smooth')) o.hcompSmooth = true;
  const q = args.flags.get('quantize');
  if (q !== undefined) {
    if (q === 'none') o.quantize = 'none';
    else if (q === true || !Number.isFinite(Number(q))) throw new UsageError('--quantize takes a number or none');
    else o.quantize = Number(q);
  }
  const d = args.flags.get('dither');
  if (d !== undefined) {
    const map: Record<string, QuantizeMethod> = { '1': 'SUBTRACTIVE_DITHER_1', '2': 'SUBTRACTIVE_DITHER_2', none: 'NO_DITHER', '0': 'NO_DITHER' };
    if (d === true || !map[d]) throw new UsageError('--dither takes 1, 2 or none');
    o.dither = map[d];
  }
  const seed = args.flags.get('seed');
  if (seed !== undefined) {
    if (seed === true || !/^\d+$/.test(seed)) throw new UsageError('--seed takes an integer 1 … 10000');
    o.ditherSeed = Number(seed);
  }
  const tile = parseTile(args.flags.get('tile'));
  if (tile) o.tileShape = [...tile].reverse();
  return o;
}

function hasImageData(hdu: Hdu): boolean {
  return hdu.kind === 'image' && hdu.layout.naxes.length > 0 && hdu.layout.naxes.every((n) => n > 0);
}

/** fpack leaves binary tables of less than two blocks of data (or without rows or columns) uncompressed. */
const SMALLEST_COMPRESSED_TABLE = 5760;

function compressesTable(hdu: Hdu): boolean {
  return hdu.kind === 'bintable' && hdu.layout.dataBytes >= SMALLEST_COMPRESSED_TABLE && (hdu.layout.naxes[1] ?? 0) > 0 && hdu.header.getInt('TFIELDS', 0) > 0;
}

/** --table options: rows per tile, and the algorithm flag where it applies to tables. */
function tableOptions(args: ParsedArgs, image: CompressedImageOptions): CompressedTableOptions | null {
  const rows = args.flags.get('tile-rows');
  if (!args.flags.has('table')) {
    if (rows !== undefined) throw new UsageError('--tile-rows applies to --table');
    return null;
  }
  const o: CompressedTableOptions = {};
  if (rows !== undefined) {
    if (rows === true || !/^[1-9]\d*$/.test(rows)) throw new UsageError('--tile-rows takes a positive integer');
    o.tileRows = Number(rows);
  }
  const explicit = ['rice', 'gzip1', 'gzip2'].some((f) => args.flags.has(f));
  if (explicit) o.compression = image.compression as TableCompression;
  return o;
}

export const compressCommand: Command = {
  name: 'compress',
  summary: 'Tile-compress every image HDU, as fpack does: the primary image moves to extension 1 (ZSIMPLE = T), so funpack and `fitsflow decompress` restore it as the primary. With --table, binary tables too (as fpack -table).',
  usage: 'IN OUT [--rice|--gzip1|--gzip2|--hcompress [--scale S] [--smooth]|--plio|--nocompress] [--tile AxB] [--quantize Q|none] [--dither 1|2|none] [--seed N] [--table [--tile-rows N]] [--checksum] [--force]',
  options: [
    { flag: 'rice', help: 'RICE_1, fast lossless integer coding (the default)' },
    { flag: 'gzip1', help: "GZIP_1: gzip of each tile's big-endian bytes" },
    { flag: 'gzip2', help: "GZIP_2: each tile's bytes shuffled (most significant first), then gzip" },
    { flag: 'hcompress', help: 'HCOMPRESS_1: the H-transform coder of 2-D images (lossy with --scale)' },
    { flag: 'scale', value: 'S', help: 'HCOMPRESS scale (0: lossless; as fpack -s)' },
    { flag: 'smooth', help: 'HCOMPRESS smoothing on decompression' },
    { flag: 'plio', help: 'PLIO_1 (non-negative integer masks)' },
    { flag: 'nocompress', help: 'tiles stored uncompressed (as fpack -d)' },
    { flag: 'tile', value: 'AxB[xC…]', help: 'tile shape, ZTILE1 first (default: one row per tile; HCOMPRESS 16 rows)' },
    { flag: 'quantize', value: 'Q|none', help: 'floating-point images: quantization level q, ZSCALE = noise / q (default 16), or none for lossless GZIP' },
    { flag: 'dither', value: '1|2|none', help: 'SUBTRACTIVE_DITHER_1 (default), _2, or NO_DITHER' },
    { flag: 'seed', value: 'N', help: 'dither seed, 1 … 10000' },
    {
      flag: 'table',
      help: 'also compress binary tables (ZTABLE, as fpack -table; funpack restores them): each column with CFITSIO\'s algorithm for its type, or --rice/--gzip1/--gzip2 where the type allows it; tables under 5760 bytes are copied, as fpack does',
    },
    { flag: 'tile-rows', value: 'N', help: 'rows per tile of compressed tables (default: 10 MB of rows, as fpack)' },
    CHECKSUM_OPTION,
    FORCE_OPTION,
  ],
  async run(args, io) {
    const [input, output] = inputOutput(args);
    const opts = compressOptions(args);
    const table = tableOptions(args, opts);
    const checksum = args.flags.has('checksum');
    await withOutput(io, input, output, checksum, async (file, w) => {
      for await (const hdu of file) {
        progress(io, `fitsflow compress: ${describe(hdu)}`);
        if (table && compressesTable(hdu)) {
          await w.addCompressedTable(await hdu.readTable(), { ...table, header: await headerCardsOf(hdu), checksum });
          continue;
        }
        if (!hasImageData(hdu)) {
          if (hdu.index === 0 && hdu.kind === 'image') {
            await w.addImage(null, { header: await headerCardsOf(hdu), checksum });
          } else await copyHdu(hdu, w, { checksum });
          continue;
        }
        if (hdu.index === 0) await w.addImage(null, { header: [], checksum });
        const img = await hdu.readImage();
        const tile = opts.tileShape && opts.tileShape.length !== img.shape.length ? undefined : opts.tileShape;
        await w.addCompressedImage(img, { ...opts, tileShape: tile, header: await headerCardsOf(hdu), checksum });
      }
    });
    io.out(`${output}: written`);
    return 0;
  },
};

/** A null primary HDU followed by a compressed image that was a primary (ZSIMPLE = T): funpack writes that image as the primary. */
async function primaryWasCompressed(file: FitsFile): Promise<boolean> {
  const hdus = await file.hdus();
  const [p, c] = hdus;
  return !!p && !!c && p.kind === 'image' && p.layout.naxes.length === 0 && c.kind === 'compressed-image' && c.header.get('ZSIMPLE') === true;
}

export const decompressCommand: Command = {
  name: 'decompress',
  summary: 'Every tile-compressed image or table becomes a plain image or table, as funpack does (an image compressed from the primary becomes the primary again).',
  usage: 'IN OUT [--checksum] [--force]',
  options: [CHECKSUM_OPTION, FORCE_OPTION],
  async run(args, io) {
    const [input, output] = inputOutput(args);
    const checksum = args.flags.has('checksum');
    await withOutput(io, input, output, checksum, async (file, w) => {
      const skipNullPrimary = await primaryWasCompressed(file);
      for await (const hdu of file) {
        if (hdu.index === 0 && skipNullPrimary) continue;
        progress(io, `fitsflow decompress: ${describe(hdu)}`);
        if (hdu.kind === 'compressed-table') {
          // The table's bytes as funpack restores them (no re-encoding).
          const { decompressedTableData } = await import('../ztable/raw.js');
          await w.addRaw(hdu.tableHeader, decompressedTableData(hdu), { checksum });
          continue;
        }
        if (hdu.kind !== 'compressed-image') {
          await copyHdu(hdu, w, { checksum });
          continue;
        }
        const img = await hdu.readImage();
        await w.addImage(img, { header: hdu.imageHeader, checksum });
      }
    });
    io.out(`${output}: written`);
    return 0;
  },
};

/** A value typed on the command line: T/F, integers, reals, 'quoted' or bare strings. */
export function parseCliValue(text: string): CardValue {
  const t = text.trim();
  if (t === 'T' || t === 'F') return t === 'T';
  if (/^'.*'$/.test(t)) return t.slice(1, -1).replace(/''/g, "'");
  try {
    return parseNumberToken(t).value;
  } catch {
    return text;
  }
}

async function printHeader(args: ParsedArgs, io: CliIo): Promise<number> {
  const file = await io.open(onePositional(args));
  try {
    const hdu = await pickHdu(file, args);
    const bytes = await file.source.read(hdu.headerOffset, hdu.dataOffset - hdu.headerOffset);
    const lines: string[] = [];
    for (let i = 0; i + 80 <= bytes.length; i += 80) {
      let card = '';
      for (let k = i; k < i + 80; k++) card += String.fromCharCode(bytes[k]!);
      lines.push(card.trimEnd());
      if (/^END( |$)/.test(card)) break;
    }
    io.out(lines.join('\n'));
  } finally {
    await file.close();
  }
  return 0;
}

export const headerCommand: Command = {
  name: 'header',
  summary: 'Print an HDU\'s header cards as stored; with --set/--delete, edit them (in place when the header still fits its blocks, else through a rewritten copy).',
  usage: 'FILE [--hdu N|NAME[,VER]] [--set KEY=VALUE [KEY=VALUE…]] [--delete KEY[,KEY…]] [--force]',
  options: [
    HDU_OPTION,
    { flag: 'set', value: 'KEY=VALUE', help: "set a keyword: T/F, numbers, 'quoted' or bare strings (more KEY=VALUE may follow; --set may repeat)", repeatable: true },
    { flag: 'delete', value: 'KEY[,KEY…]', help: 'delete keywords (--delete may repeat)', repeatable: true },
    { flag: 'force', help: 'allow edits that change what the data mean (BSCALE, BZERO, BLANK, TSCALn, TZEROn, TNULLn, ZQUANTIZ, ZDITHER0, ZVALn, TDIMn, TTYPEn, EXTEND, …); values are still checked' },
  ],
  async run(args, io) {
    const set = args.flags.get('set');
    const del = args.flags.get('delete');
    if (set === undefined && del === undefined) return printHeader(args, io);
    const assignments = args.positionals.filter((p) => /^[^=]+=/.test(p) && !/\.(fits|fit|fts|fz)$/i.test(p));
    const files = args.positionals.filter((p) => !assignments.includes(p));
    if (files.length !== 1) throw new UsageError('expected one FILE');
    if (set === true || del === true) throw new UsageError('--set takes KEY=VALUE, --delete takes KEY');
    const edits: Record<string, CardValue> = {};
    for (const a of [...(args.values.get('set') ?? []), ...assignments]) {
      const eq = a.indexOf('=');
      if (eq <= 0) throw new UsageError(`--set takes KEY=VALUE, not ${a}`);
      edits[a.slice(0, eq).trim()] = parseCliValue(a.slice(eq + 1));
    }
    const h = args.flags.get('hdu');
    if (h !== undefined && (h === true || !/^\d+$/.test(h))) throw new UsageError('--hdu takes an HDU index when editing');
    const index = h === undefined ? 0 : Number(h);
    try {
      const r = await updateHeader(files[0]!, index, { set: edits, delete: (args.values.get('delete') ?? []).flatMap((d) => d.split(',')), force: args.flags.has('force') });
      io.out(`${files[0]}: HDU ${index} header updated ${r.inPlace ? 'in place' : '(file rewritten)'}`);
    } catch (e) {
      if (e instanceof FitsError) throw e;
      throw new FitsError('IO', `Cannot update ${files[0]}: ${String(e)}`, { cause: e });
    }
    return 0;
  },
};
