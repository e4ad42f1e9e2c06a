/**
 * A small, strict PNG decoder for the tests (non-interlaced, colour types
 * 0/2/4/6, 8 or 16 bits): checks the signature, every chunk's CRC, the IHDR
 * fields and the zlib stream, and undoes the row filters.
 */
import pako from 'pako';
import { crc32 } from '../../src/core/crc32.js';

export interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  channels: number;
  /** Samples, rows top to bottom (16-bit samples as numbers). */
  samples: Uint8Array | Uint16Array;
  chunks: string[];
  filters: number[];
}

export function decodePng(png: Uint8Array): DecodedPng {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  sig.forEach((b, i) => {
    if (png[i] !== b) throw new Error('bad PNG signature');
  });
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let pos = 8;
  const chunks: string[] = [];
  const idat: Uint8Array[] = [];
  let width = 0, height = 0, bitDepth = 0, colorType = 0;
  while (pos < png.length) {
    const len = dv.getUint32(pos);
    const type = String.fromCharCode(...png.subarray(pos + 4, pos + 8));
    const data = png.subarray(pos + 8, pos + 8 + len);
    const crc = dv.getUint32(pos + 8 + len);
    if (crc !== crc32(png.subarray(pos + 4, pos + 8 + len))) throw new Error(`bad CRC in ${type}`);
    chunks.push(type);
    if (type === 'IHDR') {
      const h = new DataView(data.buffer, data.byteOffset, 13);
      width = h.getUint32(0);
      height = h.getUint32(4);
      bitDepth = data[8]!;
      colorType = data[9]!;
      if (data[10] !== 0 || data[11] !== 0 || data[12] !== 0) throw new Error('unexpected compression/filter/interlace method');
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
    if (type === 'IEND') break;
  }
  if (pos !== png.length) throw new Error('bytes after IEND');
  if (chunks[0] !== 'IHDR' || chunks[chunks.length - 1] !== 'IEND') throw new Error('bad chunk order');
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType]!;
  const bpp = (channels * bitDepth) / 8;
  const rowBytes = width * bpp;
  const all = new Uint8Array(idat.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of idat) {
    all.set(c, o);
    o += c.length;
  }
  const raw = pako.inflate(all); // zlib stream: checks the Adler-32
  if (raw.length !== height * (rowBytes + 1)) throw new Error(`inflated ${raw.length} bytes, expected ${height * (rowBytes + 1)}`);
  const out = new Uint8Array(height * rowBytes);
  const filters: number[] = [];
  for (let y = 0; y < height; y++) {
    const f = raw[y * (rowBytes + 1)]!;
    filters.push(f);
    const src = raw.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
    const cur = out.subarray(y * rowBytes, (y + 1) * rowBytes);
    const prev = y > 0 ? out.subarray((y - 1) * rowBytes, y * rowBytes) : new Uint8Array(rowBytes);
    for (let i = 0; i < rowBytes; i++) {
      const a = i >= bpp ? cur[i - bpp]! : 0, b = prev[i]!, c = i >= bpp ? prev[i - bpp]! : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = b;
      else if (f === 3) pred = (a + b) >>> 1;
      else if (f === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (f !== 0) throw new Error(`bad filter ${f}`);
      cur[i] = (src[i]! + pred) & 0xff;
    }
  }
  let samples: Uint8Array | Uint16Array = out;
  if (bitDepth === 16) {
    samples = new Uint16Array(out.length / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = (out[2 * i]! << 8) | out[2 * i + 1]!;
  }
  return { width, height, bitDepth, colorType, channels, samples, chunks, filters };
}
