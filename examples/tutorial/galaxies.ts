/**
 * Synthetic galaxy cutouts: Sérsic profiles of three morphologies, seen
 * through a Gaussian PSF with sky noise, written as RICE_1 tile-compressed
 * FITS files (one cutout per file, the label in the header).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createFitsWriter } from 'fitsflow/write';

/** The classes, in label order. */
export const MORPHOLOGIES = ['disk', 'elliptical', 'edge-on'] as const;
export type Morphology = (typeof MORPHOLOGIES)[number];

/** Cutout side in pixels. */
export const SIZE = 64;
/** PSF full width at half maximum, pixels. */
export const PSF_FWHM = 2.5;
/** Standard deviation of the sky noise, in image units. */
export const SKY_SIGMA = 1;

/** Parameters of one galaxy. */
export interface Galaxy {
  morphology: Morphology;
  /** Sérsic index n (1: exponential disk, 4: de Vaucouleurs). */
  sersic: number;
  /** Effective (half-light) radius along the major axis, pixels. */
  rEff: number;
  /** Axis ratio b/a. */
  axisRatio: number;
  /** Position angle of the major axis, radians. */
  pa: number;
  /** Total flux, in units of the sky noise. */
  flux: number;
  /** Centre, pixels (0-based). */
  x0: number;
  y0: number;
}

/** A small seeded generator (mulberry32): the same seed gives the same galaxies everywhere. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function uniform(rand: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}

/** Draw the parameters of a galaxy of the given morphology. */
export function drawGalaxy(morphology: Morphology, rand: () => number): Galaxy {
  const centre = () => (SIZE - 1) / 2 + uniform(rand, -1.5, 1.5);
  const common = { pa: uniform(rand, 0, Math.PI), flux: Math.exp(uniform(rand, Math.log(800), Math.log(4000))), x0: centre(), y0: centre() };
  switch (morphology) {
    case 'disk':
      return { morphology, sersic: 1, rEff: uniform(rand, 3, 6), axisRatio: uniform(rand, 0.45, 1), ...common };
    case 'elliptical':
      return { morphology, sersic: 4, rEff: uniform(rand, 2.5, 5), axisRatio: uniform(rand, 0.6, 1), ...common };
    case 'edge-on':
      return { morphology, sersic: 1, rEff: uniform(rand, 3.5, 6.5), axisRatio: uniform(rand, 0.12, 0.25), ...common };
  }
}

/** b_n of the Sérsic profile I(r) = I_e exp(-b_n ((r / r_e)^(1/n) - 1)) (Ciotti & Bertin 1999). */
function sersicB(n: number): number {
  return 2 * n - 1 / 3 + 4 / (405 * n) + 46 / (25515 * n * n);
}

/** The noiseless galaxy, sampled 4 × 4 times per pixel, convolved with the PSF, scaled to its flux. */
function render(g: Galaxy): Float64Array {
  const sub = 4;
  const img = new Float64Array(SIZE * SIZE);
  const b = sersicB(g.sersic);
  const cos = Math.cos(g.pa);
  const sin = Math.sin(g.pa);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      let sum = 0;
      for (let j = 0; j < sub; j++) {
        for (let i = 0; i < sub; i++) {
          const dx = x - 0.5 + (i + 0.5) / sub - g.x0;
          const dy = y - 0.5 + (j + 0.5) / sub - g.y0;
          const major = dx * cos + dy * sin;
          const minor = (-dx * sin + dy * cos) / g.axisRatio;
          const r = Math.sqrt(major * major + minor * minor) / g.rEff;
          sum += Math.exp(-b * (r ** (1 / g.sersic) - 1));
        }
      }
      img[y * SIZE + x] = sum / (sub * sub);
    }
  }
  const seen = convolveGaussian(img, PSF_FWHM / 2.3548);
  let total = 0;
  for (const v of seen) total += v;
  for (let k = 0; k < seen.length; k++) seen[k] = (seen[k]! * g.flux) / total;
  return seen;
}

/** Separable convolution with a Gaussian of standard deviation `sigma` pixels (zero outside the cutout). */
function convolveGaussian(img: Float64Array, sigma: number): Float64Array {
  const half = Math.ceil(3 * sigma);
  const kernel = Array.from({ length: 2 * half + 1 }, (_, k) => Math.exp(-((k - half) ** 2) / (2 * sigma * sigma)));
  const norm = kernel.reduce((a, v) => a + v, 0);
  const pass = (src: Float64Array, step: number, line: number): Float64Array => {
    const out = new Float64Array(src.length);
    for (let a = 0; a < SIZE; a++) {
      for (let b = 0; b < SIZE; b++) {
        let s = 0;
        for (let k = -half; k <= half; k++) {
          const bb = b + k;
          if (bb >= 0 && bb < SIZE) s += src[a * line + bb * step]! * kernel[k + half]!;
        }
        out[a * line + b * step] = s / norm;
      }
    }
    return out;
  };
  return pass(pass(img, 1, SIZE), SIZE, 1);
}

/** What the telescope records: the galaxy through the PSF, plus sky noise and the galaxy's own photon noise. */
export function observe(g: Galaxy, rand: () => number): Float32Array {
  const model = render(g);
  const out = new Float32Array(model.length);
  // Photon noise of the source, with a gain of 4 counts per image unit: variance model / 4.
  for (let k = 0; k < model.length; k++) out[k] = model[k]! + gaussian(rand) * Math.sqrt(SKY_SIGMA ** 2 + model[k]! / 4);
  return out;
}

/** One cutout file written by {@link writeCutouts}. */
export interface Cutout {
  /** File name, relative to the folder. */
  name: string;
  label: number;
  galaxy: Galaxy;
}

/**
 * Write `perClass` cutouts of each morphology to `dir` as RICE_1-compressed
 * FITS (float32 pixels quantized at noise / 4, fpack's default, dithered), in an interleaved
 * order, named `<prefix>-00042.fits`.
 */
export async function writeCutouts(dir: string, prefix: string, perClass: number, seed: number): Promise<Cutout[]> {
  await mkdir(dir, { recursive: true });
  const rand = random(seed);
  const cutouts: Cutout[] = [];
  for (let i = 0; i < perClass * MORPHOLOGIES.length; i++) {
    const label = i % MORPHOLOGIES.length;
    const galaxy = drawGalaxy(MORPHOLOGIES[label]!, rand);
    const pixels = observe(galaxy, rand);
    const name = `${prefix}-${String(i).padStart(5, '0')}.fits`;
    const w = await createFitsWriter(join(dir, name), { checksum: true, fsync: false });
    await w.addCompressedImage(
      { data: pixels, shape: [SIZE, SIZE] },
      {
        compression: 'RICE_1',
        quantize: 4,
        dither: 'SUBTRACTIVE_DITHER_1',
        extname: 'CUTOUT',
        header: {
          OBJECT: [name.replace('.fits', ''), 'synthetic galaxy'],
          MORPH: [galaxy.morphology, 'morphology (the label)'],
          CLASSID: [label, `index in ${MORPHOLOGIES.join(', ')}`],
          SERSIC_N: [galaxy.sersic, 'Sersic index'],
          R_EFF: [Number(galaxy.rEff.toFixed(3)), '[pix] effective radius'],
          AXRATIO: [Number(galaxy.axisRatio.toFixed(3)), 'axis ratio b/a'],
          PSF_FWHM: [PSF_FWHM, '[pix] Gaussian PSF FWHM'],
          SKYSIG: [SKY_SIGMA, 'standard deviation of the sky noise'],
        },
      },
    );
    await w.close();
    cutouts.push({ name, label, galaxy });
  }
  return cutouts;
}
