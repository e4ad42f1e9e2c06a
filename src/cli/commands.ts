/**
 * The CLI commands. Thin: each parses its flags, calls the library, prints.
 */
import { FitsError } from '../errors.js';
import type { FitsFile } from '../fits-file.js';
import type { Hdu } from '../hdu/hdu.js';
import { digestFile } from '../digest/digest.js';
import { UsageError, type ParsedArgs } from './args.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  open(path: string): Promise<FitsFile>;
}

function one(args: ParsedArgs, what = 'FILE'): string {
  if (args.positionals.length !== 1) throw new UsageError(`expected one ${what}`);
  return args.positionals[0]!;
}

async function pickHdu(file: FitsFile, spec: string | true | undefined): Promise<Hdu> {
  if (spec === undefined) return file.hdu(0);
  if (spec === true) throw new UsageError('--hdu needs a value');
  if (/^\d+$/.test(spec)) return file.hdu(Number(spec));
  const [name, ver] = spec.split(',');
  return file.hdu(name!, ver !== undefined ? Number(ver) : undefined);
}

function formatOf(hdu: Hdu): string {
  if (hdu.kind === 'image' || hdu.kind === 'compressed-image') return hdu.dtype ?? '';
  if (hdu.kind === 'bintable' || hdu.kind === 'table') {
    const n = hdu.header.getInt('TFIELDS', 0);
    const f: string[] = [];
    for (let i = 1; i <= Math.min(n, 12); i++) f.push(String(hdu.header.get(`TFORM${i}`) ?? '?').trim());
    return `[${f.join(', ')}${n > 12 ? ', …' : ''}]`;
  }
  return '';
}

function dimsOf(hdu: Hdu): string {
  if (hdu.kind === 'bintable' || hdu.kind === 'table') return `${hdu.layout.naxes[1] ?? 0}R x ${hdu.header.getInt('TFIELDS', 0)}C`;
  if (hdu.kind === 'random-groups') return `${hdu.layout.gcount} groups x ${hdu.layout.naxes.slice(1).join('x')}, ${hdu.layout.pcount} params`;
  const s = hdu.shape;
  return s ? `(${[...s].reverse().join(', ')})` : '()';
}

/** `fitsflow info FILE`: one line per HDU, like astropy's fitsinfo. */
export async function infoCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const path = one(args);
  const file = await io.open(path);
  try {
    io.out(`Filename: ${path}`);
    io.out(`${'No.'.padEnd(4)}${'Name'.padEnd(12)}${'Ver'.padEnd(5)}${'Type'.padEnd(18)}${'Cards'.padEnd(7)}${'Dimensions'.padEnd(22)}Format`);
    for await (const hdu of file) {
      const name = hdu.name ?? (hdu.index === 0 ? 'PRIMARY' : '');
      io.out(
        `${String(hdu.index).padEnd(4)}${name.padEnd(12)}${String(hdu.version ?? 1).padEnd(5)}${hdu.kind.padEnd(18)}${String(hdu.header.physicalCount).padEnd(7)}${dimsOf(hdu).padEnd(22)}${formatOf(hdu)}`,
      );
    }
    for (const w of file.warnings) io.err(`warning: ${w.message}${w.hdu !== undefined ? ` (HDU ${w.hdu})` : ''}`);
  } finally {
    await file.close();
  }
  return 0;
}

/** `fitsflow header FILE [--hdu N|NAME[,VER]]`: the header cards as stored. */
export async function headerCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const file = await io.open(one(args));
  try {
    const hdu = await pickHdu(file, args.flags.get('hdu'));
    const bytes = await file.source.read(hdu.headerOffset, hdu.dataOffset - hdu.headerOffset);
    const lines: string[] = [];
    for (let i = 0; i + 80 <= bytes.length; i += 80) {
      const card = String.fromCharCode(...bytes.subarray(i, i + 80));
      lines.push(card.trimEnd());
      if (/^END( |$)/.test(card)) break;
    }
    io.out(lines.join('\n'));
  } finally {
    await file.close();
  }
  return 0;
}

/** `fitsflow digest FILE [--hdu N] [--cpu|--gpu]`: the DIGEST.md JSON. */
export async function digestCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const file = await io.open(one(args));
  try {
    const h = args.flags.get('hdu');
    if (h === true || (h !== undefined && !/^\d+$/.test(h))) throw new UsageError('--hdu takes an HDU index');
    const gpu = args.flags.has('gpu');
    if (gpu && args.flags.has('cpu')) throw new UsageError('--cpu and --gpu exclude each other');
    const readOptions = gpu ? { gpu: true as const } : { gpu: false as const };
    const doc = await digestFile(file, { hdu: h === undefined ? undefined : Number(h), readOptions });
    io.out(JSON.stringify(doc, null, 1));
    // What the digest ignores (bytes after the last HDU, missing padding, …) goes to stderr.
    for (const w of file.warnings) io.err(`warning: ${w.message}${w.hdu !== undefined ? ` (HDU ${w.hdu})` : ''}`);
  } finally {
    await file.close();
  }
  return 0;
}

/** `fitsflow verify FILE`: structure, header warnings and checksums. Exit 1 when anything is wrong. */
export async function verifyCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const file = await io.open(one(args));
  let bad = 0;
  try {
    for await (const hdu of file) {
      const r = await hdu.verifyChecksum();
      const parts = [`HDU ${hdu.index} (${hdu.kind}${hdu.name ? ` ${hdu.name}` : ''})`, `DATASUM ${r.datasum}`, `CHECKSUM ${r.checksum}`];
      if (r.datasum === 'bad' || r.checksum === 'bad') bad++;
      io.out(parts.join(': ').replace(/: DATASUM/, ': DATASUM').replace(': CHECKSUM', ', CHECKSUM'));
    }
    for (const w of file.warnings) io.out(`warning: ${w.message}${w.hdu !== undefined ? ` (HDU ${w.hdu})` : ''}`);
  } finally {
    await file.close();
  }
  if (bad) {
    io.err(`${bad} HDU(s) failed checksum verification`);
    return 1;
  }
  io.out('OK');
  return 0;
}

export const COMMANDS: Record<string, { run: (a: ParsedArgs, io: CliIo) => Promise<number>; valued: string[]; usage: string }> = {
  info: { run: infoCommand, valued: [], usage: 'info FILE' },
  header: { run: headerCommand, valued: ['hdu'], usage: 'header FILE [--hdu N|NAME[,VER]]' },
  digest: { run: digestCommand, valued: ['hdu'], usage: 'digest FILE [--hdu N] [--cpu|--gpu]' },
  verify: { run: verifyCommand, valued: [], usage: 'verify FILE' },
};

export { FitsError };
