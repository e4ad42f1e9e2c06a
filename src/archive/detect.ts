/**
 * Whole-file compression detected by magic bytes (never by the file name, so
 * a renamed file, a Blob or a URL without a suffix are recognised alike).
 */
import type { ArchiveFormat } from './decoder.js';

/** Bytes needed to recognise every format. */
export const MAGIC_BYTES = 6;

/** The archive format `head` (the first bytes of a file) starts with, or null for anything else (FITS included). */
export function detectArchive(head: Uint8Array): ArchiveFormat | null {
  const b = (i: number) => head[i] ?? -1;
  if (b(0) === 0x1f && b(1) === 0x8b) return 'gzip';
  if (b(0) === 0x1f && b(1) === 0x9d) return 'lzw';
  if (b(0) === 0x42 && b(1) === 0x5a && b(2) === 0x68 && b(3) >= 0x31 && b(3) <= 0x39) return 'bzip2';
  if (b(0) === 0xfd && b(1) === 0x37 && b(2) === 0x7a && b(3) === 0x58 && b(4) === 0x5a && b(5) === 0x00) return 'xz';
  if (b(0) === 0x50 && b(1) === 0x4b && b(2) === 0x03 && b(3) === 0x04) return 'zip';
  return null;
}

/** True when the first two bytes could start an archive (so the cheap check costs a FITS file two bytes). */
export function mayBeArchive(first2: Uint8Array): boolean {
  const a = first2[0];
  const b = first2[1];
  return (a === 0x1f && (b === 0x8b || b === 0x9d)) || (a === 0x42 && b === 0x5a) || (a === 0xfd && b === 0x37) || (a === 0x50 && b === 0x4b);
}
