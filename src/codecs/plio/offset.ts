/**
 * CFITSIO's rule for PLIO_1 and unsigned 16-bit data (imcompress.c): PLIO
 * holds only 0 … 2^24 − 1, so an HDU with BZERO = 32768 stores its values
 * + 32768 (the unsigned values themselves) and readers subtract 32768 again,
 * whatever ZBITPIX says. A module of its own so that readers and writers
 * learn the rule without loading the codec.
 */

/** The offset between PLIO_1 pixels and stored values for an HDU with this BZERO: 32768, or 0. */
export function plioOffsetFor(bzero: number | bigint | undefined): number {
  return bzero === 32768 || bzero === 32768n ? 32768 : 0;
}
