/**
 * `fitsflow diff A B`: compare two FITS files like astropy's fitsdiff, with its
 * options and exit codes (0 identical, 1 different, 2 bad usage).
 */
import { formatDiffReport } from '../diff/report.js';
import { diffFiles, type FitsDiffReport } from '../diff/fits-diff.js';
import type { DiffOptions } from '../diff/options.js';
import { UsageError, type CliIo, type Command, type ParsedArgs } from './command.js';

/** fitsdiff's short options and the long ones they stand for. */
const SHORT: Record<string, { long: string; valued: boolean }> = {
  '-q': { long: 'quiet', valued: false },
  '-n': { long: 'num-diffs', valued: true },
  '-r': { long: 'rtol', valued: true },
  '-a': { long: 'atol', valued: true },
  '-b': { long: 'no-ignore-blanks', valued: false },
  '-u': { long: 'ignore-hdus', valued: true },
  '-k': { long: 'ignore-keywords', valued: true },
  '-c': { long: 'ignore-comments', valued: true },
  '-f': { long: 'ignore-fields', valued: true },
};
const ALIASES: Record<string, string> = { 'relative-tolerance': 'rtol', 'absolute-tolerance': 'atol' };
const KNOWN = new Set(['quiet', 'num-diffs', 'rtol', 'atol', 'no-ignore-blanks', 'no-ignore-blank-cards', 'exact', 'ignore-hdus', 'ignore-keywords', 'ignore-comments', 'ignore-fields']);

/** Fold fitsdiff's short options (which the shared parser leaves among the positionals) into flags. */
function normalize(args: ParsedArgs): { files: string[]; flags: Map<string, string | true> } {
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const set = (key: string, v: string | true) => {
    const k = ALIASES[key] ?? key;
    if (!KNOWN.has(k)) throw new UsageError(`unknown option --${key}`);
    if (k.startsWith('ignore-') && k !== 'ignore-blanks') {
      if (v === true) throw new UsageError(`--${k} needs a comma-separated list`);
      lists.set(k, [...(lists.get(k) ?? []), ...v.split(',').map((x) => x.trim()).filter(Boolean)]);
    } else flags.set(k, v);
  };
  for (const [k, v] of args.flags) set(k, v);
  const files: string[] = [];
  const pos = args.positionals;
  for (let i = 0; i < pos.length; i++) {
    const p = pos[i]!;
    const m = /^(-[a-z])(.*)$/.exec(p);
    if (m && SHORT[m[1]!]) {
      const s = SHORT[m[1]!]!;
      if (!s.valued) {
        if (m[2]) throw new UsageError(`${m[1]} takes no value`);
        set(s.long, true);
      } else {
        const v = m[2] || pos[++i];
        if (v === undefined) throw new UsageError(`${m[1]} needs a value`);
        set(s.long, v);
      }
    } else if (p.startsWith('-') && p !== '-') throw new UsageError(`unknown option ${p}`);
    else files.push(p);
  }
  for (const [k, v] of lists) flags.set(k, v.join(','));
  return { files, flags };
}

function number(flags: Map<string, string | true>, key: string, integer: boolean): number | undefined {
  const v = flags.get(key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UsageError(`--${key} needs ${integer ? 'an integer' : 'a number'}`);
  return n;
}

/** The options of `fitsflow diff` (fitsdiff's). */
export function diffOptionsFromArgs(args: ParsedArgs): { files: [string, string]; options: DiffOptions; quiet: boolean } {
  const { files, flags } = normalize(args);
  if (files.length !== 2) throw new UsageError(`expected two FITS files, got ${files.length}`);
  const list = (k: string) => {
    const v = flags.get(k);
    return typeof v === 'string' ? v.split(',').filter(Boolean) : [];
  };
  let options: DiffOptions = {
    ignoreHdus: list('ignore-hdus'),
    ignoreKeywords: list('ignore-keywords'),
    ignoreComments: list('ignore-comments'),
    ignoreFields: list('ignore-fields'),
    numDiffs: number(flags, 'num-diffs', true) ?? 10,
    rtol: number(flags, 'rtol', false) ?? 0,
    atol: number(flags, 'atol', false) ?? 0,
    ignoreBlanks: !flags.has('no-ignore-blanks'),
    ignoreBlankCards: !flags.has('no-ignore-blank-cards'),
  };
  if (flags.has('exact')) {
    // fitsdiff --exact: every option at its most restrictive.
    options = { ...options, ignoreKeywords: [], ignoreComments: [], ignoreFields: [], rtol: 0, atol: 0, ignoreBlanks: false, ignoreBlankCards: false };
  }
  return { files: [files[0]!, files[1]!], options, quiet: flags.has('quiet') };
}

/** `fitsflow diff A B [options]`. */
export const diffCommand: Command = {
  name: 'diff',
  summary: 'Compare two FITS files like astropy fitsdiff (exit 0 identical, 1 different, 2 bad usage).',
  usage: 'A B [-k KEYWORDS] [-c KEYWORDS] [-f COLUMNS] [-u HDUS] [-r RTOL] [-a ATOL] [-n N] [-b] [--no-ignore-blank-cards] [--exact] [-q]',
  options: [
    { flag: 'ignore-keywords', value: 'KEYWORDS', help: '(-k) comma-separated keywords not to compare (wildcards; "*" for all)' },
    { flag: 'ignore-comments', value: 'KEYWORDS', help: '(-c) keywords whose comments are not compared' },
    { flag: 'ignore-fields', value: 'COLUMNS', help: '(-f) table columns not to compare' },
    { flag: 'ignore-hdus', value: 'HDUS', help: '(-u) HDU names not to compare (wildcards)' },
    { flag: 'rtol', value: 'NUMBER', help: '(-r, --relative-tolerance) relative tolerance of floating-point values (default 0)' },
    { flag: 'relative-tolerance', value: 'NUMBER', help: 'the same as --rtol' },
    { flag: 'atol', value: 'NUMBER', help: '(-a, --absolute-tolerance) absolute tolerance (default 0)' },
    { flag: 'absolute-tolerance', value: 'NUMBER', help: 'the same as --atol' },
    { flag: 'num-diffs', value: 'INTEGER', help: '(-n) most data differences reported per HDU (default 10)' },
    { flag: 'no-ignore-blanks', help: '(-b) trailing blanks in string values are significant' },
    { flag: 'no-ignore-blank-cards', help: 'blank header cards are compared too' },
    { flag: 'exact', help: 'report every difference, overriding the options above' },
    { flag: 'quiet', help: '(-q) print nothing; only the exit code' },
  ],
  /** Compare; returns 0 (identical) or 1 (different); bad usage throws UsageError (exit 2). */
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const { files, options, quiet } = diffOptionsFromArgs(args);
    const a = await io.open(files[0]);
    let report: FitsDiffReport;
    try {
      const b = await io.open(files[1]);
      try {
        report = await diffFiles(a, b, options);
      } finally {
        await b.close();
      }
    } finally {
      await a.close();
    }
    if (!quiet) io.out(formatDiffReport(report, files[0], files[1]));
    return report.identical ? 0 : 1;
  },
};
