/**
 * `fitsflow png FILE OUT.png [options]`: a quick-look PNG of an image HDU.
 *
 * Default picture: 8-bit grey, one PNG pixel per image pixel, the image's row
 * 0 at the bottom (as ds9 and astropy's origin='lower'); each value v becomes
 * t = clip((v − lo)/(hi − lo), 0, 1) → stretch → round(255·s) (half to even,
 * as np.round), NaN → 0, with lo/hi from --scale (minmax by default) computed
 * as astropy.visualization does, in float64. Images with more than two axes:
 * the first plane, or --plane N (C order over the leading axes). Without
 * --hdu, the first HDU holding image pixels. OUT is written atomically.
 *
 * Exit codes: 0 written; 1 the file cannot be read or rendered, or OUT cannot
 * be written; 2 bad usage. Each failure prints one sentence saying what to do.
 */
import { FitsError } from '../core/errors.js';
import type { FitsFile } from '../file/fits-file.js';
import type { Hdu } from '../file/hdu.js';
import { getColormap } from '../render/colormap.js';
import type { IntervalSpec } from '../render/interval.js';
import { writeFileAtomic } from '../node/write-file-atomic.js';
import { nodeZlibDeflate } from '../node/deflate.js';
import { renderHdu } from '../render/render-hdu.js';
import { toPng, type RenderOptions } from '../render/render.js';
import { RESAMPLINGS, type Resampling } from '../render/resample.js';
import { makeStretch, type StretchSpec } from '../render/stretch.js';
import { UsageError, type CliIo, type Command, type OptionSpec, type ParsedArgs } from './command.js';
import { FORCE_OPTION, refuseOverwrite } from './shared.js';

const OPTIONS: OptionSpec[] = [
  { flag: 'hdu', value: 'N|NAME[,VER]', help: 'the HDU to render (default: the first with image pixels)' },
  { flag: 'plane', value: 'N', help: 'plane of a cube, counted in C order over the axes beyond the first two (default 0)' },
  { flag: 'scale', value: 'minmax|zscale|percentile:P|LO,HI', help: 'limits mapped to black and white, as astropy.visualization (default minmax)' },
  { flag: 'stretch', value: 'linear|sqrt|squared|log[:A]|asinh[:A]|sinh[:A]|power:A|powerdist[:A]|histeq', help: 'stretch, astropy defaults: log a=1000, asinh a=0.1, sinh a=1/3 (default linear)' },
  { flag: 'cmap', value: 'NAME', help: 'colour map: matplotlib (viridis, inferno, magma, cividis, …) or ds9 (heat, cool, rainbow, a, b, bb, he, i8, aips0, sls, hsv, …); mpl:/ds9: prefixes and _r allowed (default: 8-bit grey)' },
  { flag: 'invert', help: 'reverse the grey scale or colour map' },
  { flag: 'nan-color', value: 'R,G,B[,A]', help: 'colour of NaN pixels, bytes 0–255 (default 0: black, transparent with --cmap)' },
  { flag: 'width', value: 'W', help: 'output width in pixels (height follows the aspect ratio unless --height)' },
  { flag: 'height', value: 'H', help: 'output height in pixels' },
  { flag: 'resample', value: 'nearest|bilinear|area', help: 'resampling when the size changes (default: area to shrink, nearest to enlarge)' },
  { flag: 'bits', value: '8|16', help: 'bits per grey level (default 8)' },
  FORCE_OPTION,
];

function value(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

function wholeNumber(text: string | undefined, name: string, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) throw new UsageError(`--${name} takes a whole number ≥ ${min} (got "${text}")`);
  return Number(text);
}

function finite(text: string, what: string): number {
  const x = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(x)) throw new UsageError(`${what} must be a number (got "${text}")`);
  return x;
}

/** Parse --scale. */
export function parseScale(text: string | undefined): IntervalSpec {
  if (text === undefined || text === 'minmax') return { type: 'minmax' };
  if (text === 'zscale') return { type: 'zscale' };
  const p = /^percentile:(.+)$/.exec(text);
  if (p) {
    const percent = finite(p[1]!, '--scale percentile:P');
    if (!(percent > 0 && percent <= 100)) throw new UsageError('--scale percentile:P takes 0 < P ≤ 100 (the per cent of pixels kept)');
    return { type: 'percentile', percent };
  }
  const m = /^([^,]+),([^,]+)$/.exec(text);
  if (m) return { type: 'manual', min: finite(m[1]!, '--scale LO'), max: finite(m[2]!, '--scale HI') };
  throw new UsageError(`--scale takes minmax, zscale, percentile:P or LO,HI (got "${text}")`);
}

/** Parse --stretch (validated with its parameters). */
export function parseStretch(text: string | undefined): StretchSpec {
  if (text === undefined) return { type: 'linear' };
  const [name, arg, extra] = text.split(':');
  if (extra !== undefined) throw new UsageError(`--stretch takes NAME or NAME:A (got "${text}")`);
  let spec: StretchSpec;
  switch (name) {
    case 'linear': case 'sqrt': case 'squared': case 'histeq':
      if (arg !== undefined) throw new UsageError(`the ${name} stretch takes no parameter`);
      spec = { type: name };
      break;
    case 'log': case 'asinh': case 'sinh': case 'powerdist':
      spec = arg === undefined ? { type: name } : { type: name, a: finite(arg, `--stretch ${name}:A`) };
      break;
    case 'power':
      if (arg === undefined) throw new UsageError('--stretch power:A needs the power A');
      spec = { type: 'power', a: finite(arg, '--stretch power:A') };
      break;
    default:
      throw new UsageError(`unknown --stretch "${name}": use linear, sqrt, squared, log, asinh, sinh, power:A, powerdist or histeq`);
  }
  try {
    if (spec.type !== 'histeq') makeStretch(spec); // parameter checks
  } catch (e) {
    if (e instanceof FitsError) throw new UsageError(e.message);
    throw e;
  }
  return spec;
}

function parseColor(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((s) => s.trim());
  if (!(parts.length === 3 || parts.length === 4 || parts.length === 1) || parts.some((p) => !/^\d+$/.test(p) || Number(p) > 255)) {
    throw new UsageError(`--nan-color takes R,G,B or R,G,B,A (or one grey level), each 0–255 (got "${text}")`);
  }
  const c = parts.map(Number);
  return c.length === 1 ? [c[0]!, c[0]!, c[0]!, 255] : c.length === 3 ? [...c, 255] : c;
}

/** Render options from the command line (everything checkable before opening the file). */
export function pngOptions(args: ParsedArgs): RenderOptions {
  const opts: RenderOptions = { interval: parseScale(value(args, 'scale')), stretch: parseStretch(value(args, 'stretch')) };
  const cmap = value(args, 'cmap');
  if (cmap !== undefined) {
    try {
      opts.colormap = getColormap(cmap);
    } catch (e) {
      if (e instanceof FitsError) throw new UsageError(e.message);
      throw e;
    }
  }
  if (args.flags.has('invert')) opts.invert = true;
  const nan = parseColor(value(args, 'nan-color'));
  if (nan) opts.nanColor = nan;
  const plane = wholeNumber(value(args, 'plane'), 'plane', 0);
  if (plane !== undefined) opts.plane = plane;
  const width = wholeNumber(value(args, 'width'), 'width', 1);
  const height = wholeNumber(value(args, 'height'), 'height', 1);
  if (width !== undefined) opts.width = width;
  if (height !== undefined) opts.height = height;
  const resample = value(args, 'resample');
  if (resample !== undefined) {
    if (!RESAMPLINGS.includes(resample as Resampling)) throw new UsageError(`--resample takes nearest, bilinear or area (got "${resample}")`);
    opts.resample = resample as Resampling;
  }
  const bits = value(args, 'bits');
  if (bits !== undefined) {
    if (bits !== '8' && bits !== '16') throw new UsageError('--bits takes 8 or 16');
    if (bits === '16' && opts.colormap) throw new UsageError('--bits 16 is for grey output; drop --cmap or --bits');
    opts.bitDepth = bits === '16' ? 16 : 8;
  }
  return opts;
}

async function pickImageHdu(file: FitsFile, spec: string | undefined): Promise<Hdu> {
  if (spec !== undefined) {
    if (/^\d+$/.test(spec)) return file.hdu(Number(spec));
    const [name, ver] = spec.split(',');
    if (ver !== undefined && !/^\d+$/.test(ver.trim())) throw new UsageError('--hdu NAME,VER needs a whole-number version');
    return file.hdu(name!.trim(), ver !== undefined ? Number(ver) : undefined);
  }
  for await (const hdu of file) {
    if ((hdu.kind === 'image' || hdu.kind === 'compressed-image') && (hdu.shape?.length ?? 0) > 0 && !hdu.shape!.includes(0)) return hdu;
  }
  throw new FitsError('NOT_FOUND', 'The file has no image HDU with pixels to render.');
}

/** `fitsflow png FILE OUT.png …` */
export const pngCommand: Command = {
  name: 'png',
  summary: 'Render an image HDU as a quick-look PNG (astropy.visualization intervals and stretches, matplotlib/ds9 colour maps)',
  usage: 'FILE OUT.png [--hdu N|NAME[,VER]] [--plane N] [--scale minmax|zscale|percentile:P|LO,HI] [--stretch linear|sqrt|log|asinh|…] [--cmap NAME] [--invert] [--width W] [--height H] [--resample nearest|bilinear|area] [--bits 8|16] [--nan-color R,G,B[,A]] [--force]',
  options: OPTIONS,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const usage = (message: string): number => {
      io.err(`fitsflow png: ${message}\nusage: fitsflow png ${pngCommand.usage}\n(fitsflow png --help for the options)`);
      return 2;
    };
    let opts: RenderOptions;
    let input: string, output: string;
    try {
      if (args.positionals.length !== 2) throw new UsageError('expected FILE and OUT.png');
      [input, output] = args.positionals as [string, string];
      refuseOverwrite(output, args);
      opts = pngOptions(args);
    } catch (e) {
      if (e instanceof UsageError) return usage(e.message);
      throw e;
    }
    let file: FitsFile;
    try {
      file = await io.open(input);
    } catch (e) {
      if (e instanceof FitsError) {
        io.err(`fitsflow png: cannot read ${input}: ${e.message}`);
        return 1;
      }
      throw e;
    }
    try {
      let hdu: Hdu;
      try {
        hdu = await pickImageHdu(file, value(args, 'hdu'));
      } catch (e) {
        if (e instanceof UsageError) return usage(e.message);
        if (e instanceof FitsError && e.code === 'NOT_FOUND' && args.flags.has('hdu')) return usage(`${e.message} Run "fitsflow info ${input}" to list the HDUs.`);
        throw e;
      }
      const shape = hdu.shape;
      if (opts.plane !== undefined && shape && shape.length >= 2) {
        const planes = shape.slice(0, -2).reduce((a, b) => a * b, 1);
        if (opts.plane >= planes) return usage(`--plane ${opts.plane} does not exist: HDU ${hdu.index} has ${planes} plane(s), numbered from 0`);
      }
      const picture = await renderHdu(hdu, opts);
      // node:zlib's deflate (native) instead of pako's: the same PNG bytes' meaning, about 2× faster to encode.
      await writeFileAtomic(output, toPng(picture, { deflate: nodeZlibDeflate }));
      const { min, max } = picture.limits;
      io.out(`${output}: ${picture.width}×${picture.height} ${picture.channels === 1 ? `${picture.bitDepth}-bit grey` : 'colour'} from HDU ${hdu.index}, limits ${min} to ${max}`);
      return 0;
    } catch (e) {
      if (e instanceof FitsError) {
        io.err(`fitsflow png: ${e.code}: ${e.message}`);
        return 1;
      }
      throw e;
    } finally {
      await file.close();
    }
  },
};
