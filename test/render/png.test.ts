/**
 * The PNG encoder: every colour type, depth and filter round-trips through a
 * strict decoder (CRCs, zlib Adler-32, filters); PIL reads the same samples;
 * bad requests are refused with a FitsError.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodePng, type DeflateStrategy, type PngFilter } from '../../src/render/png.js';
import { crc32 } from '../../src/core/crc32.js';
import { FitsError } from '../../src/core/errors.js';
import { decodePng } from './png-decode.js';
import { haveMatplotlib, itWith, runPython } from './python.js';

const FILTERS: PngFilter[] = ['none', 'sub', 'up', 'average', 'paeth', 'adaptive'];

describe('encodePng', () => {
  it('CRC-32 of "123456789" is the check value cbf43926', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips every colour type, depth and filter (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(1, 2, 3, 4),
        fc.constantFrom(8, 16),
        fc.constantFrom(...FILTERS),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom('default', 'filtered', 'huffman', 'rle') as fc.Arbitrary<DeflateStrategy>,
        fc.integer(),
        (width, height, channels, bitDepth, filter, level, strategy, seed) => {
          const n = width * height * channels;
          const pixels = bitDepth === 8 ? new Uint8Array(n) : new Uint16Array(n);
          let s = seed | 1;
          for (let i = 0; i < n; i++) {
            s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
            // Smooth-ish data with noise, so filters matter.
            pixels[i] = ((i % 7) * 30 + (s & 15)) * (bitDepth === 16 ? 257 : 1);
          }
          const png = encodePng({ width, height, channels: channels as 1 | 2 | 3 | 4, bitDepth: bitDepth as 8 | 16, pixels }, { filter, level, strategy });
          const d = decodePng(png);
          expect([d.width, d.height, d.channels, d.bitDepth]).toEqual([width, height, channels, bitDepth]);
          expect(Array.from(d.samples)).toEqual(Array.from(pixels));
          if (filter !== 'adaptive') expect(new Set(d.filters)).toEqual(new Set([FILTERS.indexOf(filter)]));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tall images span several deflate batches and IDAT chunks', () => {
    const width = 1000, height = 3000;
    const pixels = new Uint8Array(width * height);
    let s = 12345;
    for (let i = 0; i < pixels.length; i++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      pixels[i] = s & 255; // noise: does not compress, so the stream has many chunks
    }
    const d = decodePng(encodePng({ width, height, channels: 1, bitDepth: 8, pixels }));
    expect(d.chunks.filter((c) => c === 'IDAT').length).toBeGreaterThan(1);
    expect(d.samples).toEqual(pixels);
  });

  it('refuses impossible requests with a FitsError', () => {
    const px = new Uint8Array(4);
    const bad = [
      () => encodePng({ width: 0, height: 1, channels: 1, bitDepth: 8, pixels: px }),
      () => encodePng({ width: 3, height: 2, channels: 1, bitDepth: 8, pixels: px }),
      () => encodePng({ width: 1, height: 1, channels: 5 as 1, bitDepth: 8, pixels: px }),
      () => encodePng({ width: 1, height: 1, channels: 1, bitDepth: 12 as 8, pixels: px }),
      () => encodePng({ width: 1, height: 1, channels: 1, bitDepth: 8, pixels: px }, { level: 11 }),
      () => encodePng({ width: 1, height: 1, channels: 1, bitDepth: 8, pixels: px }, { filter: 'best' as PngFilter }),
      () => encodePng({ width: 1, height: 1, channels: 1, bitDepth: 8, pixels: new Uint16Array(1) }),
      () => encodePng({ width: 1, height: 1, channels: 1, bitDepth: 8, pixels: px }, { strategy: 'fast' as DeflateStrategy }),
    ];
    for (const f of bad) expect(f).toThrow(FitsError);
  });
});

describe('PIL reads what encodePng writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fitsflow-png-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // PIL reads 16-bit samples losslessly only for grey ('I;16'); it narrows 16-bit LA/RGB/RGBA.
  itWith(haveMatplotlib, 'PIL/numpy')('grey 8/16, grey+alpha, RGB, RGBA (8-bit) with every filter', () => {
    const cases: { path: string; expected: number[] }[] = [];
    let k = 0;
    for (const channels of [1, 2, 3, 4] as const) {
      for (const bitDepth of channels === 1 ? ([8, 16] as const) : ([8] as const)) {
        for (const filter of FILTERS) {
          const width = 13, height = 7;
          const n = width * height * channels;
          const pixels = bitDepth === 8 ? new Uint8Array(n) : new Uint16Array(n);
          for (let i = 0; i < n; i++) pixels[i] = bitDepth === 8 ? (i * 37 + k) & 255 : (i * 4099 + k) & 65535;
          const path = join(dir, `p${k++}.png`);
          writeFileSync(path, encodePng({ width, height, channels, bitDepth, pixels }, { filter }));
          cases.push({ path, expected: Array.from(pixels) });
        }
      }
    }
    const out = runPython([
      '-c',
      'import sys, json, numpy as np\nfrom PIL import Image\nprint(json.dumps([np.asarray(Image.open(p)).ravel().astype(int).tolist() for p in sys.argv[1:]]))',
      ...cases.map((c) => c.path),
    ]);
    const got = JSON.parse(out) as number[][];
    cases.forEach((c, i) => expect(got[i], c.path).toEqual(c.expected));
  });
});
