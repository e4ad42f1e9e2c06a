/**
 * Decompression bombs made cheaply with the real tools: a small FITS header
 * member followed by the same zero-filled member repeated (gzip, bzip2 and xz
 * read concatenated members/streams), so a few KB expand to GBs.
 */
import { compressWith, type Tool } from './tools.js';

/** A primary header (one block) with the given extra cards. */
export function fitsHeader(cards: string[]): Uint8Array {
  const all = ['SIMPLE  =                    T', ...cards, 'END'];
  const text = all.map((c) => c.padEnd(80)).join('').padEnd(2880);
  return new TextEncoder().encode(text);
}

/** `header` then `repeats` × `zeroBytes` zeros, compressed by `tool` as concatenated members. */
export function bomb(tool: Exclude<Tool, 'zip' | 'compress'>, header: Uint8Array, zeroBytes: number, repeats: number): Uint8Array {
  const head = compressWith(tool, header);
  const zeros = compressWith(tool, new Uint8Array(zeroBytes));
  const out = new Uint8Array(head.length + zeros.length * repeats);
  out.set(head);
  for (let i = 0; i < repeats; i++) out.set(zeros, head.length + i * zeros.length);
  return out;
}
