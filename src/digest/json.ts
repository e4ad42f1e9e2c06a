/** JSON values of the digest (DIGEST.md §6): big integers and non-finite floats spelled out. */
import type { CardValue } from '../header/card.js';

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** A number (or bigint) as a digest JSON value. */
export function jsonNumber(v: number | bigint): Json {
  if (typeof v === 'bigint') {
    return v <= BigInt(MAX_SAFE) && v >= -BigInt(MAX_SAFE) ? Number(v) : { bigint: v.toString() };
  }
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

/** A header value as digest JSON. */
export function jsonCardValue(v: CardValue): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return jsonNumber(v);
  return [jsonNumber(v.re), jsonNumber(v.im)];
}
