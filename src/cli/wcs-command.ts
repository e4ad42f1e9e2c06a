/**
 * `fitsflow wcs FILE [--hdu N|NAME] [--key K] (--pix2world | --world2pix) [--origin 0|1]`:
 * reads points from standard input (one per line, numbers separated by white
 * space, as many as the WCS has axes) and prints one line per point, each
 * number written so it parses back to the same double, NaN where undefined —
 * astropy's all_pix2world / all_world2pix. An invalid WCS exits 1 with one
 * sentence on stderr. Also `wcsSummary(hdu)`, the one-line WCS description of `info`.
 */
import { FitsError } from '../errors.js';
import type { FitsFile } from '../fits-file.js';
import type { Hdu } from '../hdu/hdu.js';
import type { ParsedArgs } from './args.js';
import type { CliIo } from './commands.js';
import { readProcessStdin } from './stdin-node.js';
import { hduWcs } from '../wcs/hdu-wcs.js';
import { Wcs } from '../wcs/wcs.js';
import { readTableWcsKeywords } from '../wcs/table-keywords.js';
import { wcsRepresentationKeys } from '../wcs/keywords.js';

/** A command object as the CLI registers it. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: { flag: string; value?: string; help: string }[];
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** CliIo plus standard input (tests pass text; the real CLI reads process.stdin). */
export interface CliIoWithStdin extends CliIo {
  readStdin?(): Promise<string>;
}

/** A usage problem: exit 2. */
class Usage extends Error {}

/** Pick an HDU by index or NAME[,VER] (default: the primary HDU). */
export async function pickHdu(file: FitsFile, spec: string | true | undefined): Promise<Hdu> {
  if (spec === undefined) return file.hdu(0);
  if (spec === true) throw new Usage('--hdu needs a value');
  if (/^\d+$/.test(spec)) return file.hdu(Number(spec));
  const [name, ver] = spec.split(',');
  if (ver !== undefined && !/^\d+$/.test(ver)) throw new Usage(`--hdu ${spec}: the version after the comma must be a number`);
  return file.hdu(name!, ver !== undefined ? Number(ver) : undefined);
}

/** A WCS key from --key: ' ' (default), or one letter A-Z. */
export function keyOf(v: string | true | undefined): string {
  if (v === undefined) return ' ';
  if (v === true) throw new Usage('--key needs a value (A-Z)');
  if (v === '' || v === ' ') return ' ';
  if (!/^[A-Za-z]$/.test(v)) throw new Usage(`--key ${v}: a WCS key is one letter A-Z`);
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

function parseNumber(tok: string): number {
  if (/^[+-]?nan$/i.test(tok)) return NaN;
  if (/^[+]?inf(inity)?$/i.test(tok)) return Infinity;
  if (/^-inf(inity)?$/i.test(tok)) return -Infinity;
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eEdD][+-]?[0-9]+)?$/.test(tok)) return Number.NaN - 1;
  return Number(tok.replace(/[dD]/, 'e'));
}

/** The WCS the CLI uses for an HDU: as hduWcs, or astropy's default linear WCS when the header has none. */
export async function cliWcs(hdu: Hdu, key: string, file: FitsFile): Promise<Wcs> {
  const wcs = await hduWcs(hdu, { key, file });
  if (wcs) return wcs;
  // astropy: a header without any WCS keyword gives a linear WCS on NAXIS axes
  // (2 when NAXIS is 0) for the primary key; a key the header lacks while it
  // has others is a KeyError.
  const isTable = hdu.kind === 'bintable' || hdu.kind === 'table';
  const header = hdu.kind === 'compressed-image' ? hdu.imageHeader : hdu.header;
  const keys = isTable ? new Map<string, number>() : wcsRepresentationKeys(header);
  if (keys.size === 0 ? key !== ' ' : !keys.has(key)) {
    throw new FitsError('NOT_FOUND', `HDU ${hdu.index} has no WCS with key '${key}'.`);
  }
  const naxis = keys.get(key) ?? (isTable ? 2 : header.getInt('NAXIS', 0));
  return Wcs.defaultLinear(naxis > 0 ? Math.min(naxis, 32) : 2);
}

const BATCH = 1 << 18;

export const wcsCommand: CliCommand = {
  name: 'wcs',
  summary: 'Pixel ↔ world coordinates of points read from standard input, as astropy all_pix2world / all_world2pix.',
  usage: 'wcs FILE [--hdu N|NAME] [--key K] (--pix2world | --world2pix) [--origin 0|1]',
  options: [
    { flag: 'hdu', value: 'N|NAME[,VER]', help: 'the HDU whose WCS to use (default 0)' },
    { flag: 'key', value: 'K', help: "WCS key: ' ' (primary, default) or A-Z" },
    { flag: 'pix2world', help: 'read pixel coordinates, print world coordinates' },
    { flag: 'world2pix', help: 'read world coordinates, print pixel coordinates' },
    { flag: 'origin', value: '0|1', help: "pixel origin: 0 (default, astropy's origin=0) or 1 (FITS)" },
  ],
  async run(args: ParsedArgs, io: CliIoWithStdin): Promise<number> {
    let file: FitsFile | null = null;
    try {
      if (args.positionals.length !== 1) throw new Usage('expected one FILE');
      const p2w = args.flags.has('pix2world');
      const w2p = args.flags.has('world2pix');
      if (p2w === w2p) throw new Usage('give exactly one of --pix2world and --world2pix');
      const originFlag = args.flags.get('origin');
      if (originFlag !== undefined && originFlag !== '0' && originFlag !== '1') throw new Usage('--origin is 0 or 1');
      const origin = originFlag === '1' ? 1 : 0;
      const key = keyOf(args.flags.get('key'));
      file = await io.open(args.positionals[0]!);
      const hdu = await pickHdu(file, args.flags.get('hdu'));
      const wcs = await cliWcs(hdu, key, file);
      const text = io.readStdin ? await io.readStdin() : await readProcessStdin();
      const naxis = wcs.naxis;
      const lines = text.split(/\r?\n/);
      let buf: number[][] = [];
      const flush = (): void => {
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
        io.out(out.join('\n'));
        buf = [];
      };
      for (let ln = 0; ln < lines.length; ln++) {
        const line = lines[ln]!.trim();
        if (!line) continue;
        const toks = line.split(/[\s,]+/);
        if (toks.length !== naxis) {
          throw new Usage(`line ${ln + 1} has ${toks.length} number(s), but the WCS has ${naxis} axes`);
        }
        const p = toks.map(parseNumber);
        const bad = p.findIndex((v, i) => Number.isNaN(v) && !/nan/i.test(toks[i]!));
        if (bad >= 0) throw new Usage(`line ${ln + 1}: '${toks[bad]}' is not a number`);
        buf.push(p);
        if (buf.length >= BATCH) flush();
      }
      flush();
      return 0;
    } catch (e) {
      if (e instanceof Usage) {
        io.err(`fitsflow wcs: ${e.message}\nusage: fitsflow ${wcsCommand.usage}`);
        return 2;
      }
      if (e instanceof FitsError) {
        io.err(`fitsflow wcs: ${e.message}`);
        return 1;
      }
      throw e;
    } finally {
      if (file) await file.close();
    }
  },
};

/**
 * One line describing the WCS of an HDU for `fitsflow info` ('' when it has
 * none), from its header alone (lookup tables are named, not read).
 */
export function wcsSummary(hdu: Hdu): string {
  const header = hdu.kind === 'compressed-image' ? hdu.imageHeader : hdu.header;
  try {
    const table = hdu.kind === 'bintable' || hdu.kind === 'table';
    const tkw = table ? readTableWcsKeywords(hdu.header, ' ') : null;
    const wcs = table ? (tkw ? Wcs.fromKeywords(tkw) : null) : Wcs.fromHeader(header, { skipKeyword: (k) => /^(CPDIS|D2IMDIS|DP|D2IM|CPERR|D2IMERR)[0-9]+$/.test(k) });
    if (!wcs) return '';
    const lookup = header.has('CPDIS1') || header.has('CPDIS2') || header.has('D2IMDIS1') || header.has('D2IMDIS2') ? ' + lookup tables' : '';
    return `WCS: ${wcs.summary()}${lookup}`;
  } catch (e) {
    return `WCS: invalid (${e instanceof Error ? e.message : String(e)})`;
  }
}
