/**
 * Placing decoded tiles in the output image on the GPU: the twin of
 * tile-decode.ts (`place`, `placeBytes`, the quantized path), bit for bit.
 *
 * One invocation per output element (per output word for 1- and 2-byte
 * dtypes): it finds its image coordinates in the section, the tile holding
 * them, and the element within the tile, then converts:
 *  - tiles decoded to integers (`ints`, tile-major i32, from the GPU codecs
 *    or uploaded from CPU codecs): tile-decode.ts `place()` rules — copy,
 *    sign offset, or `v · BSCALE + BZERO` with BLANK, float32 results rounded
 *    after the multiply as the CPU does; quantized tiles are dequantized
 *    (quantize.wgsl.ts) first, rounded to the output's float type, then
 *    scaled with the float-source rules;
 *  - tiles of raw big-endian pixels (`raw_bytes`: UNCOMPRESSED_DATA, or
 *    GZIP_COMPRESSED_DATA inflated on the CPU): convertPixels rules
 *    (convert.wgsl.ts).
 *
 * `meta` (u32 words): a 16-word header
 *   [0 count, 1 ndim, 2 geometry at, 3 segments at, 4 slot map at, 5 records at,
 *    6…12 place() scaling: bscale lo, hi, bzero lo, hi, blank (i32), 0, flags]
 * then per axis (C order) 7 words [section shape, start, step, tile size,
 * image dim, first tile in the box, tiles in the box]; the slot map (box index
 * of a tile → record); records of 12 words [kind (KIND_*), base
 * (ints index / byte address), then quantize.wgsl.ts's fields]; dither
 * segments [first pixel, table index]. Record word 10: 0 when the tile's bytes
 * are in pixel order, else its pixel count: the bytes are GZIP_2's byte planes.
 */
import { LINEAR_INDEX, WORKGROUP } from '../wgsl/grid.js';
import { PIXEL_COMMON_WGSL, finishWgsl, pixelWgsl, rawLoadWgsl, storeWgsl } from '../image/convert.wgsl.js';
import { BYTES_PER, type DType, type PixelScaling } from '../image/pixel-type.js';
import { dequantWgsl } from '../codecs/quantize/dequantize.wgsl.js';
import type { QuantizeMethod } from '../codecs/quantize/dequantize.js';

/** Bindings: raw_bytes, ints, dst, meta, rnd, scal. */
export const PLACE_BINDINGS = ['r', 'r', 'w', 'r', 'r', 'r'] as const;

/** Words of the meta header, and of a tile record. */
export const META_HEADER = 16;
export const RECORD_WORDS = 12;

/** Record kinds: integers in `ints`; raw pixels of the image's type in `raw_bytes`; big-endian int32 in `raw_bytes` (inflated quantized GZIP tiles). */
export const KIND_INTS = 0;
export const KIND_RAW = 1;
export const KIND_BE_INT32 = 2;
export const AXIS_WORDS = 7;

export interface PlaceVariant {
  out: DType;
  mode: PixelScaling['mode'];
  /** Some tiles are integers (in `ints`, or big-endian int32 in `raw_bytes`). */
  intTiles: boolean;
  /** Some tiles are raw big-endian pixels of type `raw` in `raw_bytes`. */
  byteTiles: boolean;
  raw: DType;
  /** Quantized integer tiles: the method; 'none' otherwise. */
  quant: QuantizeMethod | 'none';
}

/** tile-decode.ts place() for a decoded integer (not quantized). */
function convertIntWgsl(v: PlaceVariant): string {
  if (v.mode === 'raw') return 'fn convert_int(v: i32) -> vec2u { return vec2u(bitcast<u32>(v), 0u); }';
  if (v.mode === 'offset') {
    const bit = v.out === 'uint16' ? '0x8000u' : '0x80000000u';
    return `fn convert_int(v: i32) -> vec2u { return vec2u(bitcast<u32>(v) ^ ${bit}, 0u); }`;
  }
  const single = v.out === 'float32';
  return `fn convert_int(v: i32) -> vec2u {
  if ((tm[12] & 4u) != 0u && bitcast<u32>(v) == tm[10]) { return nan_out(); }
  var x = f64_from_i32(v);
  if ((tm[12] & 1u) != 0u) {
    x = f64_mul(x, vec2u(tm[6], tm[7]));
    ${single ? 'x = fround(x);' : ''}
  }
  if ((tm[12] & 2u) != 0u) { x = f64_add(x, vec2u(tm[8], tm[9])); }
  return finish(x);
}`;
}

/** The quantized path: dequantize, round to the output type, then place() with a float source. */
function quantIntWgsl(v: PlaceVariant): string {
  const single = v.out === 'float32';
  const scale =
    v.mode === 'scale'
      ? `if ((tm[12] & 1u) != 0u) {
    x = f64_mul(x, vec2u(tm[6], tm[7]));
    ${single ? 'x = fround(x);' : ''}
  }
  if ((tm[12] & 2u) != 0u) { x = f64_add(x, vec2u(tm[8], tm[9])); }`
      : '';
  return `${dequantWgsl(v.quant as QuantizeMethod)}
fn quant_value(v: i32, rec: u32, k: u32) -> vec2u {
  var x = dequant(v, rec, k);
  ${single ? 'x = fround(x);' : ''}
  ${scale}
  return finish(x);
}`;
}

export function placeKernelWgsl(v: PlaceVariant): string {
  const rawWidth = BYTES_PER[v.raw];
  const intValue = `var iv: i32;
  if (kind == ${KIND_INTS}u) { iv = ints[base + k]; }
  else if (shuf == 0u) { iv = bitcast<i32>(be32_at(base + 4u * k)); }
  else { iv = bitcast<i32>((byte_at(base + k) << 24u) | (byte_at(base + shuf + k) << 16u) | (byte_at(base + 2u * shuf + k) << 8u) | byte_at(base + 3u * shuf + k)); }
  ${v.quant === 'none' ? 'return convert_int(iv);' : 'return quant_value(iv, rec, k);'}`;
  const byteBranch = `if (shuf == 0u) { return convert_bits(load_raw(base + k * ${rawWidth}u)); }
  return convert_bits(load_shuffled(base, k, shuf));`;
  const body = v.intTiles && v.byteTiles ? `if (kind == ${KIND_RAW}u) { ${byteBranch} }\n  ${intValue}` : v.intTiles ? intValue : byteBranch;
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> raw_bytes: array<u32>;
@group(0) @binding(1) var<storage, read> ints: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(3) var<storage, read> tm: array<u32>;
@group(0) @binding(4) var<storage, read> rnd: array<u32>;
@group(0) @binding(5) var<storage, read> scal: array<u32>;
${PIXEL_COMMON_WGSL}
${finishWgsl(v.out)}
${v.byteTiles ? `${rawLoadWgsl(v.raw)}
${pixelWgsl({ raw: v.raw, out: v.out, mode: v.mode })}` : ''}
${v.intTiles ? (v.quant === 'none' ? convertIntWgsl(v) : quantIntWgsl(v)) : ''}

// The tile record and tile-local index of output element e.
fn locate(e: u32) -> vec2u {
  let ndim = tm[1];
  let geo = tm[2];
  var rem = e;
  var box = 0u;
  var boxMul = 1u;
  var local = 0u;
  var localMul = 1u;
  for (var a = ndim; a > 0u; a--) {
    let g = geo + ${AXIS_WORDS}u * (a - 1u);
    let n = tm[g];
    let j = rem % n;
    rem = rem / n;
    let x = tm[g + 1u] + j * tm[g + 2u];
    let size = tm[g + 3u];
    let t = x / size;
    let lo = t * size;
    box += (t - tm[g + 5u]) * boxMul;
    boxMul *= tm[g + 6u];
    local += (x - lo) * localMul;
    localMul *= min(size, tm[g + 4u] - lo);
  }
  return vec2u(tm[tm[4] + box], local);
}

fn elem(e: u32) -> vec2u {
  let t = locate(e);
  let rec = tm[5] + ${RECORD_WORDS}u * t.x;
  let k = t.y;
  let kind = tm[rec];
  let base = tm[rec + 1u];
  let shuf = tm[rec + 10u];
  ${body}
}
${storeWgsl(v.out)}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  store(${LINEAR_INDEX}, tm[0], 0u);
}
`;
}
