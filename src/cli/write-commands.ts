/**
 * CLI commands that write files: copy, compress, decompress, and header
 * editing. Same shape as the entries of COMMANDS in ./commands.ts (the lead
 * registers them). Outputs are written through a temporary file renamed into
 * place, so an interrupted command never leaves a partial file.
 */
import { FitsError } from '../core/errors.js';
import type { CardValue } from '../header/card.js';
import type { Hdu } from '../file/hdu.js';
import { UsageError, type ParsedArgs } from './args.js';
import { headerCommand, type CliIo } from './commands.js';
import { FitsWriter } from '../write/writer.js';
import { createFitsWriter } from '../node/create-writer.js';
import { copyFits, copyHdu, headerCardsOf } from '../write/copy.js';
import type { CompressedImageOptions, CompressionType } from '../write/compressed-image.js';
import type { QuantizeMethod } from '../codecs/quantize/dequantize.js';
import { updateHeader } from '../node/update.js';
import { parseNumberToken } from '../header/card.js';

type Command = { run: (a: ParsedArgs, io: CliIo) => Promise<number>; valued: string[]; usage: string };

function two(args: ParsedArgs): [string, string] {
  if (args.positionals.length !== 2) throw new UsageError('expected IN and OUT');
  const [a, b] = args.positionals as [string, string];
  if (a === b) throw new UsageError('IN and OUT must differ');
  return [a, b];
}

async function withOutput(io: CliIo, input: string, output: string, checksum: boolean, body: (file: Awaited<ReturnType<CliIo['open']>>, w: FitsWriter) => Promise<void>): Promise<void> {
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
  } finally {
    await file.close();
  }
}

/** `fitsflow copy IN OUT [--checksum]`: read every HDU and write it again. */
export async function copyCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const [input, output] = two(args);
  const checksum = args.flags.has('checksum');
  await withOutput(io, input, output, checksum, (file, w) => copyFits(file, w, { checksum }));
  io.out(`${output}: written`);
  return 0;
}

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

/**
 * `fitsflow compress IN OUT [--rice|--gzip1|--gzip2|--hcompress [--scale S]|--plio|--nocompress]
 * [--tile AxB] [--quantize Q|none] [--dither 1|2|none] [--seed N] [--checksum]`:
 * tile-compress every image HDU (the primary image moves to extension 1, as fpack does).
 */
export async function compressCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const [input, output] = two(args);
  const opts = compressOptions(args);
  const checksum = args.flags.has('checksum');
  await withOutput(io, input, output, checksum, async (file, w) => {
    for await (const hdu of file) {
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
}

/** `fitsflow decompress IN OUT [--checksum]`: every tile-compressed image becomes a plain image. */
export async function decompressCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const [input, output] = two(args);
  const checksum = args.flags.has('checksum');
  await withOutput(io, input, output, checksum, async (file, w) => {
    for await (const hdu of file) {
      if (hdu.kind !== 'compressed-image') {
        await copyHdu(hdu, w, { checksum });
        continue;
      }
      const img = await hdu.readImage();
      const header = (hdu as Hdu & { imageHeader?: Hdu['header'] }).imageHeader ?? hdu.header;
      await w.addImage(img, { header, checksum });
    }
  });
  io.out(`${output}: written`);
  return 0;
}

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

/**
 * `fitsflow header FILE [--hdu N] [--set KEY=VALUE [KEY=VALUE…]] [--delete KEY]`:
 * without --set/--delete it prints the header (as `header`); with them it edits
 * the header in place when it fits, else through a rewritten copy.
 */
export async function headerEditCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const set = args.flags.get('set');
  const del = args.flags.get('delete');
  if (set === undefined && del === undefined) return headerCommand(args, io);
  const assignments = args.positionals.filter((p) => /^[^=]+=/.test(p) && !/\.(fits|fit|fts|fz)$/i.test(p));
  const files = args.positionals.filter((p) => !assignments.includes(p));
  if (files.length !== 1) throw new UsageError('expected one FILE');
  if (set === true || del === true) throw new UsageError('--set takes KEY=VALUE, --delete takes KEY');
  const edits: Record<string, CardValue> = {};
  for (const a of [...(set !== undefined ? [set] : []), ...assignments]) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set takes KEY=VALUE, not ${a}`);
    edits[a.slice(0, eq).trim()] = parseCliValue(a.slice(eq + 1));
  }
  const h = args.flags.get('hdu');
  if (h === true || (h !== undefined && !/^\d+$/.test(h))) throw new UsageError('--hdu takes an HDU index');
  const index = h === undefined ? 0 : Number(h);
  try {
    const r = await updateHeader(files[0]!, index, { set: edits, delete: del !== undefined ? del.split(',') : [] });
    io.out(`${files[0]}: HDU ${index} header updated ${r.inPlace ? 'in place' : '(file rewritten)'}`);
  } catch (e) {
    if (e instanceof FitsError) throw e;
    throw new FitsError('IO', `Cannot update ${files[0]}: ${String(e)}`, { cause: e });
  }
  return 0;
}

export const WRITE_COMMANDS: Record<string, Command> = {
  copy: { run: copyCommand, valued: [], usage: 'copy IN OUT [--checksum]' },
  compress: {
    run: compressCommand,
    valued: ['tile', 'quantize', 'dither', 'scale', 'seed'],
    usage: 'compress IN OUT [--rice|--gzip1|--gzip2|--hcompress [--scale S]|--plio|--nocompress] [--tile AxB] [--quantize Q|none] [--dither 1|2|none] [--seed N] [--checksum]',
  },
  decompress: { run: decompressCommand, valued: [], usage: 'decompress IN OUT [--checksum]' },
  header: { run: headerEditCommand, valued: ['hdu', 'set', 'delete'], usage: 'header FILE [--hdu N|NAME[,VER]] [--set KEY=VALUE [KEY=VALUE…]] [--delete KEY[,KEY…]]' },
};
