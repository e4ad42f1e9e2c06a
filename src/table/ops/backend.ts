/**
 * Table compute backends: where filters, sorts and gathers run.
 *
 * The CPU backend (backend-cpu.ts) is always available. A GPU backend can be
 * registered with {@link registerTableBackend}; FitsTable's `gpu` option picks:
 * `false` → CPU; `true` → the registered GPU backend, or FitsError('GPU') when
 * none is registered; `'auto'` (default) → the GPU backend when registered and
 * it accepts the job ({@link TableBackend.supports}), else the CPU.
 *
 * FitsTable's synchronous `filter`/`sort` need a backend that answers
 * synchronously; `filterAsync`/`sortAsync` await any backend (a WebGPU one will
 * be asynchronous).
 *
 * Writing a backend (notes for the GPU one):
 * - `filter` gets the type-checked tree ({@link CheckedExpr}): column leaves
 *   carry the column position, dtype, flat element index and cell stride, so
 *   a WGSL compiler never sees user text. Its semantics are documented in
 *   expression/compile-cpu.ts (float64 compare, exact 64-bit constants, Kleene
 *   nulls); WGSL lacks f64 and i64, so 64-bit comparisons against constants are
 *   best done on the two u32 halves, as the CPU's Range64Pred does.
 * - `sort` can upload the order-preserving u32 key words of sort/keys.ts
 *   (`sortKeyWords`): comparing them as unsigned words, most significant first,
 *   gives exactly the CPU order, NaN and -0 included; nulls via `nullFlags`.
 * - `table.columnSource(i)` gives a column's storage and the view's row index,
 *   so views need not be gathered before upload.
 */
import { FitsError } from '../../core/errors.js';
import type { CheckedExpr } from './expression/check.js';
import type { FitsTable } from './fits-table.js';

/** One normalised sort key. */
export interface SortKeySpec {
  /** Index of the column in `table.columns`. */
  column: number;
  descending: boolean;
  /** Where nulls go. NaN always sorts after every number, in both directions. */
  nulls: 'first' | 'last';
}

export interface TableBackend {
  readonly name: string;
  /** Row indices (ascending) of `table` where the checked boolean expression is true. */
  filter(table: FitsTable, expr: CheckedExpr): Uint32Array | Promise<Uint32Array>;
  /** The stable permutation that sorts `table` by `keys` (first key most significant). */
  sort(table: FitsTable, keys: readonly SortKeySpec[]): Uint32Array | Promise<Uint32Array>;
  /** A table of the given rows of `table`, materialised. */
  gather(table: FitsTable, indices: Uint32Array): FitsTable | Promise<FitsTable>;
  /** Whether this backend can run a job (for `gpu: 'auto'`); absent means yes. */
  supports?(job: ({ kind: 'filter'; table: FitsTable; expr: CheckedExpr } | { kind: 'sort'; table: FitsTable; keys: readonly SortKeySpec[] }) & {
    /** True when the caller needs a synchronous answer (FitsTable.filter/sort); an async-only backend must decline. */
    sync?: boolean;
  }): boolean;
}

/** Which backend a call should use. */
export type BackendChoice = 'auto' | boolean;

const registry = new Map<string, TableBackend>();

/** Register (or, with null, remove) a backend under a name. 'gpu' is the one the `gpu` option uses. */
export function registerTableBackend(name: 'gpu' | 'cpu' | (string & {}), backend: TableBackend | null): void {
  if (backend === null) registry.delete(name);
  else registry.set(name, backend);
}

/** The registered backend of a name, if any. */
export function getTableBackend(name: string): TableBackend | undefined {
  return registry.get(name);
}

/**
 * Pick a backend for a job. `cpu` is the built-in CPU backend (passed in to
 * avoid an import cycle).
 */
export function chooseBackend(
  gpu: BackendChoice | undefined,
  cpu: TableBackend,
  job: Parameters<NonNullable<TableBackend['supports']>>[0],
): TableBackend {
  const registeredCpu = registry.get('cpu') ?? cpu;
  if (gpu === false) return registeredCpu;
  const g = registry.get('gpu');
  if (gpu === true) {
    if (!g) throw new FitsError('GPU', 'No GPU table backend is registered (registerTableBackend("gpu", …)); use gpu: false or "auto".');
    return g;
  }
  if (gpu !== undefined && gpu !== 'auto') throw new FitsError('BAD_ARGUMENT', `The gpu option must be true, false or 'auto', not ${String(gpu)}.`);
  if (g && (!g.supports || g.supports(job))) return g;
  return registeredCpu;
}
