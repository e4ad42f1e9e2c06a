/**
 * Binary-table TFORMn parsing: `rTa` with repeat r, type T, and for P/Q
 * descriptors the element type (`1PE(100)`). Pure.
 */
import { FitsError } from '../../core/errors.js';

export type TformCode = 'L' | 'X' | 'B' | 'I' | 'J' | 'K' | 'A' | 'E' | 'D' | 'C' | 'M' | 'P' | 'Q';

export interface BinaryTform {
  /** The TFORM text, trimmed. */
  text: string;
  repeat: number;
  code: TformCode;
  /** For P/Q: the element type letter. */
  elementCode?: Exclude<TformCode, 'P' | 'Q'>;
  /** For P/Q: the declared maximum length, if given. */
  maxLength?: number;
  /** Bytes this field takes in each row. */
  width: number;
}

const ELEMENT_BYTES: Record<Exclude<TformCode, 'P' | 'Q' | 'X'>, number> = {
  L: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16,
};

/** Bytes of one element of a (non-descriptor) type; X counts bits. */
export function elementBytes(code: Exclude<TformCode, 'P' | 'Q'>): number {
  return code === 'X' ? 1 : ELEMENT_BYTES[code];
}

const TFORM_RE = /^\s*(\d*)([LXBIJKAEDCMPQ])([LXBIJKAEDCM]?)(?:\((\d+)\))?/i;

export function parseBinaryTform(text: string, hdu?: number, card?: number): BinaryTform {
  const m = TFORM_RE.exec(text);
  if (!m) throw new FitsError('BAD_HEADER', `TFORM '${text}' is not a binary-table format.`, { hdu, card });
  const repeat = m[1] ? Number(m[1]) : 1;
  if (!Number.isSafeInteger(repeat)) throw new FitsError('BAD_SIZE', `TFORM '${text}' has an absurd repeat count.`, { hdu, card });
  const code = m[2]!.toUpperCase() as TformCode;
  const trimmed = text.trim();
  if (code === 'P' || code === 'Q') {
    if (!m[3]) throw new FitsError('BAD_HEADER', `TFORM '${text}' lacks the element type of its variable-length array.`, { hdu, card });
    if (repeat > 1) throw new FitsError('BAD_HEADER', `TFORM '${text}': a descriptor's repeat must be 0 or 1.`, { hdu, card });
    return {
      text: trimmed,
      repeat,
      code,
      elementCode: m[3].toUpperCase() as BinaryTform['elementCode'],
      maxLength: m[4] ? Number(m[4]) : undefined,
      width: repeat * (code === 'P' ? 8 : 16),
    };
  }
  const width = code === 'X' ? Math.ceil(repeat / 8) : repeat * ELEMENT_BYTES[code];
  return { text: trimmed, repeat, code, width };
}
