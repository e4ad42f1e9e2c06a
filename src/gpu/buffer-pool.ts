/**
 * Reuse of GPU buffers between operations: storage buffers and map-read
 * staging buffers are kept (up to a byte budget) by usage and size class
 * (powers of two), so repeated reads of similar images allocate nothing.
 */
/// <reference types="@webgpu/types" preserve="true" />
import { FitsError } from '../core/errors.js';
import { U } from './constants.js';

/** Bytes of idle buffers kept for reuse. */
const KEEP_BYTES = 256 << 20;

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private idleBytes = 0;
  constructor(private readonly device: GPUDevice) {}

  private static sizeClass(bytes: number): number {
    const b = Math.max(256, bytes);
    return 2 ** Math.ceil(Math.log2(b));
  }

  /**
   * A buffer of at least `bytes` bytes with `usage`. Contents are unspecified.
   * Buffers above 64 MiB are sized exactly (not rounded up) and still pooled.
   */
  acquire(bytes: number, usage: number, label = 'fitsflow'): GPUBuffer {
    const size = bytes > 64 << 20 ? Math.ceil(bytes / 256) * 256 : BufferPool.sizeClass(bytes);
    const key = `${usage}:${size}`;
    const list = this.free.get(key);
    const b = list?.pop();
    if (b) {
      this.idleBytes -= b.size;
      return b;
    }
    if (size > this.device.limits.maxBufferSize) {
      throw new FitsError('GPU', `A GPU buffer of ${size} bytes exceeds the device's maxBufferSize (${this.device.limits.maxBufferSize}).`);
    }
    return this.device.createBuffer({ size, usage, label });
  }

  /** A buffer holding `data` (padded with zeros to a multiple of 4 bytes plus `padBytes`). */
  upload(data: ArrayBufferView, usage = U.STORAGE | U.COPY_DST, padBytes = 0): GPUBuffer {
    const n = data.byteLength;
    const size = Math.max(16, Math.ceil((n + padBytes) / 4) * 4);
    const b = this.acquire(size, usage | U.COPY_DST);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, n);
    const whole = n & ~3;
    // writeBuffer needs a multiple of 4 bytes; the tail goes in a padded copy.
    if (whole > 0) this.device.queue.writeBuffer(b, 0, bytes as Uint8Array<ArrayBuffer>, 0, whole);
    const tail = new Uint8Array(Math.min(b.size, size) - whole);
    tail.set(bytes.subarray(whole));
    if (tail.length) this.device.queue.writeBuffer(b, whole, tail);
    return b;
  }

  /** Return a buffer for reuse (or destroy it when the pool is full). */
  release(b: GPUBuffer | null | undefined): void {
    if (!b) return;
    if (b.mapState !== 'unmapped' || this.idleBytes + b.size > KEEP_BYTES) {
      b.destroy();
      return;
    }
    const key = `${b.usage}:${b.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(b);
    this.idleBytes += b.size;
  }

  /** Destroy every idle buffer. */
  clear(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.idleBytes = 0;
  }
}
