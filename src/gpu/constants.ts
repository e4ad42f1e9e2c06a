/**
 * WebGPU flag values (the numbers the spec fixes), so fitsflow does not depend
 * on the GPUBufferUsage / GPUMapMode globals, which Node's `webgpu` package
 * only installs on request.
 */
export const U = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const MAP_READ = 0x0001;
