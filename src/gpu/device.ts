/**
 * The WebGPU device fitsflow computes on: where it comes from, what it can do,
 * and what happens when it goes away.
 *
 * Where the device comes from, in order:
 *   1. whatever the caller handed to {@link useGpu} (a `GPU`, a `GPUAdapter` or
 *      a `GPUDevice`; fitsflow never requires a WebGPU package of its own);
 *   2. `navigator.gpu` (browsers, Deno);
 *   3. in Node and Bun (no navigator.gpu), the optional `webgpu` package (Dawn)
 *      when it is installed, imported on the first GPU request.
 *
 * This module holds the process's one device (documented state: `useGpu`
 * sets it, `releaseGpu` drops it), shared by every GPU read and table op.
 *
 * Limits and features are checked once, when the device is created
 * ({@link REQUIRED_LIMITS}); a device that is too small is refused, with a
 * reason, as if there were none.
 *
 * Device loss: the context is marked lost, a `device-lost` event is emitted,
 * every operation in flight discards its GPU result and recomputes on the CPU
 * (emitting `fallback`), and the next request creates a new device (unless the
 * device was the caller's own, which fitsflow cannot recreate). Results are
 * never taken from a lost device.
 *
 * Software adapters (SwiftShader, lavapipe/llvmpipe, WARP, the WebGPU
 * "fallback adapter") are detected from `adapter.info`; `gpu: 'auto'` never
 * uses them, `gpu: true` does.
 */
/// <reference types="@webgpu/types" preserve="true" />
import { FitsError } from '../core/errors.js';
import { littleEndianHost } from '../core/buffers.js';
import { BufferPool } from './buffer-pool.js';
import { PipelineCache } from './pipelines.js';

/** What `gpu` options accept: never use the GPU, always (error if none), or where it pays. */
export type GpuChoice = boolean | 'auto';

/** Something fitsflow can compute on: a WebGPU entry point, an adapter, or a device. */
export type GpuInput = GPU | GPUAdapter | GPUDevice;

/** Limits fitsflow needs (beyond the WebGPU defaults it asks for the adapter's maximum of the buffer sizes). */
export const REQUIRED_LIMITS = {
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupSizeX: 256,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupStorageSize: 16384,
} as const;

/** Events about the GPU. */
export type GpuEvent =
  | { type: 'device'; info: GpuAdapterSummary }
  | { type: 'device-lost'; reason: string; message: string }
  | { type: 'fallback'; operation: string; reason: string }
  | { type: 'plan'; operation: string; target: 'gpu' | 'cpu'; reason: string };

/** A function {@link onGpuEvent} calls with each GPU event. */
export type GpuEventListener = (e: GpuEvent) => void;

/** What fitsflow knows about the adapter it runs on. */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation of WebGPU (SwiftShader, lavapipe, WARP, fallback adapter). */
  software: boolean;
  /** Which software implementation, when `software`. */
  softwareName?: string;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** A device ready for fitsflow's kernels. */
export class GpuContext {
  readonly pipelines: PipelineCache;
  readonly pool: BufferPool;
  lost = false;
  constructor(
    readonly device: GPUDevice,
    readonly info: GpuAdapterSummary,
    /** True when fitsflow created the device (and may destroy / recreate it). */
    readonly owned: boolean,
    /**
     * The GPU object the device came from. Kept referenced: some native
     * implementations (Node's Dawn) tear everything down when it is collected.
     */
    readonly gpu?: GPU,
  ) {
    this.pipelines = new PipelineCache(device);
    this.pool = new BufferPool(device);
  }
  /** Largest buffer a kernel may bind. */
  get maxBinding(): number {
    return Math.min(this.info.maxStorageBufferBindingSize, this.info.maxBufferSize);
  }
}

// ---------------------------------------------------------------- events

const listeners = new Set<GpuEventListener>();

/** Listen to GPU events (device created / lost, CPU fallbacks, planner decisions). Returns an unsubscribe function. */
export function onGpuEvent(listener: GpuEventListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Emit an event to every listener (listener errors are ignored). */
export function emitGpuEvent(e: GpuEvent): void {
  for (const l of listeners) {
    try {
      l(e);
    } catch {
      // a listener's bug must not break a read
    }
  }
}

// ---------------------------------------------------------------- sources

let explicit: GpuInput | null | undefined; // undefined: not set; null: GPU disabled
let current: Promise<GpuContext | null> | null = null;
let currentCtx: GpuContext | null = null;
let lastFailure = '';
const lostDevices = new WeakSet<GPUDevice>();

/**
 * Compute on this GPU, adapter or device from now on (replacing any device
 * fitsflow created). `null` disables the GPU: `gpu: true` then fails and
 * `'auto'` uses the CPU. `undefined` restores automatic discovery.
 */
export function useGpu(gpu: GpuInput | null | undefined): void {
  releaseGpu();
  explicit = gpu;
}

/** Forget the current device (destroying it if fitsflow created it). The next GPU request creates a new one. */
export function releaseGpu(): void {
  const ctx = currentCtx;
  current = null;
  currentCtx = null;
  if (ctx) {
    ctx.pool.clear();
    ctx.pipelines.clear();
    if (ctx.owned && !ctx.lost) {
      ctx.lost = true;
      ctx.device.destroy();
    }
  }
}

function isDevice(x: GpuInput): x is GPUDevice {
  return typeof (x as GPUDevice).createBuffer === 'function';
}
function isAdapter(x: GpuInput): x is GPUAdapter {
  return typeof (x as GPUAdapter).requestDevice === 'function';
}

/** Node and Bun: the optional `webgpu` package's GPU, or null when it is not installed. */
async function loadWebgpuPackage(): Promise<GPU | null> {
  const specifier = 'webgpu'; // a variable: bundlers must not try to include it
  let mod: { create?: (flags: string[]) => GPU };
  try {
    mod = (await import(/* @vite-ignore */ specifier)) as typeof mod;
  } catch {
    return null; // not installed
  }
  return typeof mod.create === 'function' ? mod.create([]) : null;
}

function isNodeLike(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
}

function globalGpu(): GPU | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu ?? undefined;
}

/** Recognise CPU implementations of WebGPU from the adapter info. */
export function detectSoftware(info: { vendor?: string; architecture?: string; device?: string; description?: string }, fallback?: boolean): string | undefined {
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.device ?? ''} ${info.description ?? ''}`.toLowerCase();
  if (text.includes('swiftshader')) return 'SwiftShader';
  if (text.includes('llvmpipe') || text.includes('lavapipe')) return 'lavapipe (llvmpipe)';
  if (text.includes('softpipe')) return 'softpipe';
  if (text.includes('microsoft basic render') || /\bwarp\b/.test(text)) return 'WARP';
  if (fallback) return 'fallback adapter';
  return undefined;
}

function summarize(info: GPUAdapterInfo | undefined, limits: GPUSupportedLimits, fallback: boolean | undefined): GpuAdapterSummary {
  const i = { vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', device: info?.device ?? '', description: info?.description ?? '' };
  const softwareName = detectSoftware(i, fallback || (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter);
  return {
    ...i,
    software: softwareName !== undefined,
    ...(softwareName ? { softwareName } : {}),
    maxBufferSize: limits.maxBufferSize,
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
  };
}

/** Why a device's limits are not enough, or '' when they are. */
function checkLimits(limits: GPUSupportedLimits): string {
  for (const [k, v] of Object.entries(REQUIRED_LIMITS)) {
    const have = (limits as unknown as Record<string, number>)[k];
    if (typeof have === 'number' && have < v) return `the device's ${k} is ${have}, fitsflow needs ${v}`;
  }
  return '';
}

async function deviceFromAdapter(adapter: GPUAdapter, gpu: GPU | undefined): Promise<GpuContext> {
  const why = checkLimits(adapter.limits);
  if (why) throw new FitsError('GPU', `The WebGPU adapter is too limited: ${why}.`);
  const requiredLimits: Record<string, number> = {
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxStorageBuffersPerShaderStage: Math.max(REQUIRED_LIMITS.maxStorageBuffersPerShaderStage, Math.min(10, adapter.limits.maxStorageBuffersPerShaderStage)),
    maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
  };
  const device = await adapter.requestDevice({ requiredLimits });
  const info = summarize(adapter.info, device.limits, (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  return new GpuContext(device, info, true, gpu);
}

async function create(): Promise<GpuContext | null> {
  if (!littleEndianHost) {
    lastFailure = 'fitsflow computes on the GPU only on little-endian hosts';
    return null;
  }
  let src: GpuInput | null | undefined = explicit;
  if (src === null) {
    lastFailure = 'the GPU was disabled with useGpu(null)';
    return null;
  }
  if (src === undefined) src = globalGpu();
  if (src === undefined && isNodeLike()) {
    try {
      src = (await loadWebgpuPackage()) ?? undefined;
    } catch (e) {
      lastFailure = `loading a WebGPU implementation failed: ${e instanceof Error ? e.message : String(e)}`;
      return null;
    }
  }
  if (src === undefined) {
    lastFailure = 'this runtime has no WebGPU (no navigator.gpu; in Node, install the optional "webgpu" package or pass a GPU to useGpu())';
    return null;
  }
  let ctx: GpuContext;
  if (isDevice(src)) {
    if (lostDevices.has(src)) {
      lastFailure = 'the GPUDevice given to useGpu() was lost; pass a new one';
      return null;
    }
    const why = checkLimits(src.limits);
    if (why) throw new FitsError('GPU', `The WebGPU device is too limited: ${why}.`);
    const info = summarize((src as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo, src.limits, undefined);
    ctx = new GpuContext(src, info, false);
  } else {
    const adapter = isAdapter(src) ? src : await src.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      lastFailure = 'WebGPU found no adapter';
      return null;
    }
    ctx = await deviceFromAdapter(adapter, isAdapter(src) ? undefined : src);
  }
  const device = ctx.device;
  void device.lost.then((info) => {
    if (ctx.lost) return; // destroyed by us
    ctx.lost = true;
    lostDevices.add(device);
    if (currentCtx === ctx) {
      current = null;
      currentCtx = null;
    }
    emitGpuEvent({ type: 'device-lost', reason: String(info.reason ?? 'unknown'), message: info.message ?? '' });
  });
  emitGpuEvent({ type: 'device', info: ctx.info });
  return ctx;
}

/**
 * The device to compute on, created on first use; null when there is none
 * (see {@link gpuUnavailableReason}).
 */
export async function gpuContext(): Promise<GpuContext | null> {
  if (currentCtx && currentCtx.lost) releaseGpu();
  if (!current) {
    current = create().then(
      (ctx) => {
        currentCtx = ctx;
        if (!ctx) current = null; // retry discovery next time (e.g. after useGpu)
        return ctx;
      },
      (e) => {
        current = null;
        throw e;
      },
    );
  }
  return current;
}

/** The device, or FitsError('GPU') when there is none. */
export async function requireGpu(): Promise<GpuContext> {
  let ctx: GpuContext | null;
  try {
    ctx = await gpuContext();
  } catch (e) {
    if (e instanceof FitsError) throw e;
    throw new FitsError('GPU', `Cannot create a WebGPU device: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (!ctx) throw new FitsError('GPU', `No WebGPU adapter: ${lastFailure || 'none found'}.`);
  return ctx;
}

/**
 * The device fitsflow computes on (created on first use) and its adapter's
 * summary, for work of your own on the same device (rendering, ML).
 * @throws FitsError('GPU') saying why when there is no adapter.
 */
export async function getGpu(): Promise<{ device: GPUDevice; info: GpuAdapterSummary }> {
  const ctx = await requireGpu();
  return { device: ctx.device, info: ctx.info };
}

/** Why the last attempt to get a device found none. */
export function gpuUnavailableReason(): string {
  return lastFailure;
}

/** The current device's summary without creating one (null if none was created yet). */
export function currentGpuInfo(): GpuAdapterSummary | null {
  return currentCtx && !currentCtx.lost ? currentCtx.info : null;
}

/** The current context without creating one (null if none yet, or lost). */
export function currentGpuContext(): GpuContext | null {
  return currentCtx && !currentCtx.lost ? currentCtx : null;
}

/** Describe the adapter in one line, marking software adapters. */
export function describeAdapter(info: GpuAdapterSummary): string {
  const name = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(' ') || 'unknown adapter';
  return info.software ? `${name} [SOFTWARE adapter: ${info.softwareName}; timings are not GPU timings]` : name;
}
