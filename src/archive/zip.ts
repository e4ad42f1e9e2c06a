/**
 * zip (.zip) holding one FITS file, as astropy opens it: the central directory
 * must list exactly one member, stored or deflated, not encrypted. The member's
 * CRC-32 and sizes are checked against the directory. Zip64 sizes are read.
 */
import { FitsError } from '../core/errors.js';
import type { ByteSource } from '../core/byte-source.js';
import { crc32 } from './crc.js';
import type { StreamDecoder } from './decoder.js';
import { DeflateStream } from './gzip.js';
import { CompressedInput, corrupt, truncated } from './input.js';

const FORMAT = 'zip';
const EOCD_MIN = 22;
const STORED_PIECE = 1 << 20;

/** Where the single member's bytes are and what they must decode to. */
interface ZipMember {
  name: string;
  method: number;
  dataOffset: number;
  compressedSize: number;
  size: number;
  crc: number;
}

function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}
function u32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}
function u64(b: Uint8Array, at: number): number {
  return u32(b, at) + u32(b, at + 4) * 2 ** 32;
}

/** Read the central directory and the member's local header. */
export async function readZipMember(source: ByteSource, label: string): Promise<ZipMember> {
  const size = source.size;
  if (size < EOCD_MIN) throw truncated(label, 'the zip end-of-directory record', size);
  const tailLen = Math.min(size, EOCD_MIN + 0xffff);
  const tail = (await source.read(size - tailLen, tailLen)).slice();
  let eocd = -1;
  for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 5 && tail[i + 3] === 6) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw truncated(label, 'a zip file: no end-of-directory record was found', size);
  let entries = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdOffset = u32(tail, eocd + 16);
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // Zip64: the locator sits just before the end-of-directory record.
    const loc = eocd - 20;
    if (loc < 0 || u32(tail, loc) !== 0x07064b50) throw corrupt(label, FORMAT, 'the zip64 locator is missing');
    const at = u64(tail, loc + 8);
    if (at + 56 > size) throw corrupt(label, FORMAT, 'the zip64 end-of-directory record is outside the file');
    const z = (await source.read(at, 56)).slice();
    if (u32(z, 0) !== 0x06064b50) throw corrupt(label, FORMAT, 'the zip64 end-of-directory record is invalid');
    entries = u64(z, 32);
    cdSize = u64(z, 40);
    cdOffset = u64(z, 48);
  }
  if (entries !== 1) {
    throw new FitsError('UNSUPPORTED', `${label} is a zip file with ${entries} members; like astropy, fitsflow opens zip files holding exactly one FITS file. Extract the member you want first.`);
  }
  if (cdOffset + cdSize > size || cdSize < 46) throw corrupt(label, FORMAT, 'the central directory lies outside the file');
  const cd = (await source.read(cdOffset, Math.min(cdSize, 46 + 3 * 0xffff))).slice();
  if (u32(cd, 0) !== 0x02014b50) throw corrupt(label, FORMAT, 'the central directory entry is invalid', cdOffset);
  const flags = u16(cd, 8);
  const method = u16(cd, 10);
  const crc = u32(cd, 16);
  let compressedSize = u32(cd, 20);
  let uncompressed = u32(cd, 24);
  const nameLen = u16(cd, 28);
  const extraLen = u16(cd, 30);
  let localOffset = u32(cd, 42);
  if (46 + nameLen + extraLen > cd.length) throw corrupt(label, FORMAT, 'the central directory entry runs past the directory', cdOffset);
  const name = String.fromCharCode(...cd.subarray(46, 46 + nameLen));
  // Zip64 extra field: the 0xffffffff fields, in order.
  let x = 46 + nameLen;
  const xEnd = x + extraLen;
  while (x + 4 <= xEnd) {
    const id = u16(cd, x);
    const len = u16(cd, x + 2);
    if (id === 1) {
      let f = x + 4;
      if (uncompressed === 0xffffffff && f + 8 <= x + 4 + len) (uncompressed = u64(cd, f)), (f += 8);
      if (compressedSize === 0xffffffff && f + 8 <= x + 4 + len) (compressedSize = u64(cd, f)), (f += 8);
      if (localOffset === 0xffffffff && f + 8 <= x + 4 + len) localOffset = u64(cd, f);
    }
    x += 4 + len;
  }
  if (flags & 1) throw new FitsError('UNSUPPORTED', `${label} is an encrypted zip member; decrypt it with unzip first.`);
  if (method !== 0 && method !== 8) throw new FitsError('UNSUPPORTED', `${label} uses zip compression method ${method}; only stored and deflated members are supported. Extract it with unzip first.`);
  if (localOffset + 30 > size) throw corrupt(label, FORMAT, 'the member header lies outside the file');
  const local = (await source.read(localOffset, 30)).slice();
  if (u32(local, 0) !== 0x04034b50) throw corrupt(label, FORMAT, 'the member header is invalid', localOffset);
  const dataOffset = localOffset + 30 + u16(local, 26) + u16(local, 28);
  if (dataOffset + compressedSize > size) throw truncated(label, 'its zip member', size);
  if (method === 0 && compressedSize !== uncompressed) throw corrupt(label, FORMAT, 'a stored member has different compressed and uncompressed sizes');
  return { name, method, dataOffset, compressedSize, size: uncompressed, crc };
}

/** A decoder of a zip file's single member. */
export class ZipDecoder implements StreamDecoder {
  private member: ZipMember | null = null;
  private input: CompressedInput | null = null;
  private deflate: DeflateStream | null = null;
  private out = 0;
  private crc = 0;
  private done = false;

  constructor(private readonly source: ByteSource, private readonly label: string) {}

  async next(): Promise<Uint8Array | null> {
    if (this.done) return null;
    if (!this.member) {
      this.member = await readZipMember(this.source, this.label);
      const m = this.member;
      this.input = new CompressedInput(this.source, m.dataOffset, m.dataOffset + m.compressedSize, this.label);
      if (m.method === 8) this.deflate = new DeflateStream(this.input, FORMAT, m.compressedSize);
    }
    const m = this.member;
    let piece: Uint8Array | null;
    if (this.deflate) piece = await this.deflate.next();
    else {
      const have = await this.input!.ensure(STORED_PIECE);
      piece = have > 0 ? this.input!.take(Math.min(have, STORED_PIECE)).slice() : null;
    }
    if (piece) {
      this.out += piece.length;
      if (this.out > m.size) throw corrupt(this.label, FORMAT, `the member expands past the ${m.size} bytes its directory declares`);
      this.crc = crc32(piece, this.crc);
      return piece;
    }
    if (this.out !== m.size) throw truncated(this.label, `its zip member (${this.out} of ${m.size} bytes)`);
    if (this.crc !== m.crc) throw corrupt(this.label, FORMAT, 'the member fails its CRC-32 check');
    this.done = true;
    return null;
  }

  /** The member's uncompressed size from the directory (checked at the end), once known. */
  get declaredSize(): number | undefined {
    return this.member?.size;
  }
}
