/**
 * Test helpers shared by the RICE_1 and PLIO_1 codec tests: loading the JSON
 * fixtures written by test/fixtures/codecs/make_rice_plio.py, locating the
 * shared corpus, and calling a decoder on a guarded view of its output.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { isFitsError } from '../../src/core/errors.js';

const here = dirname(fileURLToPath(import.meta.url));
export const fixtureDir = resolve(here, '../fixtures/codecs');

/** The corpus: FITSFLOW_CORPUS, else the repo's copy test/corpus (present on every clone), else ../shared/corpus. */
export const corpusDir =
  process.env.FITSFLOW_CORPUS ??
  (existsSync(resolve(here, '../corpus/manifest.json')) ? resolve(here, '../corpus') : resolve(here, '../../../shared/corpus'));
export const haveCorpus = existsSync(join(corpusDir, 'manifest.json'));

export interface FixtureTile {
  tile: number;
  npix: number;
  compressed: string;
  expected?: string;
  expectedRuns?: [number, number][];
  sha256: string;
  blocksize?: number;
  label?: string;
}

export interface FixtureCase {
  name: string;
  source: string;
  writer: string;
  codec: 'RICE_1' | 'PLIO_1';
  bytepix?: 1 | 2 | 4;
  blocksize?: number | null;
  tiles: FixtureTile[];
}

export function loadCases(subdir: 'rice' | 'plio'): FixtureCase[] {
  const dir = join(fixtureDir, subdir);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as FixtureCase);
}

export interface CorpusEntry {
  path: string;
  file_sha256: string;
  codec: 'RICE_1' | 'PLIO_1';
  bytepix?: 1 | 2 | 4;
  blocksize?: number;
  shape: number[];
  tile: number[];
  heap_start: number;
  length: number[];
  offset?: number[];
  digest: (string | null)[];
}

export function loadCorpusIndex(): CorpusEntry[] {
  return (JSON.parse(readFileSync(join(fixtureDir, 'corpus-index.json'), 'utf8')) as { files: CorpusEntry[] }).files;
}

/** Pixel count of tile `k` (first axis fastest; edge tiles are cut short). */
export function tilePixelCount(shape: number[], tile: number[], k: number): number {
  let n = 1;
  for (let axis = 0; axis < shape.length; axis++) {
    const count = Math.ceil(shape[axis] / tile[axis]);
    const i = k % count;
    k = Math.floor(k / count);
    n *= Math.min(shape[axis], (i + 1) * tile[axis]) - i * tile[axis];
  }
  return n;
}

/** Each tile's bytes from a corpus file, per the index entry. */
export function corpusTiles(entry: CorpusEntry): Uint8Array[] {
  const file = new Uint8Array(readFileSync(join(corpusDir, entry.path)));
  const fileHash = createHash('sha256').update(file).digest('hex');
  if (fileHash !== entry.file_sha256) {
    throw new Error(`${entry.path} changed since corpus-index.json was made; rerun make_rice_plio.py`);
  }
  const tiles: Uint8Array[] = [];
  let pos = entry.heap_start;
  entry.length.forEach((n, k) => {
    const at = entry.offset ? entry.heap_start + entry.offset[k] : pos;
    tiles.push(file.subarray(at, at + n));
    pos = at + n;
  });
  return tiles;
}

export function fromBase64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

export type IntArray = Uint8Array | Int16Array | Int32Array;
type IntArrayConstructor = Uint8ArrayConstructor | Int16ArrayConstructor | Int32ArrayConstructor;

/** A typed array's values as little-endian bytes (the fixtures' byte order). */
export function littleEndianBytes(a: IntArray): Uint8Array {
  const bytes = new Uint8Array(a.length * a.BYTES_PER_ELEMENT);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < a.length; i++) {
    if (a instanceof Uint8Array) view.setUint8(i, a[i]);
    else if (a instanceof Int16Array) view.setInt16(2 * i, a[i], true);
    else view.setInt32(4 * i, a[i], true);
  }
  return bytes;
}

export function sha256Hex(a: IntArray): string {
  return createHash('sha256').update(littleEndianBytes(a)).digest('hex');
}

/** The expected output of a fixture tile, as an array of type `Type`. */
export function expectedOf(t: FixtureTile, Type: IntArrayConstructor): IntArray {
  const out = new Type(t.npix);
  if (t.expectedRuns) {
    let i = 0;
    for (const [value, count] of t.expectedRuns) {
      out.fill(value, i, i + count);
      i += count;
    }
    expect(i).toBe(t.npix);
  } else {
    const bytes = fromBase64(t.expected ?? '');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(bytes.length).toBe(t.npix * out.BYTES_PER_ELEMENT);
    for (let i = 0; i < t.npix; i++) {
      out[i] = out instanceof Uint8Array ? view.getUint8(i) : out instanceof Int16Array ? view.getInt16(2 * i, true) : view.getInt32(4 * i, true);
    }
  }
  return out;
}

/** Element-wise equality, without the cost of a deep diff on large arrays. */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Assert equal arrays; on a mismatch, show a window around the first difference. */
export function expectSameValues(actual: IntArray, expected: IntArray, what = ''): void {
  if (sameValues(actual, expected)) return;
  let i = 0;
  while (i < Math.min(actual.length, expected.length) && actual[i] === expected[i]) i++;
  const from = Math.max(0, i - 4);
  expect(
    { length: actual.length, firstDifference: i, values: Array.from(actual.subarray(from, i + 8)) },
    what,
  ).toEqual({ length: expected.length, firstDifference: i, values: Array.from(expected.subarray(from, i + 8)) });
}

const GUARD = 16;

/**
 * Run `decode` on an `n`-element view in the middle of a larger array whose
 * other elements hold a sentinel, and on a private copy of `src`; fail if the
 * decoder touched either. Returns the decoded view, or the error thrown, which
 * must be a FitsError with code CORRUPT_DATA.
 */
export function decodeGuarded<T extends IntArray>(
  Type: { new (n: number): T },
  n: number,
  src: Uint8Array,
  decode: (src: Uint8Array, out: T) => void,
): { out: T; error?: unknown } {
  const whole = new Type(n + 2 * GUARD);
  const sentinel = whole instanceof Uint8Array ? 0xa5 : -0x5a5a;
  whole.fill(sentinel);
  const out = whole.subarray(GUARD, GUARD + n) as T;
  const before = src.slice();
  let error: unknown;
  try {
    decode(src, out);
  } catch (e) {
    error = e;
  }
  for (let i = 0; i < GUARD; i++) {
    if (whole[i] !== sentinel || whole[GUARD + n + i] !== sentinel) throw new Error('decoder wrote outside its output view');
  }
  if (!sameValues(src, before)) throw new Error('decoder modified its input');
  if (error !== undefined && !isFitsError(error, 'CORRUPT_DATA')) throw error;
  return error === undefined ? { out } : { out, error };
}
