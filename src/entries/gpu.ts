/**
 * `fitsflow/gpu`: the WebGPU device fitsflow computes on (`useGpu`), its
 * events, and images read straight into GPU buffers. `readImage({ gpu })` and
 * `filterAsync({ gpu })` work without importing this; import it to choose or
 * watch the device.
 * @packageDocumentation
 * @module fitsflow/gpu
 */
/// <reference types="@webgpu/types" preserve="true" />
export { useGpu, releaseGpu, getGpu, onGpuEvent, currentGpuInfo, describeAdapter, type GpuChoice, type GpuInput, type GpuEvent, type GpuEventListener, type GpuAdapterSummary } from '../gpu/device.js';
export { readImageToGpuBuffer } from '../file/read-to-gpu.js';
export type { GpuImage, GpuImageOptions } from '../image/read-gpu.js';
export { GpuImageRenderer, gpuPlane, type GpuPixels, type GpuRenderOptions, type GpuView, type GpuImageLike, type GpuPixelType } from '../render/render.wgsl.js';
