/**
 * Pixel-list WCS keywords of a binary table (event lists), as wcslib's wcsbth
 * reads them for astropy's WCS(header, keysel=['pixel']): each table column
 * carrying a pixel-list keyword for the representation becomes one WCS axis,
 * in column order. TCTYPn/TCTYna, TCUNIn/TCUNna, TCRPXn/TCRPna, TCRVLn/TCRVna,
 * TCDLTn/TCDEna, TCROTn, TPCn_k/TPn_ka, TCDn_k/TCn_ka, TPVn_m/TVn_ma,
 * TPSn_m/TSn_ma, and LONPna, LATPna, RFRQna, RWAVna, EQUIna, RADEna, SPECna,
 * TWCSna/WCSNna.
 */
import type { Card, Header } from '../header/header.js';
import { emptyKeywords, WcsKeywordError, type WcsKeywords } from './keywords.js';

type Kind = 'float' | 'string';
interface PixTarget {
  field: string;
  kind: Kind;
  /** Column numbers (1-based); k = 0 when there is no second index. */
  n: number;
  k: number;
  alt: string;
  /** Counts towards the columns that form axes (wcsbth's PIXLIST keytype). */
  axis: boolean;
}

const AXIS_STEMS: Record<string, { field: string; kind: Kind }> = {
  TCTY: { field: 'ctype', kind: 'string' },
  TCTYP: { field: 'ctype', kind: 'string' },
  TCUN: { field: 'cunit', kind: 'string' },
  TCUNI: { field: 'cunit', kind: 'string' },
  TCRP: { field: 'crpix', kind: 'float' },
  TCRPX: { field: 'crpix', kind: 'float' },
  TCRV: { field: 'crval', kind: 'float' },
  TCRVL: { field: 'crval', kind: 'float' },
  TCDE: { field: 'cdelt', kind: 'float' },
  TCDLT: { field: 'cdelt', kind: 'float' },
  TCNA: { field: 'cname', kind: 'string' },
  TCNAM: { field: 'cname', kind: 'string' },
  TCROT: { field: 'crota', kind: 'float' },
};
const AUX_STEMS: Record<string, { field: string; kind: Kind }> = {
  LONP: { field: 'lonpole', kind: 'float' },
  LATP: { field: 'latpole', kind: 'float' },
  RFRQ: { field: 'restfrq', kind: 'float' },
  RWAV: { field: 'restwav', kind: 'float' },
  EQUI: { field: 'equinox', kind: 'float' },
  RADE: { field: 'radesys', kind: 'string' },
  SPEC: { field: 'specsys', kind: 'string' },
  TWCS: { field: 'wcsname', kind: 'string' },
  WCSN: { field: 'wcsname', kind: 'string' },
};

function classify(kw: string): PixTarget | null {
  if (kw.length > 8) return null;
  let m = /^(TCTYP|TCUNI|TCRPX|TCRVL|TCDLT|TCNAM|TCROT)([1-9][0-9]{0,2})([A-Z]?)$/.exec(kw) ?? /^(TCTY|TCUN|TCRP|TCRV|TCDE|TCNA)([1-9][0-9]{0,2})([A-Z]?)$/.exec(kw);
  if (m) {
    const t = AXIS_STEMS[m[1]!]!;
    return { field: t.field, kind: t.kind, n: Number(m[2]), k: 0, alt: m[3] || ' ', axis: true };
  }
  if ((m = /^(TPC|TCD)([1-9][0-9]{0,2})_([1-9][0-9]{0,2})([A-Z]?)$/.exec(kw) ?? /^(TP|TC)([1-9][0-9]{0,3})_([1-9][0-9]{0,3})([A-Z]?)$/.exec(kw))) {
    const field = m[1]!.startsWith('TP') ? 'pc' : 'cd';
    return { field, kind: 'float', n: Number(m[2]), k: Number(m[3]), alt: m[4] || ' ', axis: true };
  }
  if ((m = /^(TPV|TPS)([1-9][0-9]{0,2})_([0-9]{1,2})([A-Z]?)$/.exec(kw) ?? /^(TV|TS)([1-9][0-9]{0,2})_([0-9]{1,2})([A-Z]?)$/.exec(kw))) {
    const field = m[1]!.endsWith('V') ? 'pv' : 'ps';
    return { field, kind: field === 'pv' ? 'float' : 'string', n: Number(m[2]), k: Number(m[3]), alt: m[4] || ' ', axis: true };
  }
  if ((m = /^(LONP|LATP|RFRQ|RWAV|EQUI|RADE|SPEC|TWCS|WCSN)([1-9][0-9]{0,2})([A-Z]?)$/.exec(kw))) {
    const t = AUX_STEMS[m[1]!]!;
    return { field: t.field, kind: t.kind, n: Number(m[2]), k: 0, alt: m[3] || ' ', axis: false };
  }
  return null;
}

function cardValue(c: Card, kind: Kind): number | string | undefined {
  const v = c.value;
  if (kind === 'string') return typeof v === 'string' ? v : undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/**
 * Read the pixel-list representation `key` of a binary-table header, or null
 * when it has none. Throws {@link WcsKeywordError} for a wrong-typed keyword.
 */
export function readTableWcsKeywords(header: Header, key: string, hdu?: number): WcsKeywords | null {
  const alt = key === '' ? ' ' : key.toUpperCase();
  const found: { card: Card; t: PixTarget; v: number | string }[] = [];
  const columns = new Set<number>();
  for (const card of header.cards) {
    if (card.commentary || card.hierarch) continue;
    const t = classify(card.keyword);
    if (!t || t.alt !== alt) continue;
    const v = cardValue(card, t.kind);
    if (v === undefined) {
      if (t.axis) throw new WcsKeywordError(card.keyword, `WCS keyword ${card.keyword} must be ${t.kind === 'string' ? 'a string' : 'a number'}; fix or remove the card.`, card.index);
      continue;
    }
    found.push({ card, t, v });
    if (t.axis) {
      columns.add(t.n);
      if (t.k && (t.field === 'pc' || t.field === 'cd')) columns.add(t.k);
    }
  }
  if (columns.size === 0) return null;
  if (columns.size > 32) throw new WcsKeywordError('TCTYP', `A pixel list WCS has at most 32 axes, not ${columns.size}.`, 0);
  const colax = [...columns].sort((a, b) => a - b);
  const axisOf = new Map(colax.map((c, i) => [c, i]));
  const n = colax.length;
  const w = emptyKeywords(alt, n);
  void hdu;
  for (const { card, t, v } of found) {
    w.seen.add(card.keyword);
    const i = t.axis ? axisOf.get(t.n)! : -1;
    switch (t.field) {
      case 'ctype':
      case 'cunit':
      case 'cname':
        (w[t.field] as string[])[i] = v as string;
        break;
      case 'crpix':
      case 'crval':
      case 'cdelt':
      case 'crota':
        (w[t.field] as Float64Array)[i] = v as number;
        if (t.field === 'crota') w.altlin |= 4;
        break;
      case 'pc':
      case 'cd': {
        const j = axisOf.get(t.k)!;
        w[t.field][i * n + j] = v as number;
        w.altlin |= t.field === 'pc' ? 1 : 2;
        break;
      }
      case 'pv':
        w.pv.push({ i: i + 1, m: t.k, value: v as number });
        break;
      case 'ps':
        w.ps.push({ i: i + 1, m: t.k, value: v as string });
        break;
      default:
        (w as unknown as Record<string, unknown>)[t.field] = v;
    }
  }
  return w;
}
