/**
 * `fitsflow cutout FILE OUT --ra RA --dec DEC --size SIZE [--hdu N|NAME] [--key K] [--frame F]`:
 * a sky cutout like astropy's Cutout2D (mode 'trim'), reading only the rows or
 * tiles it needs (local or remote FILE), written with its WCS (CRPIX shifted,
 * SIP reference kept, lookup-table extensions shifted) so astropy reads it to
 * the same sky positions.
 */
import { FitsError } from '../core/errors.js';
import type { FitsFile } from '../file/fits-file.js';
import type { Hdu } from '../file/hdu.js';
import type { SkyFrame } from '../wcs/frames.js';
import type { CutoutSide } from '../file/sky-cutout.js';
import { createFitsWriter } from '../node/create-writer.js';
import { flagValue, UsageError, type CliIo, type Command, type ParsedArgs } from './command.js';
import { FORCE_OPTION, HDU_OPTION, pickHdu, refuseOverwrite } from './shared.js';
import { KEY_OPTION, keyOf } from './wcs-command.js';

/** An angle with a unit (deg, arcmin, arcsec, ', ", d, px), or a plain number of degrees. */
export function parseSide(text: string): CutoutSide {
  const m = /^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(deg|d|°|arcmin|amin|'|′|arcsec|asec|"|″|px|pix|pixels?)?\s*$/.exec(text);
  if (!m) throw new UsageError(`--size ${text}: write an angle such as 2arcmin, 30arcsec, 0.1deg, or pixels such as 200px`);
  const v = Number(m[1]);
  const u = m[2] ?? 'deg';
  if (/^(px|pix|pixels?)$/.test(u)) return { pixels: v };
  if (/^(arcmin|amin|'|′)$/.test(u)) return { degrees: v / 60 };
  if (/^(arcsec|asec|"|″)$/.test(u)) return { degrees: v / 3600 };
  return { degrees: v };
}

function frameOf(v: string | undefined): SkyFrame {
  if (v === undefined) return { system: 'icrs' };
  const m = /^(icrs|fk5|fk4|fk4-no-e|galactic)(?:[:@]?([JB]?)([0-9.]+))?$/i.exec(v.trim());
  if (!m) throw new UsageError(`--frame ${v}: use icrs, fk5, fk5:J1975, fk4, fk4:B1950 or galactic`);
  const sys = m[1]!.toLowerCase();
  const eq = m[3] ? Number(m[3]) : undefined;
  if (sys === 'fk5') return eq === undefined ? { system: 'fk5' } : { system: 'fk5', equinox: eq };
  if (sys === 'fk4' || sys === 'fk4-no-e') return eq === undefined ? { system: sys } : { system: sys, equinox: eq };
  return { system: sys as 'icrs' | 'galactic' };
}

/** The first 2-D image HDU (plain or tile-compressed), for a cutout without --hdu. */
async function firstImage(file: FitsFile): Promise<Hdu> {
  for await (const h of file) {
    if ((h.kind === 'image' || h.kind === 'compressed-image') && h.shape?.length === 2) return h;
  }
  throw new FitsError('NOT_FOUND', 'The file has no 2-D image to cut.');
}

async function runCutout(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.positionals.length !== 2) throw new UsageError(`expected FILE and OUT, got ${args.positionals.length} argument(s)`);
  const [input, output] = args.positionals as [string, string];
  if (input === output) throw new UsageError('FILE and OUT must differ');
  refuseOverwrite(output, args);
  const ra = flagValue(args, 'ra');
  const dec = flagValue(args, 'dec');
  const size = flagValue(args, 'size');
  if (ra === undefined || dec === undefined || size === undefined) throw new UsageError('--ra, --dec and --size are required');
  const frame = frameOf(flagValue(args, 'frame'));
  const key = keyOf(flagValue(args, 'key'));
  const { parseAngle } = await import('../wcs/sexagesimal.js');
  let lon: number;
  let lat: number;
  try {
    const sexagesimalRa = /[:hms\s]/i.test(ra.trim()) && frame.system !== 'galactic';
    lon = parseAngle(ra, sexagesimalRa ? 'hours' : 'degrees');
    lat = parseAngle(dec, 'degrees');
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const sides = size.split(',').map(parseSide);
  if (sides.length > 2) throw new UsageError('--size takes one side or ny,nx');
  const { skyCutout } = await import('../file/sky-cutout.js');
  const file = await io.open(input);
  try {
    const hdu = args.flags.has('hdu') ? await pickHdu(file, args) : await firstImage(file);
    const cut = await skyCutout(hdu, { lon, lat, frame, size: sides.length === 1 ? sides[0]! : [sides[0]!, sides[1]!], key });
    const w = await createFitsWriter(output);
    try {
      await w.addImage(cut.data, { shape: cut.shape, header: cut.header });
      for (const ext of cut.extensions) await w.addImage(ext.data, { shape: ext.shape, extname: ext.extname, header: ext.header });
      await w.close();
    } catch (e) {
      await w.abort(e);
      throw e;
    }
    io.out(`${output}: ${cut.shape[1]} x ${cut.shape[0]} pixels from (${cut.box.start[1]}, ${cut.box.start[0]})`);
    return 0;
  } finally {
    await file.close();
  }
}

export const cutoutCommand: Command = {
  name: 'cutout',
  summary: "Cut a sky region (centre and size in angle) out of an image, as astropy's Cutout2D, reading only the rows or tiles needed.",
  usage: 'FILE OUT --ra RA --dec DEC --size SIZE[,SIZE] [--hdu N|NAME] [--key K] [--frame icrs|fk5|fk4|galactic]',
  options: [
    { flag: 'ra', value: 'RA', help: 'centre longitude: degrees (150.1) or hours (10:00:24.0, 10h00m24s)' },
    { flag: 'dec', value: 'DEC', help: 'centre latitude: degrees (2.2, +02:12:00)' },
    { flag: 'size', value: 'SIZE[,SIZE]', help: 'side (square) or ny,nx: 2arcmin, 30arcsec, 0.1deg, 200px (a bare number: degrees)' },
    { ...HDU_OPTION, help: 'the image HDU (default: the first 2-D image)' },
    KEY_OPTION,
    { flag: 'frame', value: 'FRAME', help: 'frame of --ra/--dec: icrs (default), fk5[:J2000], fk4[:B1950], galactic (l, b)' },
    FORCE_OPTION,
  ],
  details: [
    'The cutout keeps the header\'s other keywords and a WCS astropy reads to the same sky',
    'positions (CRPIX shifted, SIP and lookup-table distortions kept). FILE may be a URL:',
    'only the rows (or tiles, for a tile-compressed image) the cutout needs are fetched.',
    '',
    'example: fitsflow cutout https://example.org/field.fits.fz m101.fits --ra 14:03:12.6 --dec +54:20:57 --size 5arcmin',
  ].join('\n'),
  run: runCutout,
};
