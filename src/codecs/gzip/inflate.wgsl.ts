import { LINEAR_INDEX, WORKGROUP } from '../../wgsl/grid.js';
/**
 * Inflate (RFC 1951) of gzip (RFC 1952) and zlib (RFC 1950) streams in WGSL:
 * the GPU twin of inflate.ts for GZIP_1 / GZIP_2 tiles and
 * GZIP_COMPRESSED_DATA, one invocation per tile.
 *
 * The decoder is a port of Mark Adler's puff.c (the zlib distribution's
 * reference inflater): canonical Huffman decoding bit by bit from per-length
 * code counts, the same checks as zlib (over-subscribed and incomplete codes —
 * an incomplete code only for a single length-1 code — a missing end-of-block
 * code, bad repeats, distances too far back, invalid fixed codes, stored-block
 * length mismatch). It also verifies what zlib verifies around the data: the
 * gzip header (method 8, no reserved flags), CRC-32 and ISIZE, or the zlib
 * header and Adler-32, and that the stream inflates to exactly the tile's size.
 *
 * It succeeds only on streams it can vouch for: anything unusual (a header CRC
 * (FHCRC), bytes after the trailer, a second gzip member, a corrupt stream)
 * gives a non-zero `status`, and the driver decodes that tile with the CPU
 * inflater instead — which then accepts it, or raises the CPU's exact error.
 * So a GPU-inflated tile is always byte for byte what the CPU inflates.
 *
 * Bindings: `buf` (read_write u32 words: the compressed tiles as staged, and
 * the output regions, each 4-byte aligned and written by one invocation
 * only), `jobs` per tile [input byte offset, input length, output byte
 * offset, expected output bytes], `status` per job, `params` [jobs].
 */

/** Bindings: buf, jobs, status, params. */
export const INFLATE_BINDINGS = ['w', 'r', 'w', 'r'] as const;

export const INFLATE_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> buf: array<u32>;
@group(0) @binding(1) var<storage, read> jobs: array<u32>;
@group(0) @binding(2) var<storage, read_write> status: array<u32>;
@group(0) @binding(3) var<storage, read> params: array<u32>;

const MAXBITS: u32 = 15u;

// Per-invocation state.
var<private> inpos: u32;      // next input byte (absolute address)
var<private> inend: u32;      // end of input
var<private> bitbuf: u32;
var<private> bitcnt: u32;
var<private> err: u32;        // first error (0: none)
var<private> outbase: u32;    // output byte address (multiple of 4)
var<private> outcnt: u32;     // bytes written
var<private> outmax: u32;     // expected size
var<private> acc: u32;        // the output word being filled
var<private> crc: u32;
var<private> ad_a: u32;
var<private> ad_b: u32;
var<private> lcount: array<u32, 16>;
var<private> lsym: array<u32, 288>;
var<private> dcount: array<u32, 16>;
var<private> dsym: array<u32, 30>;
var<private> lengths: array<u32, 320>;

fn in_byte(a: u32) -> u32 { return (buf[a >> 2u] >> ((a & 3u) * 8u)) & 0xFFu; }

fn fail(code: u32) { if (err == 0u) { err = code; } }

// need (0…15) bits, least significant first; 0 and an error when input runs out.
fn bits(need: u32) -> u32 {
  var val = bitbuf;
  while (bitcnt < need) {
    if (inpos >= inend) { fail(2u); return 0u; }
    val = val | (in_byte(inpos) << bitcnt);
    inpos += 1u;
    bitcnt += 8u;
  }
  bitbuf = val >> need;
  bitcnt -= need;
  return val & ((1u << need) - 1u);
}

fn put(b: u32) {
  if (outcnt >= outmax) { fail(1u); return; }
  let p = outcnt;
  acc = acc | (b << ((p & 3u) * 8u));
  if ((p & 3u) == 3u) {
    buf[(outbase + p) >> 2u] = acc;
    acc = 0u;
  }
  outcnt = p + 1u;
  var c = crc ^ b;
  for (var k = 0u; k < 8u; k++) { c = (c >> 1u) ^ (0xEDB88320u & (0u - (c & 1u))); }
  crc = c;
  ad_a = (ad_a + b) % 65521u;
  ad_b = (ad_b + ad_a) % 65521u;
}

fn out_byte(p: u32) -> u32 {
  if ((p >> 2u) == (outcnt >> 2u)) { return (acc >> ((p & 3u) * 8u)) & 0xFFu; }
  return (buf[(outbase + p) >> 2u] >> ((p & 3u) * 8u)) & 0xFFu;
}

// Canonical Huffman decode (puff's slow decode); which = 0: literal/length table, 1: distance table.
fn decode(which: u32) -> i32 {
  var code = 0u;
  var first = 0u;
  var index = 0u;
  for (var len = 1u; len <= MAXBITS; len++) {
    code = code | bits(1u);
    if (err != 0u) { return -1; }
    var count: u32;
    if (which == 0u) { count = lcount[len]; } else { count = dcount[len]; }
    if (code < first + count) {
      if (which == 0u) { return i32(lsym[index + (code - first)]); }
      return i32(dsym[index + (code - first)]);
    }
    index += count;
    first = (first + count) << 1u;
    code = code << 1u;
  }
  fail(10u);
  return -1;
}

// Build a table from lengths[at … at+n); returns the number of unused codes, negative if over-subscribed.
fn construct(which: u32, at: u32, n: u32) -> i32 {
  for (var len = 0u; len <= MAXBITS; len++) {
    if (which == 0u) { lcount[len] = 0u; } else { dcount[len] = 0u; }
  }
  for (var s = 0u; s < n; s++) {
    let l = lengths[at + s];
    if (which == 0u) { lcount[l] += 1u; } else { dcount[l] += 1u; }
  }
  var c0: u32;
  if (which == 0u) { c0 = lcount[0]; } else { c0 = dcount[0]; }
  if (c0 == n) { return 0; }
  var left = 1;
  for (var len = 1u; len <= MAXBITS; len++) {
    left = left << 1u;
    if (which == 0u) { left -= i32(lcount[len]); } else { left -= i32(dcount[len]); }
    if (left < 0) { return left; }
  }
  var offs: array<u32, 16>;
  offs[1] = 0u;
  for (var len = 1u; len < MAXBITS; len++) {
    if (which == 0u) { offs[len + 1u] = offs[len] + lcount[len]; } else { offs[len + 1u] = offs[len] + dcount[len]; }
  }
  for (var s = 0u; s < n; s++) {
    let l = lengths[at + s];
    if (l != 0u) {
      if (which == 0u) { lsym[offs[l]] = s; } else { dsym[offs[l]] = s; }
      offs[l] += 1u;
    }
  }
  return left;
}

const LBASE = array<u32, 29>(3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 13u, 15u, 17u, 19u, 23u, 27u, 31u, 35u, 43u, 51u, 59u, 67u, 83u, 99u, 115u, 131u, 163u, 195u, 227u, 258u);
const LEXT = array<u32, 29>(0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, 1u, 1u, 1u, 1u, 2u, 2u, 2u, 2u, 3u, 3u, 3u, 3u, 4u, 4u, 4u, 4u, 5u, 5u, 5u, 5u, 0u);
const DBASE = array<u32, 30>(1u, 2u, 3u, 4u, 5u, 7u, 9u, 13u, 17u, 25u, 33u, 49u, 65u, 97u, 129u, 193u, 257u, 385u, 513u, 769u, 1025u, 1537u, 2049u, 3073u, 4097u, 6145u, 8193u, 12289u, 16385u, 24577u);
const DEXT = array<u32, 30>(0u, 0u, 0u, 0u, 1u, 1u, 2u, 2u, 3u, 3u, 4u, 4u, 5u, 5u, 6u, 6u, 7u, 7u, 8u, 8u, 9u, 9u, 10u, 10u, 11u, 11u, 12u, 12u, 13u, 13u);
const ORDER = array<u32, 19>(16u, 17u, 18u, 0u, 8u, 7u, 9u, 6u, 10u, 5u, 11u, 4u, 12u, 3u, 13u, 2u, 14u, 1u, 15u);

fn codes() {
  loop {
    let sym = decode(0u);
    if (err != 0u) { return; }
    if (sym < 256) {
      put(u32(sym));
      if (err != 0u) { return; }
    } else if (sym > 256) {
      let s = u32(sym - 257);
      if (s >= 29u) { fail(10u); return; }
      let len = LBASE[s] + bits(LEXT[s]);
      let ds = decode(1u);
      if (err != 0u) { return; }
      let dist = DBASE[u32(ds)] + bits(DEXT[u32(ds)]);
      if (err != 0u) { return; }
      if (dist > outcnt) { fail(11u); return; }
      for (var k = 0u; k < len; k++) {
        put(out_byte(outcnt - dist));
        if (err != 0u) { return; }
      }
    } else {
      return;
    }
  }
}

fn stored() {
  bitbuf = 0u;
  bitcnt = 0u;
  if (inpos + 4u > inend) { fail(2u); return; }
  let len = in_byte(inpos) | (in_byte(inpos + 1u) << 8u);
  if (in_byte(inpos + 2u) != (~len & 0xFFu) || in_byte(inpos + 3u) != ((~len >> 8u) & 0xFFu)) { fail(3u); return; }
  inpos += 4u;
  if (inpos + len > inend) { fail(2u); return; }
  for (var k = 0u; k < len; k++) {
    put(in_byte(inpos + k));
    if (err != 0u) { return; }
  }
  inpos += len;
}

fn fixed() {
  for (var s = 0u; s < 144u; s++) { lengths[s] = 8u; }
  for (var s = 144u; s < 256u; s++) { lengths[s] = 9u; }
  for (var s = 256u; s < 280u; s++) { lengths[s] = 7u; }
  for (var s = 280u; s < 288u; s++) { lengths[s] = 8u; }
  _ = construct(0u, 0u, 288u);
  for (var s = 0u; s < 30u; s++) { lengths[288u + s] = 5u; }
  _ = construct(1u, 288u, 30u);
  codes();
}

fn dynamic() {
  let nlen = bits(5u) + 257u;
  let ndist = bits(5u) + 1u;
  let ncode = bits(4u) + 4u;
  if (err != 0u) { return; }
  if (nlen > 286u || ndist > 30u) { fail(4u); return; }
  for (var k = 0u; k < 19u; k++) {
    if (k < ncode) { lengths[ORDER[k]] = bits(3u); } else { lengths[ORDER[k]] = 0u; }
  }
  if (err != 0u) { return; }
  if (construct(0u, 0u, 19u) != 0) { fail(5u); return; }
  var index = 0u;
  while (index < nlen + ndist) {
    let sym = decode(0u);
    if (err != 0u) { return; }
    if (sym < 16) {
      lengths[index] = u32(sym);
      index += 1u;
    } else {
      var len = 0u;
      var rep: u32;
      if (sym == 16) {
        if (index == 0u) { fail(6u); return; }
        len = lengths[index - 1u];
        rep = 3u + bits(2u);
      } else if (sym == 17) {
        rep = 3u + bits(3u);
      } else {
        rep = 11u + bits(7u);
      }
      if (err != 0u) { return; }
      if (index + rep > nlen + ndist) { fail(7u); return; }
      for (var k = 0u; k < rep; k++) {
        lengths[index] = len;
        index += 1u;
      }
    }
  }
  if (lengths[256] == 0u) { fail(8u); return; }
  let e1 = construct(0u, 0u, nlen);
  if (e1 != 0 && (e1 < 0 || nlen != lcount[0] + lcount[1])) { fail(9u); return; }
  let e2 = construct(1u, nlen, ndist);
  if (e2 != 0 && (e2 < 0 || ndist != dcount[0] + dcount[1])) { fail(9u); return; }
  codes();
}

fn le32(a: u32) -> u32 { return in_byte(a) | (in_byte(a + 1u) << 8u) | (in_byte(a + 2u) << 16u) | (in_byte(a + 3u) << 24u); }

// 0: inflated, verified, exactly outmax bytes; otherwise: let the CPU decide.
fn inflate_job(off: u32, len: u32, out: u32, expected: u32) -> u32 {
  inpos = off;
  inend = off + len;
  bitbuf = 0u;
  bitcnt = 0u;
  err = 0u;
  outbase = out;
  outcnt = 0u;
  outmax = expected;
  acc = 0u;
  crc = 0xFFFFFFFFu;
  ad_a = 1u;
  ad_b = 0u;
  if (len < 2u) { return 20u; }
  let b0 = in_byte(off);
  let b1 = in_byte(off + 1u);
  var gzip = false;
  if (b0 == 0x1Fu && b1 == 0x8Bu) {
    gzip = true;
    if (len < 18u) { return 20u; }
    let flg = in_byte(off + 3u);
    if (in_byte(off + 2u) != 8u || (flg & 0xE2u) != 0u) { return 21u; } // method, FHCRC and reserved flags
    var p = off + 10u;
    if ((flg & 4u) != 0u) {
      if (p + 2u > inend) { return 20u; }
      p += 2u + (in_byte(p) | (in_byte(p + 1u) << 8u));
    }
    if ((flg & 8u) != 0u) {
      loop { if (p >= inend) { return 20u; } let c = in_byte(p); p += 1u; if (c == 0u) { break; } }
    }
    if ((flg & 16u) != 0u) {
      loop { if (p >= inend) { return 20u; } let c = in_byte(p); p += 1u; if (c == 0u) { break; } }
    }
    inpos = p;
  } else if ((b0 & 0x0Fu) == 8u && (b0 >> 4u) <= 7u && ((b0 << 8u) | b1) % 31u == 0u && (b1 & 0x20u) == 0u) {
    inpos = off + 2u;
  } else {
    return 22u;
  }
  loop {
    let last = bits(1u);
    let kind = bits(2u);
    if (err != 0u) { break; }
    if (kind == 0u) { stored(); } else if (kind == 1u) { fixed(); } else if (kind == 2u) { dynamic(); } else { fail(12u); }
    if (err != 0u || last == 1u) { break; }
  }
  if (err != 0u) { return err; }
  if ((outcnt & 3u) != 0u) { buf[(outbase + outcnt) >> 2u] = acc; }
  if (outcnt != outmax) { return 13u; }
  // Trailer, right after the last block's final byte, and nothing after it.
  if (gzip) {
    if (inpos + 8u != inend) { return 14u; }
    if (le32(inpos) != (crc ^ 0xFFFFFFFFu) || le32(inpos + 4u) != outcnt) { return 15u; }
  } else {
    if (inpos + 4u != inend) { return 14u; }
    let adler = (ad_b << 16u) | ad_a;
    let want = (in_byte(inpos) << 24u) | (in_byte(inpos + 1u) << 16u) | (in_byte(inpos + 2u) << 8u) | in_byte(inpos + 3u);
    if (want != adler) { return 15u; }
  }
  return 0u;
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = ${LINEAR_INDEX};
  if (j >= params[0]) { return; }
  status[j] = inflate_job(jobs[4u * j], jobs[4u * j + 1u], jobs[4u * j + 2u], jobs[4u * j + 3u]);
}
`;
