/**
 * Which backend runs a filter or sort (see backend.ts for the rules): the
 * GPU backend is imported only when the choice may use it.
 */
import { FitsError } from '../../core/errors.js';
import { AUTO_THRESHOLDS } from '../../gpu/thresholds.js';
import type { BackendChoice, TableBackend, TableJob } from './backend.js';

function checkChoice(gpu: BackendChoice | undefined): void {
  if (gpu !== undefined && gpu !== true && gpu !== false && gpu !== 'auto') {
    throw new FitsError('BAD_ARGUMENT', `The gpu option must be true, false or 'auto', not ${String(gpu)}.`);
  }
}

/** The backend of a synchronous call: `given`, else the CPU; `gpu: true` needs the async methods. */
export function syncBackend(gpu: BackendChoice | undefined, cpu: TableBackend, given: TableBackend | undefined, method: string): TableBackend {
  checkChoice(gpu);
  if (given) return given;
  if (gpu === true) throw new FitsError('GPU', `The GPU backend is asynchronous: use ${method}Async(…, { gpu: true }).`);
  return cpu;
}

/** The backend of an asynchronous call (loads the GPU backend when the choice may use it). */
export async function asyncBackend(gpu: BackendChoice | undefined, cpu: TableBackend, given: TableBackend | undefined, job: TableJob): Promise<TableBackend> {
  checkChoice(gpu);
  if (given) return given;
  if (gpu === false) return cpu;
  if (gpu !== true && job.table.numRows < AUTO_THRESHOLDS.tableRows) return cpu; // 'auto': too small to consider the GPU
  const { gpuTableBackend } = await import('./backend-gpu.js');
  if (gpu === true) return gpuTableBackend;
  return !gpuTableBackend.supports || gpuTableBackend.supports(job) ? gpuTableBackend : cpu;
}
