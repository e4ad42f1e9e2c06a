/**
 * The value RedisStore keeps under one block's key: a 64-byte header and the
 * block's bytes, raw or compressed —
 *
 *   0  'FFRB'   4  version (u8, 1)   5  codec (u8: 0 raw, 1 raw deflate)   6  0 (u16)
 *   8  CRC-32 of header bytes 12–63 followed by the block's raw bytes
 *   12 block size (u32)   16 block index (f64)   24 raw length (u32)   28 stored length (u32)
 *   32 object id (32 bytes: the hex SHA-256 of store.ts objectId)
 *
 * all little-endian. The checksum covers the raw (decompressed) bytes and the
 * fields that say whose block this is, so that a flipped byte, a truncated
 * value, a value of another block or object copied under this key, or a
 * compressed stream that inflates to something else are all refused before a
 * byte is served. Building and checking only: no I/O; the codec's inflate is
 * passed in.
 */
import { crc32 } from '../fs-cache/fs-entry.js';

export const VALUE_HEADER_BYTES = 64;
const MAGIC = [0x46, 0x46, 0x52, 0x42]; // 'FFRB'
const VERSION = 1;

/** How a value's bytes are stored: raw, or raw deflate (RFC 1951, no zlib or gzip wrapper). */
export const BlockCodec = { Raw: 0, Deflate: 1 } as const;
export type BlockCodec = (typeof BlockCodec)[keyof typeof BlockCodec];

function hexToBytes(hex: string, out: Uint8Array): void {
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
}

function hexEquals(hex: string, b: Uint8Array): boolean {
  if (hex.length !== 2 * b.length) return false;
  for (let i = 0; i < b.length; i++) if (parseInt(hex.slice(2 * i, 2 * i + 2), 16) !== b[i]) return false;
  return true;
}

/**
 * The value of block `block` of object `id`: header + `stored` (the block's
 * `raw` bytes as encoded by `codec`; `raw` itself for BlockCodec.Raw).
 */
export function encodeBlockValue(id: string, blockSize: number, block: number, raw: Uint8Array, codec: BlockCodec = BlockCodec.Raw, stored: Uint8Array = raw): Uint8Array {
  const out = new Uint8Array(VALUE_HEADER_BYTES + stored.length);
  const v = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = VERSION;
  out[5] = codec;
  v.setUint32(12, blockSize, true);
  v.setFloat64(16, block, true);
  v.setUint32(24, raw.length, true);
  v.setUint32(28, stored.length, true);
  hexToBytes(id, out.subarray(32, 64));
  v.setUint32(8, crc32(raw, crc32(out.subarray(12, VALUE_HEADER_BYTES))), true);
  out.set(stored, VALUE_HEADER_BYTES);
  return out;
}

/** What a value is expected to hold. */
export interface ExpectedBlock {
  id: string;
  blockSize: number;
  block: number;
  /** The block's length (the last block of a file is short). */
  length: number;
}

/**
 * The raw bytes of a value, checked against what its key promises; a string
 * says what is wrong. `inflate` decodes BlockCodec.Deflate (it may throw on a
 * damaged stream: that is reported as damage, not thrown). A raw value's bytes
 * are returned as a view of `value`.
 */
export function decodeBlockValue(value: Uint8Array, want: ExpectedBlock, inflate: (stored: Uint8Array, rawLength: number) => Uint8Array): Uint8Array | string {
  if (value.length < VALUE_HEADER_BYTES) return 'shorter than its header';
  for (let i = 0; i < 4; i++) if (value[i] !== MAGIC[i]) return 'bad magic';
  if (value[4] !== VERSION) return 'unknown version';
  const v = new DataView(value.buffer, value.byteOffset, VALUE_HEADER_BYTES);
  const codec = value[5];
  const rawLength = v.getUint32(24, true);
  const storedLength = v.getUint32(28, true);
  if (storedLength !== value.length - VALUE_HEADER_BYTES) return `stored length ${value.length - VALUE_HEADER_BYTES}, header says ${storedLength}`;
  if (!hexEquals(want.id, value.subarray(32, 64))) return 'belongs to another object';
  if (v.getFloat64(16, true) !== want.block || v.getUint32(12, true) !== want.blockSize) return 'belongs to another block';
  if (rawLength !== want.length) return `length ${rawLength}, expected ${want.length}`;
  const stored = value.subarray(VALUE_HEADER_BYTES);
  let raw: Uint8Array;
  if (codec === BlockCodec.Raw) {
    if (storedLength !== rawLength) return 'raw value of the wrong length';
    raw = stored;
  } else if (codec === BlockCodec.Deflate) {
    try {
      raw = inflate(stored, rawLength);
    } catch {
      return 'damaged compressed stream';
    }
    if (raw.length !== rawLength) return 'inflates to the wrong length';
  } else return 'unknown codec';
  if (crc32(raw, crc32(value.subarray(12, VALUE_HEADER_BYTES))) !== v.getUint32(8, true)) return 'checksum mismatch';
  return raw;
}

/** The codec field of a well-formed value (for statistics), or -1. */
export function valueCodec(value: Uint8Array): number {
  return value.length >= VALUE_HEADER_BYTES && value[4] === VERSION ? value[5]! : -1;
}
