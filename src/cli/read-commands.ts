/**
 * Commands that read: info (like astropy's fitsinfo), digest (the reference
 * digest, DIGEST.md), verify (checksums and structure).
 */
import { digestFile } from '../digest/digest.js';
import type { Hdu } from '../file/hdu.js';
import { onePositional, UsageError, type Command } from './command.js';
import { printWarnings } from './shared.js';

function formatOf(hdu: Hdu): string {
  if (hdu.kind === 'image' || hdu.kind === 'compressed-image') return hdu.dtype ?? '';
  if (hdu.kind === 'bintable' || hdu.kind === 'table' || hdu.kind === 'compressed-table') {
    const h = hdu.tableHeader;
    const n = h.getInt('TFIELDS', 0);
    const f: string[] = [];
    for (let i = 1; i <= Math.min(n, 12); i++) f.push(String(h.get(`TFORM${i}`) ?? '?').trim());
    return `[${f.join(', ')}${n > 12 ? ', …' : ''}]`;
  }
  return '';
}

function dimsOf(hdu: Hdu): string {
  if (hdu.kind === 'bintable' || hdu.kind === 'table') return `${hdu.layout.naxes[1] ?? 0}R x ${hdu.header.getInt('TFIELDS', 0)}C`;
  if (hdu.kind === 'compressed-table') return `${hdu.tableHeader.getInt('NAXIS2', 0)}R x ${hdu.tableHeader.getInt('TFIELDS', 0)}C`;
  if (hdu.kind === 'random-groups') return `${hdu.layout.gcount} groups x ${hdu.layout.naxes.slice(1).join('x')}, ${hdu.layout.pcount} params`;
  const s = hdu.shape;
  return s ? `(${[...s].reverse().join(', ')})` : '()';
}

/** A column of info's table: padded to `width`, and a longer value still followed by a space (never run into the next). */
function cell(value: string, width: number): string {
  return value.length < width ? value.padEnd(width) : `${value} `;
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'One line per HDU: index, name, version, kind, cards, dimensions (FITS axis order) and format, like astropy\'s fitsinfo; below it, indented, its WCS in one line.',
  usage: 'FILE',
  options: [],
  async run(args, io) {
    const path = onePositional(args);
    const file = await io.open(path);
    try {
      io.out(`Filename: ${path}`);
      io.out(`${'No.'.padEnd(4)}${'Name'.padEnd(12)}${'Ver'.padEnd(5)}${'Type'.padEnd(18)}${'Cards'.padEnd(7)}${'Dimensions'.padEnd(22)}Format`);
      // The WCS code is loaded here, not by the commands that do not print WCS.
      const { wcsSummary } = await import('../file/hdu-wcs.js');
      for await (const hdu of file) {
        const name = hdu.name ?? (hdu.index === 0 ? 'PRIMARY' : '');
        io.out(
          `${cell(String(hdu.index), 4)}${cell(name, 12)}${cell(String(hdu.version ?? 1), 5)}${cell(hdu.kind, 18)}${cell(String(hdu.header.physicalCount), 7)}${cell(dimsOf(hdu), 22)}${formatOf(hdu)}`,
        );
        const wcs = wcsSummary(hdu);
        if (wcs) io.out(`    ${wcs}`);
      }
      printWarnings(io, file);
    } finally {
      await file.close();
    }
    return 0;
  },
};

export const digestCommand: Command = {
  name: 'digest',
  summary: 'The reference digest of every HDU (cards, shape, dtype, SHA-256 of the values, statistics) as JSON, as test/corpus/DIGEST.md specifies.',
  usage: 'FILE [--hdu N] [--cpu|--gpu]',
  options: [
    { flag: 'hdu', value: 'N', help: 'digest only HDU N (0-based)' },
    { flag: 'cpu', help: 'decode tile-compressed images on the CPU (the default)' },
    { flag: 'gpu', help: 'decode tile-compressed images on the GPU (WebGPU; exit 3 without an adapter)' },
  ],
  async run(args, io) {
    const path = onePositional(args);
    const h = args.flags.get('hdu');
    if (h !== undefined && (h === true || !/^\d+$/.test(h))) throw new UsageError('--hdu takes an HDU index');
    const gpu = args.flags.has('gpu');
    if (gpu && args.flags.has('cpu')) throw new UsageError('--cpu and --gpu exclude each other');
    const file = await io.open(path);
    try {
      const doc = await digestFile(file, { hdu: h === undefined ? undefined : Number(h), readOptions: { gpu } });
      io.out(JSON.stringify(doc, null, 1));
      printWarnings(io, file);
    } finally {
      await file.close();
    }
    return 0;
  },
};
