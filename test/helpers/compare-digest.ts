/**
 * Compare a digest with a reference (DIGEST.md §6): parsed JSON values,
 * numbers by value, `mean` within 1e-9 × max(1, |min|, |max|), hashes exactly.
 * Returns the list of differences (empty when equal).
 */
type J = null | boolean | number | string | J[] | { [k: string]: J };

function num(v: J): number | null {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.bigint === 'string') return Number(v.bigint);
  return null;
}

function equal(a: J, b: J): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]!));
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && equal(a[k]!, b[k]!));
  }
  return false;
}

export function compareDigest(got: J, want: J, path = ''): string[] {
  const diffs: string[] = [];
  const walk = (g: J, w: J, p: string, parent?: { [k: string]: J }, parentGot?: { [k: string]: J }) => {
    if (p.endsWith('.mean') && parent && typeof w === 'number' && typeof g === 'number') {
      const scale = Math.max(1, Math.abs(num(parent.min ?? null) ?? 0), Math.abs(num(parent.max ?? null) ?? 0));
      if (Math.abs(g - w) > 1e-9 * scale && !(Number.isFinite(scale) === false)) diffs.push(`${p}: ${g} != ${w}`);
      void parentGot;
      return;
    }
    if (w && typeof w === 'object' && !Array.isArray(w) && !('bigint' in w)) {
      if (!g || typeof g !== 'object' || Array.isArray(g)) {
        diffs.push(`${p}: got ${JSON.stringify(g)?.slice(0, 200)}, want an object`);
        return;
      }
      for (const k of new Set([...Object.keys(w), ...Object.keys(g)])) {
        if (!(k in g)) diffs.push(`${p}.${k}: missing`);
        else if (!(k in w)) diffs.push(`${p}.${k}: unexpected ${JSON.stringify(g[k])?.slice(0, 100)}`);
        else walk(g[k]!, w[k]!, `${p}.${k}`, w, g);
      }
      return;
    }
    if (Array.isArray(w) && Array.isArray(g) && w.length === g.length && w.some((x) => x && typeof x === 'object')) {
      w.forEach((x, i) => walk(g[i]!, x, `${p}[${i}]`));
      return;
    }
    if (!equal(g, w)) diffs.push(`${p}: got ${JSON.stringify(g)?.slice(0, 300)}, want ${JSON.stringify(w)?.slice(0, 300)}`);
  };
  walk(got, want, path);
  return diffs;
}
