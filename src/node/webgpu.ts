/**
 * Node and Bun: WebGPU from the optional `webgpu` package (Dawn), when it is
 * installed. Registered by src/index.node.ts; fitsflow never requires it.
 *
 * On a machine without a GPU, Dawn can run on a Vulkan software driver; point
 * VK_ICD_FILENAMES at one (e.g. SwiftShader's vk_swiftshader_icd.json) before
 * the first GPU request. fitsflow itself never sets environment variables.
 */
import { registerGpuLoader } from '../gpu/device.js';

let installed = false;

/** Let fitsflow find a GPU through the `webgpu` package when navigator.gpu is absent. */
export function installNodeWebGpu(): void {
  if (installed) return;
  installed = true;
  registerGpuLoader(async () => {
    const specifier = 'webgpu'; // a variable: bundlers must not try to include it
    let mod: { create?: (flags: string[]) => GPU };
    try {
      mod = (await import(/* @vite-ignore */ specifier)) as typeof mod;
    } catch {
      return null; // not installed
    }
    return typeof mod.create === 'function' ? mod.create([]) : null;
  });
}
