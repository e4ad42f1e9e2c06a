/**
 * `fitsflow verify FILE`: the FITS standard's structure checked as fitsverify
 * does (errors and warnings with HDU, card and byte), and CHECKSUM/DATASUM as
 * before. Exit 1 when there is an error or a checksum fails, 0 otherwise.
 */
import { verifyFile } from '../verify/verify-file.js';
import type { VerifyIssue } from '../verify/issues.js';
import { UsageError, type Command } from './command.js';

function where(i: VerifyIssue): string {
  const parts: string[] = [];
  if (i.hdu !== undefined) parts.push(`HDU ${i.hdu}`);
  if (i.card !== undefined) parts.push(`card ${i.card}`);
  if (i.offset !== undefined) parts.push(`byte ${i.offset}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** `fitsflow verify FILE [-q] [-e]`. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'Check a file against the FITS standard (like fitsverify) and verify its checksums; exit 1 on an error or a bad checksum.',
  usage: 'FILE [-q|--quiet] [-e|--errors-only]',
  options: [
    { flag: 'quiet', help: '(-q) print one line: verification OK or FAILED with the counts' },
    { flag: 'errors-only', help: '(-e) report errors only, not warnings' },
  ],
  async run(args, io) {
    const flags = new Set([...args.flags.keys()]);
    const files: string[] = [];
    for (const p of args.positionals) {
      if (p === '-q') flags.add('quiet');
      else if (p === '-e') flags.add('errors-only');
      else if (p.startsWith('-') && p !== '-') throw new UsageError(`unknown option ${p}`);
      else files.push(p);
    }
    for (const f of flags) if (f !== 'quiet' && f !== 'errors-only') throw new UsageError(`unknown option --${f}`);
    if (files.length !== 1) throw new UsageError('expected one FILE');
    const path = files[0]!;
    const file = await io.open(path);
    let report: Awaited<ReturnType<typeof verifyFile>>;
    try {
      report = await verifyFile(file);
    } finally {
      await file.close();
    }
    const badSums = report.hdus.filter((h) => h.checksum && (h.checksum.datasum === 'bad' || h.checksum.checksum === 'bad')).length;
    const failed = !report.ok || badSums > 0;
    const shown = flags.has('errors-only') ? report.issues.filter((i) => i.severity === 'error') : report.issues;
    const warnings = flags.has('errors-only') ? 0 : report.warnings;
    if (flags.has('quiet')) {
      io.out(`verification ${failed ? 'FAILED' : 'OK'}: ${path}, ${warnings} warning(s) and ${report.errors} error(s)`);
      return failed ? 1 : 0;
    }
    io.out(`File: ${path}`);
    for (const h of report.hdus) {
      const head = `HDU ${h.index} (${h.kind}${h.name ? ` ${h.name}` : ''})`;
      io.out(h.checksum ? `${head}: DATASUM ${h.checksum.datasum}, CHECKSUM ${h.checksum.checksum}` : head);
      for (const i of shown.filter((x) => x.hdu === h.index)) io.out(`*** ${i.severity === 'error' ? 'Error:  ' : 'Warning:'} ${i.message}${where(i)}`);
    }
    for (const i of shown.filter((x) => x.hdu === undefined || !report.hdus.some((h) => h.index === x.hdu))) io.out(`*** ${i.severity === 'error' ? 'Error:  ' : 'Warning:'} ${i.message}${where(i)}`);
    io.out(`**** Verification found ${warnings} warning(s) and ${report.errors} error(s). ****`);
    if (badSums) io.err(`${badSums} HDU(s) failed checksum verification`);
    if (!failed) io.out('OK');
    return failed ? 1 : 0;
  },
};
