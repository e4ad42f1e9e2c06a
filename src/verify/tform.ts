/** TFORMn values of binary and ASCII tables, parsed for the structural checks. */

/** A binary-table column format. */
export interface BinaryForm {
  repeat: number;
  /** Type code: L X B I J K A E D C M, or P/Q for variable-length arrays. */
  code: string;
  /** For P/Q: the element type and the declared maximum length (if given). */
  varCode?: string;
  maxLength?: number;
  /** Bytes one row of this column takes. */
  width: number;
}

const BYTES: Record<string, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16 };

/** Parse a binary TFORM; null when invalid. */
export function parseBinaryForm(tform: string): BinaryForm | null {
  const m = /^(\d*)([LXBIJKAEDCMPQ])(.*)$/.exec(tform.trim());
  if (!m) return null;
  const repeat = m[1] === '' ? 1 : Number(m[1]);
  const code = m[2]!;
  const rest = m[3]!;
  if (code === 'P' || code === 'Q') {
    const v = /^([LXBIJKAEDCM])(?:\((\d+)\))?$/.exec(rest);
    if (!v || repeat > 1) return null;
    const f: BinaryForm = { repeat, code, varCode: v[1]!, width: repeat * (code === 'P' ? 8 : 16) };
    if (v[2] !== undefined) f.maxLength = Number(v[2]);
    return f;
  }
  // Only 'A' allows a trailing qualifier (rAw, the substring convention).
  if (rest !== '' && !(code === 'A' && /^\d*$/.test(rest))) return null;
  const width = code === 'X' ? Math.ceil(repeat / 8) : repeat * BYTES[code]!;
  return { repeat, code, width };
}

/** An ASCII-table column format: Aw, Iw, Fw.d, Ew.d, Dw.d. */
export interface AsciiForm {
  code: string;
  width: number;
}

export function parseAsciiForm(tform: string): AsciiForm | null {
  const m = /^([AI])(\d+)$|^([FED])(\d+)\.(\d+)$/.exec(tform.trim());
  if (!m) return null;
  const code = m[1] ?? m[3]!;
  const width = Number(m[2] ?? m[4]);
  return width > 0 ? { code, width } : null;
}
