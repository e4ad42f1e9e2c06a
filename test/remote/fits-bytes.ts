/** Small FITS files made in memory for remote tests and benchmarks. */

function card(text: string): string {
  return text.padEnd(80, ' ').slice(0, 80);
}

function kv(key: string, value: string | number | boolean): string {
  const v = typeof value === 'boolean' ? (value ? 'T' : 'F') : typeof value === 'number' ? String(value) : `'${value.padEnd(8, ' ')}'`;
  return card(`${key.padEnd(8, ' ')}= ${v.padStart(20, ' ')}`);
}

function header(cards: string[]): Uint8Array {
  const text = [...cards, card('END')].join('');
  const n = Math.ceil(text.length / 2880) * 2880;
  const out = new Uint8Array(n).fill(0x20);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A primary int16 image `width` × `height` whose pixel (x, y) is (seed * 7 + x + y * width) mod 30000. */
export function smallImage(seed: number, width = 16, height = 16): Uint8Array {
  const h = header([kv('SIMPLE', true), kv('BITPIX', 16), kv('NAXIS', 2), kv('NAXIS1', width), kv('NAXIS2', height), kv('SEED', seed)]);
  const n = width * height;
  const data = new Uint8Array(Math.ceil((n * 2) / 2880) * 2880);
  const v = new DataView(data.buffer);
  for (let i = 0; i < n; i++) v.setInt16(2 * i, (seed * 7 + i) % 30000, false);
  return concat([h, data]);
}

/** The pixel values of smallImage(seed, width, height), C order. */
export function smallImagePixels(seed: number, width = 16, height = 16): Int16Array {
  return Int16Array.from({ length: width * height }, (_, i) => (seed * 7 + i) % 30000);
}

/** A multi-extension file: an empty primary HDU then `n` image extensions of `bytesEach` data bytes (int16). */
export function mefFile(n: number, side: number): Uint8Array {
  const parts = [header([kv('SIMPLE', true), kv('BITPIX', 16), kv('NAXIS', 0), kv('EXTEND', true)])];
  for (let k = 0; k < n; k++) {
    parts.push(header([kv('XTENSION', 'IMAGE'), kv('BITPIX', 16), kv('NAXIS', 2), kv('NAXIS1', side), kv('NAXIS2', side), kv('PCOUNT', 0), kv('GCOUNT', 1), kv('EXTNAME', `SCI${k}`)]));
    const bytes = side * side * 2;
    const data = new Uint8Array(Math.ceil(bytes / 2880) * 2880);
    for (let i = 0; i < bytes; i++) data[i] = (i * 31 + k) & 0xff;
    parts.push(data);
  }
  return concat(parts);
}
