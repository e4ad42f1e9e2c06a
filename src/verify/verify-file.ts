/**
 * `verifyFile`: the structural checks of fitsverify (required keywords and
 * their order, reserved keyword types, TFORM/TDIM consistency, header and data
 * fill, bytes after the last HDU) plus CHECKSUM/DATASUM, as one report.
 */
import { FitsError } from '../core/errors.js';
import type { FitsFile } from '../file/fits-file.js';
import type { Hdu } from '../file/hdu.js';
import type { ChecksumResult } from '../checksum/verify.js';
import { checkBinaryTableData, checkCompressedTable, checkDataFill, checkHeaderFill } from './data-checks.js';
import { checkHeader } from './header-checks.js';
import { IssueList, type VerifyIssue } from './issues.js';
import { rawCards } from './raw-cards.js';
import { checkTableHeader } from './table-checks.js';

/** Options of {@link verifyFile}. */
export interface VerifyOptions {
  /** Verify CHECKSUM/DATASUM (default true). */
  checksums?: boolean;
  /** Scan table data and fill bytes (default true). */
  data?: boolean;
}

/** One HDU as verified. */
export interface HduVerification {
  index: number;
  kind: string;
  name: string | null;
  checksum?: ChecksumResult;
}

/** The result of {@link verifyFile}. */
export interface VerifyReport {
  /** No errors (warnings and checksum results aside). */
  ok: boolean;
  errors: number;
  warnings: number;
  /** Errors and warnings in file order. */
  issues: VerifyIssue[];
  hdus: HduVerification[];
}

/**
 * Verify an open file against the FITS standard, as fitsverify does for
 * structure. Checksum mismatches are warnings here (as in fitsverify).
 * @example
 * const report = await verifyFile(await open('x.fits'));
 * for (const i of report.issues) console.log(i.severity, i.hdu, i.card, i.message);
 */
export async function verifyFile(file: FitsFile, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const fileIssues = new IssueList();
  const hdus: Hdu[] = [];
  let scanFailed = false;
  try {
    for await (const h of file) hdus.push(h);
  } catch (e) {
    if (!(e instanceof FitsError)) throw e;
    scanFailed = true;
    fileIssues.error(e.code, `HDU ${hdus.length} cannot be read: ${e.message}`, e.offset !== undefined ? { offset: e.offset } : {});
  }
  const all: VerifyIssue[] = [];
  const results: HduVerification[] = [];
  const size = file.source.size;
  for (const hdu of hdus) {
    const issues = new IssueList(hdu.index);
    const headerBytes = await file.source.read(hdu.headerOffset, hdu.dataOffset - hdu.headerOffset);
    const { cards, endIndex } = rawCards(headerBytes);
    const shape = checkHeader(endIndex >= 0 ? cards.slice(0, endIndex) : cards, hdu.header, hdu.index, hdus.length + (scanFailed ? 1 : 0), issues);
    if (endIndex >= 0) checkHeaderFill(headerBytes, endIndex, hdu.headerOffset, issues);
    if ((hdu.dataOffset - hdu.headerOffset) % 2880 !== 0) {
      issues.error('TRUNCATED', `The file ends at byte ${hdu.dataOffset}, inside the last block of this header.`, { offset: hdu.dataOffset });
    }
    const cols = shape.type === 'table' || shape.type === 'bintable' ? checkTableHeader(hdu.header, shape, issues) : null;
    const r: HduVerification = { index: hdu.index, kind: hdu.kind, name: hdu.name };
    if (opts.data !== false) {
      await checkDataFill(hdu, shape, size, issues);
      if (cols && shape.type === 'bintable' && hdu.dataOffset + hdu.layout.dataBytes <= size) await checkBinaryTableData(hdu, shape, cols, issues);
      if (hdu.kind === 'compressed-table' && hdu.dataOffset + hdu.layout.dataBytes <= size && !issues.issues.some((i) => i.severity === 'error')) await checkCompressedTable(hdu, issues);
    }
    if (opts.checksums !== false) {
      try {
        r.checksum = await hdu.verifyChecksum();
        if (r.checksum.datasum === 'bad') issues.warning('BAD_CHECKSUM', 'The data checksum does not match DATASUM.');
        if (r.checksum.checksum === 'bad') issues.warning('BAD_CHECKSUM', 'The HDU checksum does not match CHECKSUM.');
      } catch (e) {
        if (!(e instanceof FitsError)) throw e;
      }
    }
    results.push(r);
    all.push(...issues.issues);
  }
  for (const w of file.warnings) {
    if (w.code === 'TRAILING_BYTES' || w.code === 'ZERO_PADDING_AFTER_END') {
      const last = hdus[hdus.length - 1];
      const at = last ? last.dataOffset + last.layout.paddedDataBytes : 0;
      fileIssues.error('EXTRA_BYTES', `The file has bytes after its last HDU, from byte ${at}: ${w.message}`, { offset: at });
    }
  }
  all.push(...fileIssues.issues);
  const errors = all.filter((i) => i.severity === 'error').length;
  return { ok: errors === 0, errors, warnings: all.length - errors, issues: all, hdus: results };
}
