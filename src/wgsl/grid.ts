/**
 * How fitsflow's kernels are laid out on the dispatch grid: the workgroup
 * size every kernel declares, and the WGSL of a kernel's linear index over a
 * 2-D grid (gpu/dispatch.ts's `grid()` spreads large launches over y).
 */

/** Invocations per workgroup of fitsflow's kernels. */
export const WORKGROUP = 64;

/**
 * The WGSL of kernels' linear invocation index; the entry point declares
 * `@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u`.
 */
export const LINEAR_INDEX = `(gid.x + gid.y * nwg.x * ${WORKGROUP}u)`;
