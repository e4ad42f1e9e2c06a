/**
 * Data checks after fitsverify (fvrf_data.c and CFITSIO's fill test): header
 * fill after END is blank, data fill after the data is zero (blank in ASCII
 * tables), logical values are 'T', 'F' or 0, strings are printable ASCII, and
 * variable-length descriptors stay within the heap and their declared maximum;
 * compressed tables decode.
 */
import { FitsError } from '../core/errors.js';
import type { Hdu } from '../file/hdu.js';
import type { HduShape } from './header-checks.js';
import type { IssueList } from './issues.js';
import type { TableColumns } from './table-checks.js';

/** Rows read at a time when scanning table data. */
const CHUNK_BYTES = 4 << 20;
const ELEMENT_BYTES: Record<string, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16 };

/** Header fill: the bytes after END up to the data must be ASCII blanks. */
export function checkHeaderFill(headerBytes: Uint8Array, endCard: number, headerOffset: number, issues: IssueList): void {
  for (let i = (endCard + 1) * 80; i < headerBytes.length; i++) {
    if (headerBytes[i] !== 0x20) {
      issues.error('HEADER_FILL', `The header fill after END holds a non-blank byte (0x${headerBytes[i]!.toString(16)}).`, { offset: headerOffset + i });
      return;
    }
  }
}

/** Data fill: the bytes after the data to the end of its last block must be zeros (blanks in ASCII tables). */
export async function checkDataFill(hdu: Hdu, shape: HduShape, fileSize: number, issues: IssueList): Promise<void> {
  const start = hdu.dataOffset + hdu.layout.dataBytes;
  const end = hdu.dataOffset + hdu.layout.paddedDataBytes;
  if (end > fileSize) {
    issues.error('TRUNCATED', `The file ends at byte ${fileSize}, before the end of this HDU's last block at byte ${end}.`, { offset: fileSize });
    return;
  }
  if (end <= start) return;
  const fill = shape.type === 'table' ? 0x20 : 0;
  const bytes = await hdu.source.read(start, end - start);
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== fill) {
      issues.error('DATA_FILL', `The data fill holds a byte 0x${bytes[i]!.toString(16)}; it must be ${fill ? 'blank (0x20)' : 'zero'}.`, { offset: start + i });
      return;
    }
  }
}

/** Binary-table cell checks: logicals, strings, variable-length descriptors. */
export async function checkBinaryTableData(hdu: Hdu, shape: HduShape, cols: TableColumns, issues: IssueList): Promise<void> {
  const rowBytes = shape.naxis[0] ?? 0;
  const nrows = shape.naxis[1] ?? 0;
  if (!rowBytes || !nrows || cols.binary.some((f) => !f)) return;
  const offsets: number[] = [];
  let at = 0;
  for (const f of cols.binary) {
    offsets.push(at);
    at += f!.width;
  }
  if (at !== rowBytes) return; // reported by the header checks
  const reported = new Set<string>();
  const once = (key: string, fn: () => void) => {
    if (!reported.has(key)) {
      reported.add(key);
      fn();
    }
  };
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / rowBytes));
  for (let r0 = 0; r0 < nrows; r0 += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, nrows - r0);
    const bytes = await hdu.source.read(hdu.dataOffset + r0 * rowBytes, n * rowBytes);
    if (bytes.length < n * rowBytes) return; // truncated: reported elsewhere
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let r = 0; r < n; r++) {
      const row = r * rowBytes;
      cols.binary.forEach((f, ci) => {
        const base = row + offsets[ci]!;
        const col = ci + 1;
        if (f!.code === 'L') {
          for (let k = 0; k < f!.repeat; k++) {
            const b = bytes[base + k]!;
            if (b !== 0x54 && b !== 0x46 && b !== 0) once(`L${col}`, () => issues.error('BAD_LOGICAL_DATA', `Logical value in row ${r0 + r + 1}, column ${col} is not 'T', 'F' or 0 (first of possibly several).`, { offset: hdu.dataOffset + (r0 * rowBytes) + base + k }));
          }
        } else if (f!.code === 'A') {
          for (let k = 0; k < f!.repeat; k++) {
            const b = bytes[base + k]!;
            if (b === 0) break;
            if (b < 0x20 || b > 0x7e) {
              once(`A${col}`, () => issues.error('NONASCII_DATA', `String in row ${r0 + r + 1}, column ${col} holds a byte 0x${b.toString(16)} that is not printable ASCII (first of possibly several).`, { offset: hdu.dataOffset + (r0 * rowBytes) + base + k }));
              break;
            }
          }
        } else if (f!.code === 'P' || f!.code === 'Q') {
          const q = f!.code === 'Q';
          const nelem = q ? Number(view.getBigInt64(base)) : view.getInt32(base);
          const offset = q ? Number(view.getBigInt64(base + 8)) : view.getInt32(base + 4);
          const elem = f!.varCode === 'X' ? 1 / 8 : ELEMENT_BYTES[f!.varCode!]!;
          const bytesNeeded = f!.varCode === 'X' ? Math.ceil(nelem / 8) : nelem * elem;
          if (f!.maxLength !== undefined && nelem > f!.maxLength) once(`M${col}`, () => issues.error('VAR_EXCEEDS_MAXLEN', `Descriptor of column ${col} at row ${r0 + r + 1}: ${nelem} elements, more than the maximum ${f!.maxLength} of its TFORM.`));
          if (nelem < 0 || offset < 0 || offset + bytesNeeded > shape.pcount) once(`H${col}`, () => issues.error('VAR_EXCEEDS_HEAP', `Descriptor of column ${col} at row ${r0 + r + 1}: offset ${offset} + ${nelem} elements lie outside the heap of ${shape.pcount} bytes.`));
        }
      });
    }
  }
}

/**
 * A tile-compressed table (ZTABLE = T): its Z keywords are coherent and every
 * tile of every column decodes (fitsverify checks only the stored table).
 */
export async function checkCompressedTable(hdu: Hdu, issues: IssueList): Promise<void> {
  try {
    for await (const batch of hdu.iterateTable({ reuse: true })) void batch;
  } catch (e) {
    if (!(e instanceof FitsError)) throw e;
    issues.error('COMPRESSED_TABLE', `The compressed table does not decode: ${e.message}`);
  }
}
