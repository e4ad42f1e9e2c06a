/**
 * The folder cache's entry files (fs-cache.ts): `count` blocks of one object
 * from block `first`, behind a 68-byte header —
 *
 *   0  'FFCBLK01'   8  version (1)   12  checksum algorithm (1: CRC-32)
 *   16 CRC-32 of bytes 20–67 followed by the payload
 *   20 block size   24 first block (float64)   32 payload length
 *   36 object id (32 bytes: the hex SHA-256 of store.ts objectId)
 *
 * all little-endian. Building and parsing only: no I/O.
 */
import * as zlib from 'node:zlib';
import { crc32 as jsCrc32 } from '../../core/crc32.js';

const MAGIC = 'FFCBLK01';
const VERSION = 1;
const ALGO_CRC32 = 1;
export const ENTRY_HEADER_BYTES = 68;
/** An entry's file name: `<first>-<count>.blk`. */
export const ENTRY_RE = /^(\d+)-(\d+)\.blk$/;
// -- CRC-32 ------------------------------------------------------------------

const nativeCrc = (zlib as unknown as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
/** CRC-32 (IEEE), continuing from `value`: node:zlib's where it has one (Node ≥ 20.15), else the JS one. */
export const crc32: (data: Uint8Array, value?: number) => number = typeof nativeCrc === 'function' ? (d, v = 0) => nativeCrc(d, v) >>> 0 : jsCrc32;

// -- entry format --------------------------------------------------------------

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function bytesToHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}

/** The 68-byte header of an entry holding `payload` (blocks from `first`). */
export function entryHeader(id: string, blockSize: number, first: number, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(ENTRY_HEADER_BYTES);
  const v = new DataView(h.buffer);
  for (let i = 0; i < 8; i++) h[i] = MAGIC.charCodeAt(i);
  v.setUint32(8, VERSION, true);
  v.setUint32(12, ALGO_CRC32, true);
  v.setUint32(20, blockSize, true);
  v.setFloat64(24, first, true);
  v.setUint32(32, payload.length, true);
  h.set(hexToBytes(id), 36);
  v.setUint32(16, crc32(payload, crc32(h.subarray(20))), true);
  return h;
}

export interface ParsedEntry {
  id: string;
  blockSize: number;
  first: number;
  payload: Uint8Array;
}

/** The fields of an entry's header (its checksum not yet checked against the payload). */
export interface EntryFields {
  id: string;
  blockSize: number;
  first: number;
  /** Payload length. */
  length: number;
  /** CRC-32 of header bytes 20–67 followed by the payload. */
  crc: number;
}

/** Parse an entry's 68-byte header; a string says what is wrong. */
export function parseHeader(h: Uint8Array): EntryFields | string {
  if (h.length < ENTRY_HEADER_BYTES) return 'shorter than its header';
  for (let i = 0; i < 8; i++) if (h[i] !== MAGIC.charCodeAt(i)) return 'bad magic';
  const v = new DataView(h.buffer, h.byteOffset, ENTRY_HEADER_BYTES);
  if (v.getUint32(8, true) !== VERSION) return 'unknown version';
  if (v.getUint32(12, true) !== ALGO_CRC32) return 'unknown checksum';
  return { id: bytesToHex(h.subarray(36, 68)), blockSize: v.getUint32(20, true), first: v.getFloat64(24, true), length: v.getUint32(32, true), crc: v.getUint32(16, true) };
}

/** Parse and verify an entry; a string says what is wrong. */
export function parseEntry(buf: Uint8Array): ParsedEntry | string {
  const h = parseHeader(buf);
  if (typeof h === 'string') return h;
  if (h.length !== buf.length - ENTRY_HEADER_BYTES) return `length ${buf.length - ENTRY_HEADER_BYTES}, header says ${h.length}`;
  const payload = buf.subarray(ENTRY_HEADER_BYTES);
  if (crc32(payload, crc32(buf.subarray(20, ENTRY_HEADER_BYTES))) !== h.crc) return 'checksum mismatch';
  return { id: h.id, blockSize: h.blockSize, first: h.first, payload };
}
