/**
 * Buffer allocation: SharedArrayBuffer where the runtime has it (so workers and
 * the GPU upload path can read without copies), plain ArrayBuffer otherwise.
 */
import { FitsError } from './errors.js';

/** True when SharedArrayBuffer can be constructed here (cross-origin isolated in browsers). */
export const sharedMemoryAvailable: boolean = (() => {
  try {
    return typeof SharedArrayBuffer === 'function' && new SharedArrayBuffer(8).byteLength === 8;
  } catch {
    return false;
  }
})();

/** Largest single allocation fitsflow will make for one array (bytes). */
export const MAX_ALLOCATION = 2 ** 33; // 8 GiB: beyond this a read must stream

/**
 * Allocate `bytes` bytes, shared when asked for and available. `countNow`
 * false: a shared buffer's size is reported to the garbage collector only
 * when the caller calls {@link countShared} (see allocateShared).
 */
export function allocateBuffer(bytes: number, shared = false, countNow = true): ArrayBuffer | SharedArrayBuffer {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new FitsError('BAD_SIZE', `Cannot allocate ${bytes} bytes.`);
  if (bytes > MAX_ALLOCATION) {
    throw new FitsError('BAD_SIZE', `Refusing to allocate ${bytes} bytes in one array; read a section or stream instead.`);
  }
  if (shared && sharedMemoryAvailable) return countNow ? allocateShared(bytes) : new SharedArrayBuffer(bytes);
  return new ArrayBuffer(bytes);
}

/*
 * Why shared buffers come with a twin. V8 (Node 20, Deno, Chromium) starts a
 * garbage collection when the ArrayBuffer memory allocated since the last one
 * grows, but does not count SharedArrayBuffers: a loop that reads 64 MiB into a
 * new SharedArrayBuffer and drops it grew RSS by 64 MiB a read (2.6 GiB after
 * 40) where an ArrayBuffer stayed at ~170 MiB, and a worker that only writes
 * into shared outputs never collects at all, so it keeps every output it was
 * sent alive. So each large shared allocation is paired with an ArrayBuffer of
 * the same size that is never touched: V8 counts it, so collections come as
 * they would for unshared memory, and it costs address space, not pages (the
 * allocator maps fresh zero pages lazily). Measured: the same loop then stays
 * at 169–427 MiB (114–501 MiB with a worker filling half of each buffer).
 * Workers call reportSharedMemory for what they were sent.
 */

/** Below this a shared buffer gets no twin (small buffers are not what fills memory). */
const TWIN_MIN_BYTES = 1 << 20;
const twins = new WeakMap<SharedArrayBuffer, ArrayBuffer>();

/** A SharedArrayBuffer of `bytes` bytes whose size the garbage collector counts (see above). */
export function allocateShared(bytes: number): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(bytes);
  countShared(buffer);
  return buffer;
}

/**
 * Make the garbage collector count `buffer` (once; no-op for small or
 * unshared buffers). Allocating the twin may run a collection there and then,
 * so a parallel read calls this after handing its job to the workers, not
 * before.
 */
export function countShared(buffer: ArrayBufferLike): void {
  if (!(typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer)) return;
  if (buffer.byteLength < TWIN_MIN_BYTES || twins.has(buffer)) return;
  try {
    twins.set(buffer, new ArrayBuffer(buffer.byteLength));
  } catch {
    // No address space for the twin (a 32-bit or capped runtime): the buffer is still good.
  }
}

/**
 * Tell this thread's garbage collector about `bytes` of shared memory it was
 * sent (a worker's view of an output): an ArrayBuffer of that size is
 * allocated untouched and dropped, which counts toward V8's next collection,
 * and that collection releases this thread's hold on the shared memory.
 */
export function reportSharedMemory(bytes: number): void {
  if (bytes < TWIN_MIN_BYTES) return;
  try {
    void new ArrayBuffer(Math.min(bytes, MAX_ALLOCATION));
  } catch {
    // Nothing to report with: the next collection comes later, as without this call.
  }
}

/** The platform's byte order. */
export const littleEndianHost: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
