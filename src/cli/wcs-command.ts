/**
 * `fitsflow wcs FILE [--hdu N|NAME] [--key K] (--pix2world | --world2pix) [--origin 0|1]`:
 * reads points from standard input (one per line, numbers separated by white
 * space, as many as the WCS has axes) and prints one line per point, each
 * number written so it parses back to the same double, NaN where undefined —
 * astropy's all_pix2world / all_world2pix (../shared/wcs/WCS.md). An invalid
 * WCS exits 1 with one sentence on stderr.
 */
import { FitsError } from '../core/errors.js';
import type { Hdu } from '../file/hdu.js';
import type { Wcs } from '../wcs/wcs.js';
import { flagValue, onePositional, UsageError, type CliIo, type Command, type ParsedArgs } from './command.js';
import { HDU_OPTION, pickHdu } from './shared.js';

/** The --key option of the WCS commands. */
export const KEY_OPTION = { flag: 'key', value: 'K', help: "WCS key: ' ' (primary, default) or A-Z" };

/** A WCS key from --key: ' ' (default), or one letter A-Z. */
export function keyOf(v: string | undefined): string {
  if (v === undefined || v === '' || v === ' ') return ' ';
  if (!/^[A-Za-z]$/.test(v)) throw new UsageError(`--key ${v}: a WCS key is one letter A-Z`);
  return v.toUpperCase();
}

/** A number written so that it parses back to the same double (NaN, inf, -inf, -0 included). */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0.0';
  return String(x);
}

/** A number token (NaN, inf and Fortran's D exponent accepted); undefined when it is not one. */
function parseNumber(tok: string): number | undefined {
  if (/^[+-]?nan$/i.test(tok)) return NaN;
  if (/^[+]?inf(inity)?$/i.test(tok)) return Infinity;
  if (/^-inf(inity)?$/i.test(tok)) return -Infinity;
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eEdD][+-]?[0-9]+)?$/.test(tok)) return undefined;
  return Number(tok.replace(/[dD]/, 'e'));
}

/** The WCS the CLI uses for an HDU: hdu.wcs(), or astropy's default linear WCS when the header has none. */
export async function cliWcs(hdu: Hdu, key: string): Promise<Wcs> {
  const wcs = await hdu.wcs({ key });
  if (wcs) return wcs;
  // astropy: a header without any WCS keyword gives a linear WCS on NAXIS axes
  // (2 when NAXIS is 0) for the primary key; a key the header lacks while it
  // has others is a KeyError.
  const [{ Wcs }, { wcsRepresentationKeys }] = await Promise.all([import('../wcs/wcs.js'), import('../wcs/keywords.js')]);
  const isTable = hdu.kind === 'bintable' || hdu.kind === 'table' || hdu.kind === 'compressed-table';
  const header = hdu.kind === 'compressed-image' ? hdu.imageHeader : hdu.tableHeader;
  const keys = isTable ? new Map<string, number>() : wcsRepresentationKeys(header);
  if (keys.size === 0 ? key !== ' ' : !keys.has(key)) {
    throw new FitsError('NOT_FOUND', `HDU ${hdu.index} has no WCS with key '${key}'.`);
  }
  const naxis = keys.get(key) ?? (isTable ? 2 : header.getInt('NAXIS', 0));
  return Wcs.defaultLinear(naxis > 0 ? Math.min(naxis, 32) : 2);
}

/** Points transformed per batch (bounds memory for long inputs). */
const BATCH = 1 << 18;

async function runWcs(args: ParsedArgs, io: CliIo): Promise<number> {
  const path = onePositional(args);
  const p2w = args.flags.has('pix2world');
  const w2p = args.flags.has('world2pix');
  if (p2w === w2p) throw new UsageError('give exactly one of --pix2world and --world2pix');
  const originFlag = flagValue(args, 'origin');
  if (originFlag !== undefined && originFlag !== '0' && originFlag !== '1') throw new UsageError('--origin is 0 or 1');
  const origin = originFlag === '1' ? 1 : 0;
  const key = keyOf(flagValue(args, 'key'));
  if (!io.stdin) throw new UsageError('this command reads its points from standard input, which is not available here');
  const file = await io.open(path);
  try {
    const hdu = await pickHdu(file, args);
    const wcs = await cliWcs(hdu, key);
    const text = await io.stdin();
    const naxis = wcs.naxis;
    const lines = text.split(/\r?\n/);
    let buf: number[][] = [];
    const flush = async (): Promise<void> => {
      if (!buf.length) return;
      const cols: Float64Array[] = [];
      for (let i = 0; i < naxis; i++) cols.push(Float64Array.from(buf, (p) => (p2w ? p[i]! - origin : p[i]!)));
      const res = p2w ? wcs.pixelToWorld(cols) : wcs.worldToPixel(cols);
      const out: string[] = new Array(buf.length);
      for (let k = 0; k < buf.length; k++) {
        const parts: string[] = new Array(naxis);
        for (let i = 0; i < naxis; i++) parts[i] = formatNumber(w2p ? res[i]![k]! + origin : res[i]![k]!);
        out[k] = parts.join(' ');
      }
      buf = [];
      if (io.write) await io.write(out.join('\n'));
      else io.out(out.join('\n'));
    };
    for (let ln = 0; ln < lines.length; ln++) {
      const line = lines[ln]!.trim();
      if (!line) continue;
      const toks = line.split(/[\s,]+/);
      if (toks.length !== naxis) throw new UsageError(`line ${ln + 1} has ${toks.length} number(s), but the WCS has ${naxis} axes`);
      const p = toks.map(parseNumber);
      const bad = p.indexOf(undefined);
      if (bad >= 0) throw new UsageError(`line ${ln + 1}: '${toks[bad]}' is not a number`);
      buf.push(p as number[]);
      if (buf.length >= BATCH) await flush();
    }
    await flush();
    return 0;
  } finally {
    await file.close();
  }
}

export const wcsCommand: Command = {
  name: 'wcs',
  summary: 'Pixel ↔ world coordinates of points read from standard input, as astropy all_pix2world / all_world2pix.',
  usage: 'FILE [--hdu N|NAME] [--key K] (--pix2world | --world2pix) [--origin 0|1]',
  options: [
    { ...HDU_OPTION, help: 'the HDU whose WCS to use (default 0)' },
    KEY_OPTION,
    { flag: 'pix2world', help: 'read pixel coordinates, print world coordinates' },
    { flag: 'world2pix', help: 'read world coordinates, print pixel coordinates (inverted to 1e-6 pixel with distortions)' },
    { flag: 'origin', value: '0|1', help: "pixel origin: 0 (default, astropy's origin=0) or 1 (FITS)" },
  ],
  details: [
    'Points: one per line, as many numbers as the WCS has axes, in FITS axis order; world',
    'coordinates in the header\'s units (degrees for celestial axes). Every number printed',
    'parses back to the same double; NaN where a point is outside the projection.',
    '',
    'example: echo "1023.5 2047.5" | fitsflow wcs image.fits --pix2world',
  ].join('\n'),
  run: runWcs,
};
