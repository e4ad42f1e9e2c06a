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

/** Allocate `bytes` bytes, shared when asked for and available. */
export function allocateBuffer(bytes: number, shared = false): ArrayBuffer | SharedArrayBuffer {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new FitsError('BAD_SIZE', `Cannot allocate ${bytes} bytes.`);
  if (bytes > MAX_ALLOCATION) {
    throw new FitsError('BAD_SIZE', `Refusing to allocate ${bytes} bytes in one array; read a section or stream instead.`);
  }
  if (shared && sharedMemoryAvailable) return new SharedArrayBuffer(bytes);
  return new ArrayBuffer(bytes);
}

/** The platform's byte order. */
export const littleEndianHost: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
