/** Tiny FITS builders for tests (not the library's writer: independent on purpose). */
export function card(text: string): string {
  if (text.length > 80) throw new Error(`card too long: ${text}`);
  return text.padEnd(80, ' ');
}

export function kv(key: string, value: string | number | boolean, comment?: string): string {
  const v = typeof value === 'boolean' ? (value ? 'T' : 'F') : typeof value === 'number' ? String(value) : `'${value.replace(/'/g, "''").padEnd(8)}'`;
  const field = typeof value === 'string' ? v.padEnd(20) : v.padStart(20);
  return card(`${key.padEnd(8)}= ${field}${comment !== undefined ? ` / ${comment}` : ''}`);
}

export function headerBytes(cards: string[], pad = true): Uint8Array {
  let text = cards.join('') + card('END');
  if (pad) text = text.padEnd(Math.ceil(text.length / 2880) * 2880, ' ');
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function padData(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 2880) * 2880);
  out.set(bytes);
  return out;
}

/** A primary image HDU of big-endian values. */
export function imageHdu(bitpix: number, naxes: number[], values: ArrayLike<number | bigint>, extra: string[] = [], primary = true): Uint8Array {
  const cards = [
    primary ? kv('SIMPLE', true) : kv('XTENSION', 'IMAGE'),
    kv('BITPIX', bitpix),
    kv('NAXIS', naxes.length),
    ...naxes.map((n, i) => kv(`NAXIS${i + 1}`, n)),
    ...(primary ? [] : [kv('PCOUNT', 0), kv('GCOUNT', 1)]),
    ...extra,
  ];
  return concat(headerBytes(cards), padData(bigEndian(bitpix, values)));
}

/** Pixel values as FITS stores them: big-endian, of the type BITPIX names. */
export function bigEndian(bitpix: number, values: ArrayLike<number | bigint>): Uint8Array {
  const data = new Uint8Array(values.length * (Math.abs(bitpix) / 8));
  const dv = new DataView(data.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    switch (bitpix) {
      case 8: dv.setUint8(i, Number(v)); break;
      case 16: dv.setInt16(i * 2, Number(v)); break;
      case 32: dv.setInt32(i * 4, Number(v)); break;
      case 64: dv.setBigInt64(i * 8, BigInt(v)); break;
      case -32: dv.setFloat32(i * 4, Number(v)); break;
      case -64: dv.setFloat64(i * 8, Number(v)); break;
    }
  }
  return data;
}
