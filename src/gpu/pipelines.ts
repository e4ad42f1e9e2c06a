/**
 * Compute pipelines, compiled once per device and reused: keyed by the WGSL
 * source, the entry point and the override constants.
 */
/// <reference types="@webgpu/types" preserve="true" />
import { FitsError } from '../core/errors.js';

type Constants = Record<string, number | boolean>;

/** Access of each @group(0) binding, in binding order: 'r' read-only storage, 'w' read-write storage. */
export type BindingKinds = readonly ('r' | 'w')[];

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  constructor(private readonly device: GPUDevice) {}

  /** Number of pipelines compiled so far (for tests). */
  get size(): number {
    return this.pipelines.size;
  }

  private module(code: string): GPUShaderModule {
    let m = this.modules.get(code);
    if (!m) {
      m = this.device.createShaderModule({ code });
      this.modules.set(code, m);
    }
    return m;
  }

  /**
   * The pipeline for `code`'s `entry` with these override constants (compiled
   * on first use). With `bindings`, the layout is explicit (every binding
   * exists even if the shader does not use it); else 'auto'.
   */
  get(code: string, entry: string, constants: Constants = {}, bindings?: BindingKinds): Promise<GPUComputePipeline> {
    const keys = Object.keys(constants).sort();
    const key = `${entry}\u0000${keys.map((k) => `${k}=${Number(constants[k])}`).join(',')}\u0000${bindings?.join('') ?? 'auto'}\u0000${code}`;
    let p = this.pipelines.get(key);
    if (!p) {
      // Push and pop synchronously: error scopes are a per-device stack, and an
      // await in between would interleave with other operations' scopes.
      this.device.pushErrorScope('validation');
      const module = this.module(code);
      const c: Record<string, number> = {};
      for (const k of keys) c[k] = Number(constants[k]);
      let layout: GPUPipelineLayout | 'auto' = 'auto';
      if (bindings) {
        const bgl = this.device.createBindGroupLayout({
          entries: bindings.map((k, i) => ({ binding: i, visibility: 4 /* COMPUTE */, buffer: { type: k === 'r' ? 'read-only-storage' : 'storage' } })),
        });
        layout = this.device.createPipelineLayout({ bindGroupLayouts: [bgl] });
      }
      const moduleError = this.device.popErrorScope();
      p = (async () => {
        const fail = async (e: unknown): Promise<never> => {
          const info = await module.getCompilationInfo?.().catch(() => undefined);
          const msgs = info?.messages.filter((x) => x.type === 'error').map((x) => `${x.lineNum}:${x.linePos} ${x.message}`).join('; ');
          throw new FitsError('GPU', `Cannot compile the GPU kernel ${entry}: ${msgs || (e instanceof Error ? e.message : String(e))}`, { cause: e });
        };
        const pipeline = await this.device.createComputePipelineAsync({ layout, compute: { module, entryPoint: entry, constants: c } }).catch(fail);
        const err = await moduleError;
        if (err) await fail(new Error(err.message));
        return pipeline;
      })();
      p.catch(() => this.pipelines.delete(key));
      this.pipelines.set(key, p);
    }
    return p;
  }

  clear(): void {
    this.modules.clear();
    this.pipelines.clear();
  }
}
