/// <reference types="@webgpu/types" />
/**
 * The WebGPU types (`GPU`, `GPUDevice`, …) are globals of @webgpu/types. This
 * declaration file carries the reference to them into the published
 * declarations of every module that imports a type from it (fitsflow/gpu's):
 * the declaration bundler keeps type references of .d.ts sources only.
 * They need the DOM library, so only `fitsflow/gpu` refers to them.
 */
/** WebGPU's entry point (`navigator.gpu`). */
export type WebGpu = GPU;
