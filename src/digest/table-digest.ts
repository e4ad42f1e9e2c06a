/**
 * The reference digest of tables (DIGEST.md §4) and random groups (§5). Tables
 * are hashed column by column while streaming batches of rows, so memory stays
 * bounded for any table size.
 */
import { arrayDigest, EMPTY_SHA256, hashElements, nullArrayDigest } from './array-digest.js';
import { jsonCardValue, type Json } from './json.js';
import { jsSha256, type Hasher } from '../core/sha256.js';
import type { HduContext } from '../hdu/context.js';
import type { ImageArray } from '../image/pixel-type.js';
import { littleEndianHost } from '../core/buffers.js';
import { asciiLayoutOf } from '../table/read/read-ascii.js';
import { binaryLayoutOf } from '../table/read/binary-layout.js';
import { baseDType, type BinaryColumnSpec } from '../table/read/binary-layout.js';
import type { AsciiColumnSpec } from '../table/read/ascii-layout.js';
import type { Column } from '../table/column.js';
import { readRandomGroups } from '../table/read/random-groups.js';
import { readTableColumns } from '../table/read/read-table.js';
import { trimmedLength } from '../table/strings.js';

const BATCH_BYTES = 8 << 20;

/** Buffers small writes (string elements, VLA counts) into few hasher updates. */
class HashBuffer {
  private readonly buf = new Uint8Array(1 << 16);
  private readonly view = new DataView(this.buf.buffer);
  private fill = 0;
  constructor(readonly hasher: Hasher) {}

  private room(n: number): void {
    if (this.fill + n > this.buf.length) this.flush();
  }

  flush(): void {
    if (this.fill) this.hasher.update(this.buf.subarray(0, this.fill));
    this.fill = 0;
  }

  uint64(n: number): void {
    this.room(8);
    this.view.setBigUint64(this.fill, BigInt(n), true);
    this.fill += 8;
  }

  /** A string element: its chars as bytes, then 0x00. */
  string(s: string): void {
    if (s.length + 1 > this.buf.length) {
      this.flush();
      const b = new Uint8Array(s.length + 1);
      for (let k = 0; k < s.length; k++) b[k] = s.charCodeAt(k);
      this.hasher.update(b);
      return;
    }
    this.room(s.length + 1);
    const b = this.buf;
    let p = this.fill;
    for (let k = 0; k < s.length; k++) b[p++] = s.charCodeAt(k);
    b[p++] = 0;
    this.fill = p;
  }

  /** Packed fixed-width string cells (column.ts): what string() writes for each decoded cell. */
  packed(bytes: Uint8Array, width: number): void {
    for (let at = 0; at + width <= bytes.length; at += width) {
      const len = trimmedLength(bytes, at, width);
      if (len + 1 > this.buf.length) {
        this.flush();
        this.hasher.update(bytes.subarray(at, at + len));
        this.hasher.update(new Uint8Array(1));
        continue;
      }
      this.room(len + 1);
      const b = this.buf;
      let p = this.fill;
      for (let k = at; k < at + len; k++) b[p++] = bytes[k]!;
      b[p++] = 0;
      this.fill = p;
    }
  }

  /** Numeric elements little-endian with canonical NaNs. */
  elements(a: ImageArray): void {
    if (a.byteLength > this.buf.length) {
      this.flush();
      hashElements(a, this.hasher);
      return;
    }
    this.room(a.byteLength);
    this.buf.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), this.fill);
    if (a instanceof Float32Array || a instanceof Float64Array) {
      for (let k = 0; k < a.length; k++) {
        if (a[k] !== a[k]) {
          const p = this.fill + k * a.BYTES_PER_ELEMENT;
          if (a instanceof Float32Array) this.view.setUint32(p, 0x7fc00000, true);
          else this.view.setBigUint64(p, 0x7ff8000000000000n, true);
        }
      }
    }
    this.fill += a.byteLength;
  }
}

/** Zero bits among the first `n` bits of a validity bitmap. */
function countNulls(validity: Uint8Array | undefined, n: number): number {
  if (!validity) return 0;
  let nulls = 0;
  for (let i = 0; i < n; i++) if (((validity[i >>> 3]! >>> (i & 7)) & 1) === 0) nulls++;
  return nulls;
}

/** What the digest needs to know about a column besides its values. */
interface DigestColumn {
  fields: Record<string, Json>;
  /** How `nulls` is counted, or undefined when the digest has no `nulls`. */
  nulls: 'validity' | 'nan' | undefined;
  /** Repeat count 0: nothing to hash. */
  empty: boolean;
  variable: boolean;
}

function binaryDigestColumn(ctx: HduContext, s: BinaryColumnSpec): DigestColumn {
  const tform = ctx.header.get(`TFORM${s.index + 1}`);
  const fields: Record<string, Json> = { name: jsonCardValue(s.keywords.ttype ?? null), format: typeof tform === 'string' ? tform.trim() : jsonCardValue(tform ?? null) };
  if (s.tform.repeat === 0) {
    // The reference names the dtype after the TFORM letter: none for P/Q.
    fields.dtype = s.variable ? null : baseDType(s.elementCode);
    fields.cell_shape = [0];
    return { fields, nulls: undefined, empty: true, variable: s.variable };
  }
  fields.dtype = s.dtype;
  fields.cell_shape = s.cellShape ? [...s.cellShape] : null;
  let nulls: DigestColumn['nulls'];
  if (!s.variable) {
    if (s.elementCode === 'L' || s.tnull !== undefined) nulls = 'validity';
    else if ((s.elementCode === 'E' || s.elementCode === 'D') && (s.dtype === 'float32' || s.dtype === 'float64')) nulls = 'nan';
  }
  return { fields, nulls, empty: false, variable: s.variable };
}

function asciiDigestColumn(ctx: HduContext, s: AsciiColumnSpec): DigestColumn {
  const fields: Record<string, Json> = { name: jsonCardValue(s.keywords.ttype ?? null), format: s.format, dtype: s.dtype, cell_shape: [] };
  return { fields, nulls: s.tnull !== undefined ? 'validity' : undefined, empty: false, variable: false };
}

function hashBatch(col: Column, out: HashBuffer): void {
  if (col.offsets) {
    const offsets = col.offsets;
    const data = col.data;
    const per = col.dtype === 'complex64' || col.dtype === 'complex128' ? 2 : 1;
    for (let i = 0; i < col.length; i++) {
      const a = offsets[i]!, b = offsets[i + 1]!;
      out.uint64(b - a);
      out.elements((data as ImageArray).subarray(a * per, b * per) as ImageArray);
    }
    return;
  }
  if (col.strings) {
    out.packed(col.strings.bytes, col.strings.width);
    return;
  }
  if (col.dtype === 'string') {
    for (const s of col.data as string[]) out.string(s);
    return;
  }
  out.flush();
  hashElements(col.data as ImageArray, out.hasher);
}

function nanCount(a: ImageArray): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== a[i]) n++;
  return n;
}

/**
 * Digest of a binary or ASCII table HDU: `nrows` and `columns` (DIGEST.md §4).
 * @example
 * const { nrows, columns } = await digestTable(hdu);
 */
export async function digestTable(ctx: HduContext): Promise<Record<string, Json>> {
  if (!littleEndianHost) throw new Error('big-endian hosts are not supported by the digest');
  const ascii = ctx.layout.kind === 'table';
  const layout = ascii ? asciiLayoutOf(ctx) : binaryLayoutOf(ctx);
  const cols: DigestColumn[] = ascii
    ? (layout.columns as AsciiColumnSpec[]).map((s) => asciiDigestColumn(ctx, s))
    : (layout.columns as BinaryColumnSpec[]).map((s) => binaryDigestColumn(ctx, s));
  const newHasher = ctx.runtime.sha256 ?? jsSha256;
  const hashers = cols.map(() => new HashBuffer(newHasher()));
  const nulls = cols.map(() => 0);
  const wanted = cols.map((c, i) => (c.empty ? -1 : i)).filter((i) => i >= 0);
  const per = Math.max(1, Math.floor(BATCH_BYTES / Math.max(1, layout.rowBytes)));
  for (let start = 0; start < layout.nrows && wanted.length; start += per) {
    const count = Math.min(per, layout.nrows - start);
    const batch = await readTableColumns(ctx, wanted, { start, count });
    batch.forEach((col, k) => {
      const i = wanted[k]!;
      hashBatch(col, hashers[i]!);
      const cellSize = col.cellShape ? col.cellShape.reduce((a, b) => a * b, 1) : 1;
      if (cols[i]!.nulls === 'validity') nulls[i]! += countNulls(col.validity, col.length * cellSize);
      else if (cols[i]!.nulls === 'nan') nulls[i]! += nanCount(col.data as ImageArray);
    });
  }
  const columns: Json[] = cols.map((c, i) => {
    const h = hashers[i]!;
    h.flush();
    const d: Record<string, Json> = { ...c.fields, sha256: c.empty ? EMPTY_SHA256 : h.hasher.hex() };
    if (c.nulls) d.nulls = nulls[i]!;
    return d;
  });
  return { nrows: layout.nrows, columns };
}

/**
 * Digest of a random-groups HDU: the §3 array fields of the group data and
 * `params` (DIGEST.md §5).
 * @example
 * const { shape, sha256, params } = await digestRandomGroups(await file.hdu(0));
 */
export async function digestRandomGroups(ctx: HduContext): Promise<Record<string, Json>> {
  const { data, params } = await readRandomGroups(ctx);
  if (!data) return { ...nullArrayDigest(), params: [] };
  const arrays: Record<string, Json> = data.shape.some((n) => n === 0)
    ? { shape: data.shape, dtype: data.dtype, sha256: EMPTY_SHA256, sha256_f64: EMPTY_SHA256, min: null, max: null, mean: null, nan_count: 0 }
    : arrayDigest(data.data, data.shape, data.dtype, ctx.runtime.sha256);
  return { ...arrays, params: params.map((p) => ({ name: p.name, dtype: p.dtype, sha256: hashElements(p.data, (ctx.runtime.sha256 ?? jsSha256)()).hex() })) };
}

