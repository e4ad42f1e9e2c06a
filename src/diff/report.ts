/** The text report of a comparison, with the findings and layout of astropy's fitsdiff. */
import type { ImageDataDiff, RawDataDiff } from './data-diff.js';
import type { FitsDiffReport, HduDiff } from './fits-diff.js';
import type { HeaderDiff } from './header-diff.js';
import type { TableDataDiff } from './table-diff.js';
import { formatValue } from './values.js';

const pct = (r: number) => `${(r * 100).toFixed(2)}%`;
const fmtNum = (x: number) => (Number.isInteger(x) ? x.toFixed(1) : String(x));

function headerLines(h: HeaderDiff, ind: string): string[] {
  const l: string[] = [];
  if (h.cardCount) l.push(`${ind}Headers have different number of cards:`, `${ind} a: ${h.cardCount[0]}`, `${ind} b: ${h.cardCount[1]}`);
  if (h.extraKeywords) {
    for (const k of h.extraKeywords[0]) l.push(`${ind}Extra keyword ${`'${k.keyword}'`.padEnd(8)} in a: ${formatValue(k.value)}`);
    for (const k of h.extraKeywords[1]) l.push(`${ind}Extra keyword ${`'${k.keyword}'`.padEnd(8)} in b: ${formatValue(k.value)}`);
  }
  for (const d of h.duplicates) l.push(`${ind}Inconsistent duplicates of keyword ${`'${d.keyword}'`.padEnd(8)}:`, `${ind} Occurs ${d.a} time(s) in a, ${d.b} times in (b)`);
  const keys = [...new Set([...h.values, ...h.comments].map((d) => d.keyword))].sort();
  for (const k of keys) {
    for (const [attr, list] of [['values', h.values], ['comments', h.comments]] as const) {
      for (const d of list.filter((x) => x.keyword === k)) {
        l.push(`${ind}Keyword ${k.padEnd(8)}${d.occurrence > 1 ? `[${d.occurrence}]` : ''} has different ${attr}:`, `${ind}   a> ${formatValue(d.a)}`, `${ind}   b> ${formatValue(d.b)}`);
      }
    }
  }
  return l;
}

function imageLines(d: ImageDataDiff, numDiffs: number, ind: string): string[] {
  if (d.dimensions) {
    const dims = (s: number[]) => [...s].reverse().join(' x ');
    return [`${ind}Data dimensions differ:`, `${ind} a: ${dims(d.dimensions[0])}`, `${ind} b: ${dims(d.dimensions[1])}`, `${ind}No further data comparison performed.`];
  }
  const l: string[] = [];
  for (const p of d.pixels) l.push(`${ind}Data differs at [${p.index.join(', ')}]:`, `${ind}   a> ${formatValue(p.a)}`, `${ind}   b> ${formatValue(p.b)}`);
  if (numDiffs >= 0 && d.total > numDiffs) l.push(`${ind}...`);
  l.push(`${ind}${d.total} different pixels found (${pct(d.ratio)} different).`);
  return l;
}

function rawLines(d: RawDataDiff, numDiffs: number, ind: string): string[] {
  if (d.dimensions) return [`${ind}Data sizes differ:`, `${ind} a: ${d.dimensions[0]} bytes`, `${ind} b: ${d.dimensions[1]} bytes`, `${ind}No further data comparison performed.`];
  const l: string[] = [];
  for (const p of d.bytes) l.push(`${ind}Data differs at byte ${p.offset}:`, `${ind}   a> ${p.a}`, `${ind}   b> ${p.b}`);
  if (numDiffs >= 0 && d.total > numDiffs) l.push(`${ind}...`);
  l.push(`${ind}${d.total} different bytes found (${pct(d.ratio)} different).`);
  return l;
}

function tableLines(d: TableDataDiff, numDiffs: number, ind: string): string[] {
  const l: string[] = [];
  if (d.columnCount) l.push(`${ind}Tables have different number of columns:`, `${ind} a: ${d.columnCount[0]}`, `${ind} b: ${d.columnCount[1]}`);
  if (d.extraColumns) {
    for (const c of d.extraColumns[0]) l.push(`${ind}Extra column ${c.name} of format ${c.format} in a`);
    for (const c of d.extraColumns[1]) l.push(`${ind}Extra column ${c.name} of format ${c.format} in b`);
  }
  for (const c of d.columnAttributes) l.push(`${ind}Column ${c.column} has different ${c.attribute}:`, `${ind}   a> ${formatValue(c.a)}`, `${ind}   b> ${formatValue(c.b)}`);
  if (d.rows) {
    l.push(`${ind}Table rows differ:`, `${ind} a: ${d.rows[0]}`, `${ind} b: ${d.rows[1]}`, `${ind}No further data comparison performed.`);
    return l;
  }
  if (!d.values.length) return l;
  for (const v of d.values) l.push(`${ind}Column ${v.column} data differs in row ${v.row}:`, `${ind}   a> ${formatValue(v.a)}`, `${ind}   b> ${formatValue(v.b)}`);
  if (numDiffs >= 0 && numDiffs < d.total) l.push(`${ind}...${d.total - numDiffs} additional difference(s) found.`, `${ind}...`);
  l.push(`${ind}${d.total} different table data element(s) found (${pct(d.ratio)} different).`);
  return l;
}

function hduLines(d: HduDiff, numDiffs: number): string[] {
  const ind = '   ';
  const l: string[] = [''];
  l.push(d.index === 0 ? 'Primary HDU:' : d.name ? `Extension HDU ${d.index} (${d.name}, ${d.version}):` : `Extension HDU ${d.index}:`);
  l.push('');
  if (d.extensionTypes) l.push(`${ind}Extension types differ:`, `${ind} a: ${d.extensionTypes[0]}`, `${ind} b: ${d.extensionTypes[1]}`);
  if (d.names) l.push(`${ind}Extension names differ:`, `${ind} a: ${d.names[0]}`, `${ind} b: ${d.names[1]}`);
  if (d.versions) l.push(`${ind}Extension versions differ:`, `${ind} a: ${d.versions[0]}`, `${ind} b: ${d.versions[1]}`);
  if (d.levels) l.push(`${ind}Extension levels differ:`, `${ind} a: ${d.levels[0]}`, `${ind} b: ${d.levels[1]}`);
  if (!d.header.identical) l.push(`${ind}Headers contain differences:`, ...headerLines(d.header, ind + '  '));
  if (d.data && !d.data.identical) {
    l.push(`${ind}Data contains differences:`);
    const ind2 = ind + '  ';
    if (d.data.kind === 'image') l.push(...imageLines(d.data, numDiffs, ind2));
    else if (d.data.kind === 'table') l.push(...tableLines(d.data, numDiffs, ind2));
    else l.push(...rawLines(d.data, numDiffs, ind2));
  }
  return l;
}

/** The report as text: the preamble fitsdiff prints, then each differing HDU. */
export function formatDiffReport(r: FitsDiffReport, nameA: string, nameB: string, version = 'fitsflow'): string {
  const o = r.options;
  const l: string[] = ['', ` fitsdiff: ${version}`, ` a: ${nameA}`, ` b: ${nameB}`];
  if (o.ignoreHdus.length) l.push(' HDU(s) not to be compared:', `  ${[...o.ignoreHdus].sort().join(' ')}`);
  if (o.ignoreKeywords.length) l.push(' Keyword(s) not to be compared:', `  ${[...o.ignoreKeywords].sort().join(' ')}`);
  if (o.ignoreComments.length) l.push(' Keyword(s) whose comments are not to be compared:', `  ${[...o.ignoreComments].sort().join(' ')}`);
  if (o.ignoreFields.length) l.push(' Table column(s) not to be compared:', `  ${[...o.ignoreFields].sort().join(' ')}`);
  l.push(` Maximum number of different data values to be reported: ${o.numDiffs}`);
  l.push(` Relative tolerance: ${fmtNum(o.rtol)}, Absolute tolerance: ${fmtNum(o.atol)}`);
  if (r.hduCount) {
    l.push('', 'Files contain different numbers of HDUs:', ` a: ${r.hduCount[0]}`, ` b: ${r.hduCount[1]}`);
    if (!r.hdus.length) {
      l.push('No differences found between common HDUs.');
      return l.join('\n');
    }
  } else if (!r.hdus.length) {
    l.push('', 'No differences found.');
    return l.join('\n');
  }
  for (const d of r.hdus) l.push(...hduLines(d, o.numDiffs));
  return l.join('\n');
}
