/**
 * Loading the fixtures written by test/fixtures/codecs/make_gzip_quantize.py
 * (see that script for what each field holds and where it comes from).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/codecs/gzip-quantize');

export interface GzqTile {
  index: number;
  npix: number;
  shape: number[];
  kind: 'lossless' | 'quantized' | 'gzip-fallback';
  compressed: string;
  gzipCompressed?: string;
  bytepix?: number;
  raw?: string;
  rawSha256?: string;
  ints?: string;
  zscale?: number;
  zzero?: number;
  zblank?: number;
  expected?: string;
  expectedSha256?: string;
  nanCount?: number;
  zeroValueCount?: number;
}

export interface GzqCase {
  name: string;
  source: string;
  zcmptype: string;
  zbitpix: number;
  zquantiz: string | null;
  zdither0: number | null;
  zblank: number | null;
  znaxis: number[];
  ztile: number[];
  ntiles: number;
  riceBlocksize?: number;
  riceBytepix?: number;
  tiles: GzqTile[];
}

export function loadGzqCases(): GzqCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<GzqCase, 'name'>) }));
}

/** Base64 to a fresh Uint8Array (not a pooled Buffer). */
export function fromBase64(text: string): Uint8Array {
  const b = Buffer.from(text, 'base64');
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Big-endian int32 bytes to native ints. */
export function beInt32(bytes: Uint8Array): Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Int32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(4 * i);
  return out;
}

/** Big-endian float bytes to a native float array. */
export function beFloat(bytes: Uint8Array, width: 4 | 8): Float32Array | Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (width === 4) {
    const out = new Float32Array(bytes.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i);
    return out;
  }
  const out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(8 * i);
  return out;
}

/** Native floats to big-endian bytes, NaNs written as the quiet NaN (as the fixture hashes). */
export function toBeBytes(values: Float32Array | Float64Array): Uint8Array {
  const width = values.BYTES_PER_ELEMENT;
  const out = new Uint8Array(values.length * width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    if (width === 4) view.setFloat32(4 * i, values[i]);
    else view.setFloat64(8 * i, values[i]);
    if (Number.isNaN(values[i])) {
      if (width === 4) view.setUint32(4 * i, 0x7fc00000);
      else view.setBigUint64(8 * i, 0x7ff8000000000000n);
    }
  }
  return out;
}

/**
 * Index of the first element whose bits differ (NaN matches any NaN), or -1.
 * Compares bit patterns, so +0 and −0 differ.
 */
export function firstBitMismatch(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const ua = a instanceof Float32Array ? new Uint32Array(a.buffer, a.byteOffset, a.length) : new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const ub = b instanceof Float32Array ? new Uint32Array(b.buffer, b.byteOffset, b.length) : new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    if (ua[i] !== ub[i]) return i;
  }
  return -1;
}
