/**
 * The FITS block: every header and data unit is a whole number of 2880-byte
 * blocks (36 cards of 80 bytes). The one definition of that size.
 */

/** Bytes in a FITS block. */
export const BLOCK = 2880;

/** Bytes in a header card. */
export const CARD = 80;

/** `n` rounded up to a whole number of blocks. */
export function padToBlock(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

/** Bytes of fill after `n` bytes of content, up to the next block boundary. */
export function fillBytes(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}
