/**
 * Random groups (primary HDU with GROUPS = T, NAXIS1 = 0): GCOUNT groups, each
 * PCOUNT parameters followed by an array of NAXIS2 × … × NAXISn values. Read as
 * a table whose rows are groups: one column per parameter (PSCALn/PZEROn) and
 * one array column (BSCALE/BZERO), scaled values in float64 (DIGEST.md §5).
 */
import { FitsError } from '../../core/errors.js';
import type { HduContext } from '../../hdu/context.js';
import { scalingNumber, type DType, type ImageArray } from '../../image/pixel-type.js';
import type { ImageData } from '../../image/read-image.js';
import type { BinaryColumnSpec, ColumnScaling, ElementCode } from './binary-layout.js';
import { gatherColumns } from './read-binary.js';
import { parseBinaryTform } from './tform.js';

/** One group parameter: one value per group. */
export interface GroupParameter {
  /** PTYPEn, or null when absent. */
  name: string | null;
  dtype: DType;
  data: ImageArray;
}

/** The random-groups data of an HDU. */
export interface RandomGroups {
  /** The group arrays, shape `[GCOUNT, NAXISn, …, NAXIS2]`; null when there are no array axes (NAXIS = 1). */
  data: ImageData | null;
  params: GroupParameter[];
}

const CODE_OF_BITPIX: Record<number, ElementCode> = { 8: 'B', 16: 'I', 32: 'J', 64: 'K', [-32]: 'E', [-64]: 'D' };
const DTYPE_OF_BITPIX: Record<number, DType> = { 8: 'uint8', 16: 'int16', 32: 'int32', 64: 'int64', [-32]: 'float32', [-64]: 'float64' };

/** A numeric column spec over the group record (no unsigned conventions here: §5). */
function groupSpec(index: number, name: string, code: ElementCode, bitpix: number, offset: number, count: number, tscal: number, tzero: number): BinaryColumnSpec {
  const scaled = tscal !== 1 || tzero !== 0;
  const scaling: ColumnScaling = scaled ? { mode: 'scale', tscal, tzero } : { mode: 'raw', tscal: 1, tzero: 0 };
  const tform = parseBinaryTform(`${count}${code}`);
  return {
    index, name, keywords: { ttype: undefined, name, unit: undefined, tscal, tzero, tzeroValue: tzero, tnull: undefined, tnullIsInteger: false },
    tform, elementCode: code, variable: false, offset, width: tform.width,
    dtype: scaled ? 'float64' : DTYPE_OF_BITPIX[bitpix]!, cellShape: [count], count, stringWidth: 0, scaling, tnull: undefined,
  };
}

/**
 * Read the parameters and arrays of a random-groups HDU.
 * @example
 * const { data, params } = await readRandomGroups(hdu);
 * const uu = params.find((p) => p.name === 'UU')!.data;
 */
export async function readRandomGroups(ctx: HduContext): Promise<RandomGroups> {
  const { layout, header, index: hdu } = ctx;
  if (layout.kind !== 'random-groups') throw new FitsError('BAD_ARGUMENT', `HDU ${hdu} is a ${layout.kind}, not random groups.`, { hdu });
  const bitpix = layout.bitpix;
  const code = CODE_OF_BITPIX[bitpix]!;
  const bytes = Math.abs(bitpix) / 8;
  const axes = layout.naxes.slice(1).reverse(); // C order, slowest first
  const { pcount, gcount } = layout;
  if (pcount > Math.max(999, layout.dataBytes)) {
    // Only without groups (GCOUNT = 0) can PCOUNT exceed the data size; PTYPEn names at most 999.
    throw new FitsError('BAD_SIZE', `PCOUNT = ${pcount} parameters is absurd for ${layout.dataBytes} bytes of random-groups data.`, { hdu });
  }
  const names = Array.from({ length: pcount }, (_, k) => {
    const v = header.get(`PTYPE${k + 1}`);
    return typeof v === 'string' ? v : null;
  });
  if (axes.length === 0) return { data: null, params: [] };
  const elems = axes.reduce((a, b) => a * b, 1);
  const rowBytes = (pcount + elems) * bytes;
  if (ctx.dataOffset + layout.dataBytes > ctx.source.size) {
    throw new FitsError('TRUNCATED', `The random-groups data needs ${layout.dataBytes} bytes but the file ends first.`, { hdu, offset: ctx.source.size });
  }
  const specs: BinaryColumnSpec[] = names.map((name, k) =>
    groupSpec(k, name ?? `PARAM${k + 1}`, code, bitpix, k * bytes, 1, scalingNumber(header, `PSCAL${k + 1}`, 1), scalingNumber(header, `PZERO${k + 1}`, 0)),
  );
  specs.push(groupSpec(pcount, 'DATA', code, bitpix, pcount * bytes, elems, scalingNumber(header, 'BSCALE', 1), scalingNumber(header, 'BZERO', 0)));
  const columns = await gatherColumns({ source: ctx.source, hdu, dataOffset: ctx.dataOffset, rowBytes }, specs, 0, gcount);
  const dataColumn = columns.pop()!;
  return {
    data: { data: dataColumn.data as ImageArray, shape: [gcount, ...axes], dtype: dataColumn.dtype as DType },
    params: columns.map((c, k) => ({ name: names[k]!, dtype: c.dtype as DType, data: c.data as ImageArray })),
  };
}
