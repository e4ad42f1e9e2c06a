/**
 * -TAB coordinates (WCS Paper III, wcslib tab.c and wcstab): an M-dimensional
 * coordinate array, with optional index vectors, stored in a binary table and
 * interpolated multi-linearly. `tabularRequests` lists the arrays a
 * representation needs (so an I/O layer can read them); `buildTables` turns the
 * arrays into lookup groups; `TabularGroup` converts both ways as tabx2s/tabs2x.
 */
import type { WcsKeywords } from './keywords.js';

/** Thrown for invalid tabular parameters or arrays. */
export class TabularError extends Error {}

/** One array to read (wcslib's wtbarr): the coordinate array ('c') or an index vector ('i'). */
export interface TabularArrayRequest {
  kind: 'c' | 'i';
  /** The table group and, for index vectors, its 0-based m. */
  group: number;
  m: number;
  extname: string;
  extver: number;
  extlevel: number;
  ttype: string;
}

/** An array read from the table: values in C order with their shape (slowest first). */
export interface TabularArray {
  data: ArrayLike<number>;
  shape: readonly number[];
}

interface Plan {
  requests: TabularArrayRequest[];
  /** Per group: M, axis map, CRVAL per m. */
  groups: { M: number; map: number[]; crval: number[] }[];
}

/** wcstab: which arrays the -TAB axes of a representation need. */
export function planTabular(kw: WcsKeywords): Plan | null {
  const n = kw.naxis;
  const tabax: number[] = [];
  let ntabax = 0;
  for (let i = 0; i < n; i++) tabax.push(kw.ctype[i]!.replace(/ +$/, '').slice(4) === '-TAB' ? ntabax++ : -1);
  if (ntabax === 0) return null;
  const ps0: string[] = new Array(ntabax).fill('');
  const ps1: string[] = new Array(ntabax).fill('');
  const ps2: string[] = new Array(ntabax).fill('');
  const pv1: number[] = new Array(ntabax).fill(1);
  const pv2: number[] = new Array(ntabax).fill(1);
  const pv3: number[] = new Array(ntabax).fill(1);
  for (const p of kw.ps) {
    const t = tabax[p.i - 1];
    if (t === undefined || t < 0) continue;
    const v = p.value.replace(/ +$/, '');
    if (p.m === 0) ps0[t] = v;
    else if (p.m === 1) ps1[t] = v;
    else if (p.m === 2) ps2[t] = v;
  }
  for (const p of kw.pv) {
    const t = tabax[p.i - 1];
    if (t === undefined || t < 0) continue;
    const v = Math.trunc(p.value + 0.5);
    if (p.m === 1) pv1[t] = v;
    else if (p.m === 2) pv2[t] = v;
    else if (p.m === 3) pv3[t] = v;
  }
  const tabidx: number[] = new Array(ntabax).fill(-1);
  let ntab = 0;
  for (let t = 0; t < ntabax; t++) {
    if (!ps0[t] || !ps1[t]) throw new TabularError('Invalid tabular parameters: PSi_0a and PSi_1a must be specified');
    for (let u = 0; u < t; u++) {
      if (ps0[t] === ps0[u] && ps1[t] === ps1[u] && pv1[t] === pv1[u] && pv2[t] === pv2[u]) {
        tabidx[t] = tabidx[u]!;
        break;
      }
    }
    if (tabidx[t] === -1) tabidx[t] = ntab++;
  }
  const groups = Array.from({ length: ntab }, () => ({ M: 0, map: [] as number[], crval: [] as number[] }));
  for (let t = 0; t < ntabax; t++) {
    const g = groups[tabidx[t]!]!;
    if (pv3[t]! > g.M) g.M = pv3[t]!;
  }
  for (const g of groups) {
    if (g.M < 1 || g.M > 16) throw new TabularError(`Invalid tabular parameters: M must be 1 to 16, got ${g.M}`);
    g.map = new Array(g.M).fill(-1);
    g.crval = new Array(g.M).fill(0);
  }
  for (let i = 0; i < n; i++) {
    const t = tabax[i]!;
    if (t < 0) continue;
    const g = groups[tabidx[t]!]!;
    const m = pv3[t]! - 1;
    if (m < 0) throw new TabularError('Invalid tabular parameters: PVi_3a must be positive');
    g.map[m] = i;
    g.crval[m] = kw.crval[i]!;
  }
  for (const g of groups) {
    if (g.map.some((i) => i < 0)) throw new TabularError('Invalid tabular parameters: the axis mapping is undefined');
  }
  const requests: TabularArrayRequest[] = [];
  for (let group = 0; group < ntab; group++) {
    let first = true;
    for (let t = 0; t < ntabax; t++) {
      if (tabidx[t] !== group) continue;
      if (first) {
        requests.push({ kind: 'c', group, m: pv3[t]! - 1, extname: ps0[t]!, extver: pv1[t]!, extlevel: pv2[t]!, ttype: ps1[t]! });
        first = false;
      }
      if (ps2[t]) requests.push({ kind: 'i', group, m: pv3[t]! - 1, extname: ps0[t]!, extver: pv1[t]!, extlevel: pv2[t]!, ttype: ps2[t]! });
    }
  }
  return { requests, groups };
}

/** The arrays a representation needs (empty without -TAB axes). */
export function tabularRequests(kw: WcsKeywords): TabularArrayRequest[] {
  return planTabular(kw)?.requests ?? [];
}

/** Key of a request in the map of arrays passed to {@link buildTables}. */
export function tabularKey(r: TabularArrayRequest): string {
  return `${r.kind}:${r.group}:${r.m}`;
}

/** Build the lookup groups from the arrays read (keyed by {@link tabularKey}). */
export function buildTables(kw: WcsKeywords, arrays: ReadonlyMap<string, TabularArray>): TabularGroup[] {
  const plan = planTabular(kw);
  if (!plan) return [];
  const out: TabularGroup[] = [];
  plan.groups.forEach((g, group) => {
    const creq = plan.requests.find((r) => r.kind === 'c' && r.group === group)!;
    const c = arrays.get(tabularKey(creq));
    if (!c) throw new TabularError(`The -TAB coordinate array ${creq.ttype} of extension ${creq.extname} was not read`);
    // The array is (K_M, …, K_1, M) in C order: M varies fastest (a 1-D column stands for (K, 1)).
    const shape = g.M === 1 && c.shape.length === 1 ? [c.shape[0]!, 1] : c.shape;
    if (shape.length !== g.M + 1 || shape[shape.length - 1] !== g.M) {
      throw new TabularError(`The -TAB coordinate array ${creq.ttype} must have ${g.M + 1} dimensions with M = ${g.M} first (TDIM), not [${[...shape].reverse().join(', ')}]`);
    }
    const K: number[] = [];
    for (let m = 0; m < g.M; m++) K.push(shape[g.M - 1 - m]!);
    const index: (Float64Array | null)[] = new Array(g.M).fill(null);
    for (const r of plan.requests) {
      if (r.kind !== 'i' || r.group !== group) continue;
      const a = arrays.get(tabularKey(r));
      if (!a) throw new TabularError(`The -TAB index vector ${r.ttype} was not read`);
      if (a.data.length < K[r.m]!) throw new TabularError(`The -TAB index vector ${r.ttype} has ${a.data.length} values; the coordinate array needs ${K[r.m]}`);
      index[r.m] = Float64Array.from({ length: K[r.m]! }, (_, k) => a.data[k]!);
    }
    out.push(new TabularGroup(g.M, K, g.map, g.crval, index, Float64Array.from(c.data)));
  });
  return out;
}

/** One lookup table (wcslib tabprm after tabset). */
export class TabularGroup {
  readonly nc: number;
  readonly sense: Int8Array;
  readonly extrema: Float64Array;
  private readonly p0: Int32Array;
  private readonly delta: Float64Array;

  constructor(
    readonly M: number,
    readonly K: readonly number[],
    readonly map: readonly number[],
    readonly crval: readonly number[],
    readonly index: readonly (Float64Array | null)[],
    readonly coord: Float64Array,
  ) {
    let nc = 1;
    for (const k of K) {
      if (!(k >= 1)) throw new TabularError(`Invalid tabular parameters: each K must be positive, got ${k}`);
      nc *= k;
    }
    this.nc = nc;
    if (coord.length < nc * M) throw new TabularError(`The -TAB coordinate array has ${coord.length} values; it needs ${nc * M}`);
    this.p0 = new Int32Array(M);
    this.delta = new Float64Array(M);
    this.sense = new Int8Array(M);
    for (let m = 0; m < M; m++) {
      if (K[m]! <= 1) continue;
      const psi = index[m];
      if (!psi) {
        this.sense[m] = 1;
        continue;
      }
      for (let k = 0; k < K[m]! - 1; k++) {
        const s = this.sense[m];
        if (s === 0) {
          if (psi[k]! < psi[k + 1]!) this.sense[m] = 1;
          else if (psi[k]! > psi[k + 1]!) this.sense[m] = -1;
        } else if (s === 1 && psi[k]! > psi[k + 1]!) {
          throw new TabularError('Invalid tabular parameters: Index vectors are not monotonically increasing');
        } else if (s === -1 && psi[k]! < psi[k + 1]!) {
          throw new TabularError('Invalid tabular parameters: Index vectors are not monotonically decreasing');
        }
      }
      if (this.sense[m] === 0) throw new TabularError('Invalid tabular parameters: Index vectors are not monotonic');
    }
    // Extrema of each row (along axis 1), extended half a cell, as tabset does.
    const K0 = K[0]!;
    this.extrema = new Float64Array((nc / K0) * 2 * M);
    let e = 0;
    for (let ic = 0; ic < nc; ic += K0) {
      const dmin = e;
      const dmax = e + M;
      for (let m = 0; m < M; m++) {
        const base = ic * M + m;
        let v = coord[base]!;
        if (K0 > 1) {
          const psi0 = index[0];
          const dPsi = psi0 ? psi0[1]! - psi0[0]! : 1.0;
          if (dPsi !== 0.0) v -= (0.5 * (coord[base + M]! - coord[base]!)) / dPsi;
        }
        this.extrema[dmin + m] = v;
        this.extrema[dmax + m] = v;
      }
      for (let i = 0; i < K0; i++) {
        for (let m = 0; m < M; m++) {
          const base = (ic + i) * M + m;
          const v = coord[base]!;
          if (this.extrema[dmax + m]! < v) this.extrema[dmax + m] = v;
          if (this.extrema[dmin + m]! > v) this.extrema[dmin + m] = v;
          if (K0 > 1 && i === K0 - 1) {
            const psi0 = index[0];
            const dPsi = psi0 ? psi0[i]! - psi0[i - 1]! : 1.0;
            let dval = v;
            if (dPsi !== 0.0) dval += (0.5 * (v - coord[base - M]!)) / dPsi;
            if (this.extrema[dmax + m]! < dval) this.extrema[dmax + m] = dval;
            if (this.extrema[dmin + m]! > dval) this.extrema[dmin + m] = dval;
          }
        }
      }
      e += 2 * M;
    }
  }

  /** tabx2s: intermediate coordinates → world, for the mapped axes; stat[k] = 1 where undefined. */
  x2s(count: number, img: readonly Float64Array[], world: Float64Array[], stat: Uint8Array): void {
    const { M, K, map, crval, index, coord, p0, delta } = this;
    for (let n = 0; n < count; n++) {
      let ok = true;
      for (let m = 0; m < M && ok; m++) {
        const psiM = img[map[m]!]![n]! + crval[m]!;
        const Psi = index[m];
        const Km = K[m]!;
        let upsilon: number;
        if (!Psi) {
          upsilon = psiM;
        } else if (Km === 1) {
          if (Psi[0]! - 0.5 <= psiM && psiM <= Psi[0]! + 0.5) upsilon = psiM;
          else {
            ok = false;
            break;
          }
        } else {
          // 1-based Psi[k] is Psi[k-1] here.
          const P = (k: number): number => Psi[k - 1]!;
          let k = 1;
          if (this.sense[m] === 1) {
            if (psiM < P(1)) {
              if (P(1) - 0.5 * (P(2) - P(1)) <= psiM) k = 1;
              else {
                ok = false;
                break;
              }
            } else if (P(Km) < psiM) {
              if (psiM <= P(Km) + 0.5 * (P(Km) - P(Km - 1))) k = Km - 1;
              else {
                ok = false;
                break;
              }
            } else {
              for (k = 1; k < Km; k++) {
                if (psiM < P(k)) continue;
                if (P(k) === psiM && psiM < P(k + 1)) break;
                if (P(k) < psiM && psiM <= P(k + 1)) break;
              }
            }
          } else {
            if (psiM > P(1)) {
              if (P(1) + 0.5 * (P(1) - P(2)) >= psiM) k = 1;
              else {
                ok = false;
                break;
              }
            } else if (psiM < P(Km)) {
              if (P(Km) - 0.5 * (P(Km - 1) - P(Km)) <= psiM) k = Km - 1;
              else {
                ok = false;
                break;
              }
            } else {
              for (k = 1; k < Km; k++) {
                if (psiM > P(k)) continue;
                if (P(k) === psiM && psiM > P(k + 1)) break;
                if (P(k) > psiM && psiM >= P(k + 1)) break;
              }
            }
          }
          upsilon = k + (psiM - P(k)) / (P(k + 1) - P(k));
        }
        if (!(upsilon >= 0.5 && upsilon <= Km + 0.5)) {
          ok = false;
          break;
        }
        const p1 = Math.floor(upsilon);
        p0[m] = p1 - 1;
        delta[m] = upsilon - p1;
        if (p1 === 0) {
          p0[m] = p0[m]! + 1;
          delta[m] = delta[m]! - 1.0;
        } else if (p1 === Km && Km > 1) {
          p0[m] = p0[m]! - 1;
          delta[m] = delta[m]! + 1.0;
        }
      }
      if (!ok) {
        stat[n] = 1;
        continue;
      }
      for (let m = 0; m < M; m++) world[map[m]!]![n] = 0.0;
      const nv = 1 << M;
      for (let iv = 0; iv < nv; iv++) {
        let offset = 0;
        let wgt = 1.0;
        for (let m = M - 1; m >= 0; m--) {
          offset *= K[m]!;
          offset += p0[m]!;
          if (iv & (1 << m)) {
            if (K[m]! > 1) offset++;
            wgt *= delta[m]!;
          } else {
            wgt *= 1.0 - delta[m]!;
          }
        }
        if (wgt === 0.0) continue;
        for (let m = 0; m < M; m++) {
          const w = world[map[m]!]!;
          w[n] = w[n]! + coord[offset * M + m]! * wgt;
        }
        if (wgt === 1.0) break;
      }
      stat[n] = 0;
    }
  }

  /** tabs2x: world → intermediate coordinates, for the mapped axes. */
  s2x(count: number, world: readonly ArrayLike<number>[], img: Float64Array[], stat: Uint8Array): void {
    const { M, K, map, crval, index, coord, nc, p0, delta } = this;
    const nv = 1 << M;
    const tabcoord: number[] = new Array(nv).fill(0);
    const wp = new Float64Array(M);
    for (let n = 0; n < count; n++) {
      for (let m = 0; m < M; m++) wp[m] = world[map[m]!]![n]!;
      let edge = false;
      p0.fill(0);
      let ic: number;
      for (ic = 0; ic < nc; ic++) {
        if (p0[0] === 0) {
          if (edge || this.row(wp)) {
            ic += K[0]!;
            if (1 < M) {
              p0[1] = p0[1]! + 1;
              edge = this.edge();
            }
            ic--;
            continue;
          }
        }
        if (M === 1) {
          const w = wp[0]!;
          if (w === coord[0]) {
            p0[0] = 0;
            delta[0] = 0.0;
            break;
          } else if (ic < nc - 1) {
            if (((coord[ic]! <= w && w <= coord[ic + 1]!) || (coord[ic]! >= w && w >= coord[ic + 1]!)) && (!index[0] || index[0][ic] !== index[0][ic + 1])) {
              p0[0] = ic;
              delta[0] = (w - coord[ic]!) / (coord[ic + 1]! - coord[ic]!);
              break;
            }
          }
        } else {
          if (!edge) {
            for (let iv = 0; iv < nv; iv++) {
              let offset = 0;
              for (let m = M - 1; m >= 0; m--) {
                offset *= K[m]!;
                offset += p0[m]!;
                if (iv & (1 << m) && K[m]! > 1) offset++;
              }
              tabcoord[iv] = offset * M;
            }
            if (this.vox(wp, 0, tabcoord, null)) break;
          }
          p0[0] = p0[0]! + 1;
          edge = this.edge();
        }
      }
      if (ic === nc && M === 1) {
        const w = wp[0]!;
        if (this.extrema[0]! <= w && w <= this.extrema[1]!) {
          for (let i = 0; i < 2; i++) {
            const at = i ? K[0]! - 2 : 0;
            const d = (w - coord[at]!) / (coord[at + 1]! - coord[at]!);
            if (i === 0) {
              if (-0.5 <= d && d <= 0.0) {
                p0[0] = 0;
                delta[0] = d;
                ic = 0;
                break;
              }
            } else if (1.0 <= d && d <= 1.5) {
              p0[0] = K[0]! - 1;
              delta[0] = d - 1.0;
              ic = 0;
            }
          }
        }
      }
      if (ic === nc) {
        stat[n] = 1;
        continue;
      }
      let bad = false;
      for (let m = 0; m < M; m++) {
        const Km = K[m]!;
        const upsilon = p0[m]! + 1 + delta[m]!;
        if (upsilon < 0.5 || upsilon > Km + 0.5) {
          bad = true;
          continue;
        }
        const Psi = index[m];
        let psiM: number;
        if (!Psi) {
          psiM = upsilon;
        } else if (Km === 1) {
          psiM = Psi[0]!;
        } else {
          const k = Math.trunc(upsilon);
          psiM = Psi[k - 1]!;
          if (k < Km) psiM += (upsilon - k) * (Psi[k]! - Psi[k - 1]!);
        }
        img[map[m]!]![n] = psiM - crval[m]!;
      }
      // As wcslib: an out-of-range upsilon is flagged, then the status is reset to 0.
      void bad;
      stat[n] = 0;
    }
  }

  /** tabedge. */
  private edge(): boolean {
    const { M, K, p0 } = this;
    let edge = false;
    for (let m = 0; m < M; m++) {
      if (p0[m] === K[m]) {
        p0[m] = 0;
        if (m < M - 1) p0[m + 1] = p0[m + 1]! + 1;
      } else if (p0[m] === K[m]! - 1 && K[m]! > 1) {
        edge = true;
      }
    }
    return edge;
  }

  /** tabrow: true when the world point cannot be in the current row. */
  private row(wp: Float64Array): boolean {
    const tol = 1e-10;
    const { M, K, p0 } = this;
    const nv = 1 << M;
    let eq = 0;
    let lt = 0;
    let gt = 0;
    for (let iv = 0; iv < nv; iv++) {
      let offset = 0;
      for (let m = M - 1; m > 0; m--) {
        offset *= K[m]!;
        offset += p0[m]!;
        if (iv & (1 << m) && K[m]! > 1) offset++;
      }
      offset *= 2;
      if (iv & 1) offset++;
      offset *= M;
      for (let m = 0; m < M; m++) {
        const c = this.extrema[offset + m]!;
        const w = wp[m]!;
        if (Math.abs(c - w) < tol) eq |= 1 << m;
        else if (c < w) lt |= 1 << m;
        else if (c > w) gt |= 1 << m;
      }
      if ((lt | eq) === nv - 1 && (gt | eq) === nv - 1) return false;
    }
    return true;
  }

  /** tabvox: true when the world point lies in the voxel (delta set), searching by bisection. */
  private vox(wp: Float64Array, level: number, tabcoord: number[], vox: number[] | null): boolean {
    const tol = 1e-10;
    const { M, coord, delta } = this;
    const nv = 1 << M;
    let dv = 1.0;
    for (let i = 0; i < level; i++) dv /= 2.0;
    let lt = 0;
    let gt = 0;
    let eq = 0;
    const c = new Float64Array(M);
    for (let iv = 0; iv < nv; iv++) {
      c.fill(0);
      for (let m = 0; m < M; m++) {
        delta[m] = level ? dv * vox![m]! : 0.0;
        if (iv & (1 << m)) delta[m] = delta[m]! + dv;
      }
      for (let jv = 0; jv < nv; jv++) {
        let wgt = 1.0;
        for (let m = 0; m < M; m++) wgt *= jv & (1 << m) ? delta[m]! : 1.0 - delta[m]!;
        if (wgt === 0.0) continue;
        for (let m = 0; m < M; m++) c[m] = c[m]! + coord[tabcoord[jv]! + m]! * wgt;
        if (wgt === 1.0) break;
      }
      let et = 0;
      for (let m = 0; m < M; m++) {
        const w = wp[m]!;
        if (Math.abs(c[m]! - w) < tol) et |= 1 << m;
        else if (c[m]! < w) lt |= 1 << m;
        else if (c[m]! > w) gt |= 1 << m;
      }
      if (et === nv - 1) return true;
      eq |= et;
    }
    if ((lt | eq) === nv - 1 && (gt | eq) === nv - 1) {
      if (level === 31) {
        dv /= 2.0;
        for (let m = 0; m < M; m++) delta[m] = dv * (2.0 * vox![m]! + 1.0);
        return true;
      }
      for (let iv = 0; iv < nv; iv++) {
        const vox2: number[] = [];
        for (let m = 0; m < M; m++) vox2.push((level ? 2 * vox![m]! : 0) + (iv & (1 << m) ? 1 : 0));
        if (this.vox(wp, level + 1, tabcoord, vox2)) return true;
      }
    }
    return false;
  }
}
