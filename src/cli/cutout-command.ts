/**
 * `fitsflow cutout FILE OUT --ra RA --dec DEC --size SIZE [--hdu N|NAME] [--key K] [--frame F]`:
 * a sky cutout like astropy's Cutout2D (mode 'trim'), reading only the rows or
 * tiles it needs (local or remote FILE), written with its WCS (CRPIX shifted,
 * SIP reference kept, lookup-table extensions shifted) so astropy reads it to
 * the same sky positions.
 */
import { FitsError } from '../errors.js';
import type { Card, Header } from '../header/header.js';
import type { FitsFile } from '../fits-file.js';
import type { Hdu } from '../hdu/hdu.js';
import type { ParsedArgs } from './args.js';
import type { CliIo } from './commands.js';
import { createFitsWriter } from '../index.node.js';
import { isWcsKeyword, wcsKeysOf } from '../wcs/keywords.js';
import { isSipKeyword } from '../wcs/sip.js';
import { parseAngle } from '../wcs/sexagesimal.js';
import { skyCutout, type CutoutSide } from '../wcs/sky-cutout.js';
import { lookupCards } from '../wcs/to-header.js';
import type { SkyFrame } from '../wcs/frames.js';
import { hduWcs } from '../wcs/hdu-wcs.js';
import { keyOf, pickHdu, type CliCommand } from './wcs-command.js';

class Usage extends Error {}

/** An angle with a unit (deg, arcmin, arcsec, ', ", d, px), or a plain number of degrees. */
export function parseSide(text: string): CutoutSide {
  const m = /^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(deg|d|°|arcmin|amin|'|′|arcsec|asec|"|″|px|pix|pixels?)?\s*$/.exec(text);
  if (!m) throw new Usage(`--size ${text}: write an angle such as 2arcmin, 30arcsec, 0.1deg, or pixels such as 200px`);
  const v = Number(m[1]);
  const u = m[2] ?? 'deg';
  if (/^(px|pix|pixels?)$/.test(u)) return { pixels: v };
  if (/^(arcmin|amin|'|′)$/.test(u)) return { degrees: v / 60 };
  if (/^(arcsec|asec|"|″)$/.test(u)) return { degrees: v / 3600 };
  return { degrees: v };
}

function frameOf(v: string | true | undefined): SkyFrame {
  if (v === undefined) return { system: 'icrs' };
  if (v === true) throw new Usage('--frame needs a value');
  const m = /^(icrs|fk5|fk4|fk4-no-e|galactic)(?:[:@]?([JB]?)([0-9.]+))?$/i.exec(v.trim());
  if (!m) throw new Usage(`--frame ${v}: use icrs, fk5, fk5:J1975, fk4, fk4:B1950 or galactic`);
  const sys = m[1]!.toLowerCase();
  const eq = m[3] ? Number(m[3]) : undefined;
  if (sys === 'fk5') return eq === undefined ? { system: 'fk5' } : { system: 'fk5', equinox: eq };
  if (sys === 'fk4' || sys === 'fk4-no-e') return eq === undefined ? { system: sys } : { system: sys, equinox: eq };
  return { system: sys as 'icrs' | 'galactic' };
}

const STRUCTURAL = /^(SIMPLE|BITPIX|NAXIS[0-9]*|EXTEND|XTENSION|PCOUNT|GCOUNT|BSCALE|BZERO|BLANK|CHECKSUM|DATASUM|EXTNAME|EXTVER|EXTLEVEL|INHERIT|END|TFIELDS|THEAP|Z[A-Z0-9_]*|WCSAXES[A-Z]?|CPDIS[0-9]+|D2IMDIS[0-9]+|DP[0-9]+|D2IM[0-9]+|CPERR[0-9]+|D2IMERR[0-9]+|AXISCORR|[AB]P?_ORDER|[AB]_DMAX)$/;

/** A header card for the writer (structurally its CardInput). */
interface OutCard {
  keyword: string;
  value?: string | number | boolean | bigint | null;
  comment?: string;
  isReal?: boolean;
  commentary?: boolean;
}

/** The source header's cards to carry over (everything but structure and WCS, which is rewritten). */
function keptCards(header: Header): OutCard[] {
  const out: OutCard[] = [];
  for (const c of header.cards as readonly Card[]) {
    if (c.invalid || c.hierarch) continue;
    if (c.commentary) {
      if (c.keyword === 'COMMENT' || c.keyword === 'HISTORY') out.push({ keyword: c.keyword, comment: c.comment, commentary: true });
      continue;
    }
    if (STRUCTURAL.test(c.keyword) || isWcsKeyword(c.keyword) || isSipKeyword(c.keyword)) continue;
    const v = c.value;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
      out.push({ keyword: c.keyword, value: v, comment: c.comment, isReal: c.isReal });
    }
  }
  return out;
}

/** The first 2-D image HDU (plain or tile-compressed), for a cutout without --hdu. */
async function firstImage(file: FitsFile): Promise<Hdu> {
  for await (const h of file) {
    if ((h.kind === 'image' || h.kind === 'compressed-image') && h.shape?.length === 2) return h;
  }
  throw new FitsError('NOT_FOUND', 'The file has no 2-D image to cut.');
}

export const cutoutCommand: CliCommand = {
  name: 'cutout',
  summary: "Cut a sky region (centre and size in angle) out of an image, as astropy's Cutout2D, reading only the rows or tiles needed.",
  usage: 'cutout FILE OUT --ra RA --dec DEC --size SIZE[,SIZE] [--hdu N|NAME] [--key K] [--frame icrs|fk5|fk4|galactic]',
  options: [
    { flag: 'ra', value: 'RA', help: 'centre longitude: degrees (150.1) or hours (10:00:24.0, 10h00m24s)' },
    { flag: 'dec', value: 'DEC', help: 'centre latitude: degrees (2.2, +02:12:00)' },
    { flag: 'size', value: 'SIZE[,SIZE]', help: 'side (square) or ny,nx: 2arcmin, 30arcsec, 0.1deg, 200px' },
    { flag: 'hdu', value: 'N|NAME[,VER]', help: 'the image HDU (default: the first 2-D image)' },
    { flag: 'key', value: 'K', help: "WCS key (default ' ')" },
    { flag: 'frame', value: 'FRAME', help: 'frame of --ra/--dec (default icrs; galactic takes l, b)' },
  ],
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    let file: FitsFile | null = null;
    try {
      if (args.positionals.length !== 2) throw new Usage('expected FILE and OUT');
      const [input, output] = args.positionals as [string, string];
      const ra = args.flags.get('ra');
      const dec = args.flags.get('dec');
      const size = args.flags.get('size');
      if (typeof ra !== 'string' || typeof dec !== 'string' || typeof size !== 'string') throw new Usage('--ra, --dec and --size are required');
      const frame = frameOf(args.flags.get('frame'));
      const key = keyOf(args.flags.get('key'));
      let lon: number;
      let lat: number;
      try {
        const sexagesimalRa = /[:hms\s]/i.test(ra.trim()) && frame.system !== 'galactic';
        lon = parseAngle(ra, sexagesimalRa ? 'hours' : 'degrees');
        lat = parseAngle(dec, 'degrees');
      } catch (e) {
        throw new Usage(e instanceof Error ? e.message : String(e));
      }
      const sides = size.split(',').map(parseSide);
      if (sides.length > 2) throw new Usage('--size takes one side or ny,nx');
      file = await io.open(input);
      const hdu = args.flags.has('hdu') ? await pickHdu(file, args.flags.get('hdu')) : await firstImage(file);
      const cut = await skyCutout(hdu, { lon, lat, frame, size: sides.length === 1 ? sides[0]! : [sides[0]!, sides[1]!], key, file });
      const source = hdu.kind === 'compressed-image' ? hdu.imageHeader : hdu.header;
      const cards: OutCard[] = keptCards(source);
      cards.push(...cut.wcs.toHeader());
      // Alternate representations move with the pixels too.
      const offset = [cut.box.start[1], cut.box.start[0]];
      for (const k of wcsKeysOf(source)) {
        if (k === ' ' || k === key) continue;
        try {
          const alt = await hduWcs(hdu, { key: k, file });
          if (alt) cards.push(...alt.section(offset).toHeader().filter((c) => !/^(MJD-OBS|DATE-OBS|[AB]P?_)/.test(c.keyword)));
        } catch {
          // An invalid alternate is left out of the cutout.
        }
      }
      const lookups = lookupCards(cut.wcs.cpdis, cut.wcs.det2im);
      cards.push(...lookups.cards);
      cards.push({
        keyword: 'HISTORY',
        comment: `fitsflow cutout of HDU ${hdu.index}: x ${offset[0]}..${offset[0]! + cut.box.shape[1] - 1}, y ${offset[1]}..${offset[1]! + cut.box.shape[0] - 1} (0-based)`,
        commentary: true,
      });
      const w = await createFitsWriter(output);
      try {
        await w.addImage(cut.data, { shape: cut.shape, header: cards });
        for (const ext of lookups.extensions) {
          await w.addImage(ext.data, { shape: ext.shape, extname: ext.extname, header: ext.header });
        }
        await w.close();
      } catch (e) {
        await w.abort(e);
        throw e;
      }
      io.out(`${output}: ${cut.shape[1]} x ${cut.shape[0]} pixels from (${offset[0]}, ${offset[1]})`);
      return 0;
    } catch (e) {
      if (e instanceof Usage) {
        io.err(`fitsflow cutout: ${e.message}\nusage: fitsflow ${cutoutCommand.usage}`);
        return 2;
      }
      if (e instanceof FitsError) {
        io.err(`fitsflow cutout: ${e.message}`);
        return 1;
      }
      throw e;
    } finally {
      if (file) await file.close();
    }
  },
};
