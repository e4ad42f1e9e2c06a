/**
 * The options of a FITS comparison, as astropy's FITSDiff / fitsdiff take them,
 * and keyword/field matching with fnmatch-style wildcards.
 */

/** Options of {@link diffFiles} (astropy's FITSDiff arguments). */
export interface DiffOptions {
  /** HDU names (EXTNAME; PRIMARY for the primary) not to compare; wildcards allowed. */
  ignoreHdus?: readonly string[];
  /** Keywords not to compare; wildcards allowed; "*" ignores every keyword difference. */
  ignoreKeywords?: readonly string[];
  /** Keywords whose comments are not compared; wildcards allowed; "*" for all. */
  ignoreComments?: readonly string[];
  /** Table columns not to compare (case-insensitive); "*" for all. */
  ignoreFields?: readonly string[];
  /** Most data differences reported per HDU (default 10; negative: all). */
  numDiffs?: number;
  /** Relative tolerance for floating-point values: |a − b| > atol + rtol·|b| differs (default 0). */
  rtol?: number;
  /** Absolute tolerance (default 0). */
  atol?: number;
  /** Ignore trailing blanks in string values (default true). */
  ignoreBlanks?: boolean;
  /** Ignore entirely blank header cards (default true). */
  ignoreBlankCards?: boolean;
}

/** Options with every default filled in (names upper-cased, as astropy does). */
export interface ResolvedDiffOptions {
  ignoreHdus: string[];
  ignoreKeywords: string[];
  ignoreComments: string[];
  ignoreFields: string[];
  numDiffs: number;
  rtol: number;
  atol: number;
  ignoreBlanks: boolean;
  ignoreBlankCards: boolean;
}

export function resolveDiffOptions(o: DiffOptions = {}): ResolvedDiffOptions {
  return {
    ignoreHdus: (o.ignoreHdus ?? []).map((k) => k.toUpperCase()),
    ignoreKeywords: (o.ignoreKeywords ?? []).map((k) => k.toUpperCase()),
    ignoreComments: (o.ignoreComments ?? []).map((k) => k.toUpperCase()),
    ignoreFields: (o.ignoreFields ?? []).map((k) => k.toUpperCase()),
    numDiffs: o.numDiffs ?? 10,
    rtol: o.rtol ?? 0,
    atol: o.atol ?? 0,
    ignoreBlanks: o.ignoreBlanks ?? true,
    ignoreBlankCards: o.ignoreBlankCards ?? true,
  };
}

/** fnmatch: `*`, `?` and `[...]` wildcards, matched against the whole name. */
export function wildcardMatch(name: string, pattern: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let set = pattern.slice(i + 1, end);
        if (set.startsWith('!')) set = '^' + set.slice(1);
        re += `[${set.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re + '$', 's').test(name);
}

/** True when `name` is listed in `list` (exactly, or by a wildcard pattern). */
export function matchesAny(name: string, list: readonly string[]): boolean {
  return list.some((p) => p === name || (/[*?[]/.test(p) && wildcardMatch(name, p)));
}
