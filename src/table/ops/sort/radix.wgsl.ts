/**
 * The GPU twin of radix.ts: one stable counting-sort pass of a row
 * permutation by a 4-bit digit of order-preserving key words (keys.ts).
 *
 * Rows are processed in blocks of {@link RADIX_BLOCK}; each of the
 * {@link RADIX_THREADS} threads of a block owns {@link RADIX_ITEMS} consecutive
 * positions and counts their digits in 16 private counters. A pass is:
 *   `histogram`: each block's digit counts, digit-major (hist[digit · blocks + block]);
 *   an exclusive prefix sum of hist (src/gpu/scan.ts): where each (digit, block)
 *     run starts in the output;
 *   `scatter`: each thread's start within its block's run of a digit (a scan of
 *     the threads' counters in workgroup memory), then its rows in order — so
 *     rows with equal digits keep their order: the pass is stable, like the
 *     CPU's counting scatter, and the sort gives the CPU's permutation.
 * The key of output position i is `word[perm_in[i]]`: keys are read through the
 * permutation, never moved.
 *
 * Parameters: [rows, shift (bit position of the digit), blocks].
 */
export const RADIX_THREADS = 128;
export const RADIX_ITEMS = 32;
export const RADIX_BLOCK = RADIX_THREADS * RADIX_ITEMS;
/** Bits per digit. */
export const RADIX_BITS = 4;
const BUCKETS = 1 << RADIX_BITS;

/** Bindings of `histogram`: word, perm_in, hist, params. */
export const HISTOGRAM_BINDINGS = ['r', 'r', 'w', 'r'] as const;
/** Bindings of `scatter`: word, perm_in, offsets, params, perm_out. */
export const SCATTER_BINDINGS = ['r', 'r', 'r', 'r', 'w'] as const;

const COUNT = /* wgsl */ `
fn digit_at(i: u32) -> u32 { return (word[perm_in[i]] >> params[1]) & ${BUCKETS - 1}u; }
fn count_items(first: u32, n: u32) -> array<u32, ${BUCKETS}> {
  var c: array<u32, ${BUCKETS}>;
  for (var k = 0u; k < ${RADIX_ITEMS}u; k++) {
    let i = first + k;
    if (i < n) { c[digit_at(i)] += 1u; }
  }
  return c;
}
`;

export const RADIX_HISTOGRAM_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> word: array<u32>;
@group(0) @binding(1) var<storage, read> perm_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> hist: array<u32>;
@group(0) @binding(3) var<storage, read> params: array<u32>;
var<workgroup> counts: array<atomic<u32>, ${BUCKETS}>;
${COUNT}
@compute @workgroup_size(${RADIX_THREADS})
fn histogram(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = params[0];
  let blocks = params[2];
  let block = wid.x + wid.y * nwg.x;
  if (lid.x < ${BUCKETS}u) { atomicStore(&counts[lid.x], 0u); }
  workgroupBarrier();
  let c = count_items(block * ${RADIX_BLOCK}u + lid.x * ${RADIX_ITEMS}u, n);
  for (var d = 0u; d < ${BUCKETS}u; d++) {
    if (c[d] != 0u) { atomicAdd(&counts[d], c[d]); }
  }
  workgroupBarrier();
  if (lid.x < ${BUCKETS}u && block < blocks) { hist[lid.x * blocks + block] = atomicLoad(&counts[lid.x]); }
}
`;

export const RADIX_SCATTER_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> word: array<u32>;
@group(0) @binding(1) var<storage, read> perm_in: array<u32>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read> params: array<u32>;
@group(0) @binding(4) var<storage, read_write> perm_out: array<u32>;
// Per digit, per thread (digit-major): the threads' counts, then their exclusive prefix sums.
var<workgroup> cnt: array<u32, ${BUCKETS * RADIX_THREADS}>;
var<workgroup> part: array<u32, ${RADIX_THREADS}>;
${COUNT}
@compute @workgroup_size(${RADIX_THREADS})
fn scatter(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = params[0];
  let blocks = params[2];
  let block = wid.x + wid.y * nwg.x;
  let t = lid.x;
  let first = block * ${RADIX_BLOCK}u + t * ${RADIX_ITEMS}u;
  let own = count_items(first, n);
  for (var d = 0u; d < ${BUCKETS}u; d++) { cnt[d * ${RADIX_THREADS}u + t] = own[d]; }
  workgroupBarrier();
  // Exclusive scan of cnt in digit-major order: thread t scans entries ${BUCKETS}t … ${BUCKETS}t+${BUCKETS - 1}.
  var sum = 0u;
  for (var k = 0u; k < ${BUCKETS}u; k++) { sum += cnt[t * ${BUCKETS}u + k]; }
  part[t] = sum;
  workgroupBarrier();
  for (var s = 1u; s < ${RADIX_THREADS}u; s = s << 1u) {
    var a = 0u;
    if (t >= s) { a = part[t - s]; }
    workgroupBarrier();
    part[t] += a;
    workgroupBarrier();
  }
  var run = part[t] - sum;
  for (var k = 0u; k < ${BUCKETS}u; k++) {
    let x = cnt[t * ${BUCKETS}u + k];
    cnt[t * ${BUCKETS}u + k] = run;
    run += x;
  }
  workgroupBarrier();
  if (block >= blocks) { return; }
  var next: array<u32, ${BUCKETS}>;
  for (var d = 0u; d < ${BUCKETS}u; d++) {
    // Rows of digit d before this thread's, within the block.
    next[d] = offsets[d * blocks + block] + cnt[d * ${RADIX_THREADS}u + t] - cnt[d * ${RADIX_THREADS}u];
  }
  for (var k = 0u; k < ${RADIX_ITEMS}u; k++) {
    let i = first + k;
    if (i < n) {
      let row = perm_in[i];
      let d = (word[row] >> params[1]) & ${BUCKETS - 1}u;
      perm_out[next[d]] = row;
      next[d] += 1u;
    }
  }
}
`;
