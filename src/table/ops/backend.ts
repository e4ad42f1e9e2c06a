/**
 * Table compute backends: where filters and sorts run.
 *
 * The CPU backend (backend-cpu.ts) is always there. The GPU backend
 * (backend-gpu.ts) is loaded on demand (choose-backend.ts) by the asynchronous methods
 * (`filterAsync`, `sortAsync`); FitsTable's `gpu` option picks:
 * `false` → CPU; `true` → the GPU backend (FitsError('GPU') without an
 * adapter); `'auto'` (default) → the GPU backend when the table is large
 * enough to consider it (gpu/thresholds.ts) and it accepts the job
 * ({@link TableBackend.supports}), else the CPU. The synchronous methods
 * (`filter`, `sort`) run on the CPU, or on a synchronous backend passed as
 * `backend`. A caller can pass any backend explicitly (`{ backend }`).
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
import type { Column } from '../column.js';
import type { CheckedExpr } from './expression/check.js';

/** What a backend sees of a table (FitsTable implements it). */
export interface TableView {
  readonly numRows: number;
  readonly columnNames: string[];
  /** Column i of the view (gathered through the view's rows). */
  columnAt(i: number): Column;
  /** Column i's storage and the view's row index into it (null: the identity). */
  columnSource(i: number): { column: Column; rows: Uint32Array | null };
}

/** One normalised sort key. */
export interface SortKeySpec {
  /** Index of the column in `table.columns`. */
  column: number;
  descending: boolean;
  /** Where nulls go. NaN always sorts after every number, in both directions. */
  nulls: 'first' | 'last';
}

/** A filter or sort job, as {@link TableBackend.supports} sees it. */
export type TableJob = ({ kind: 'filter'; table: TableView; expr: CheckedExpr } | { kind: 'sort'; table: TableView; keys: readonly SortKeySpec[] }) & {
  /** True when the caller needs a synchronous answer (FitsTable.filter/sort); an async-only backend must decline. */
  sync?: boolean;
};

/** Where filters and sorts run. */
export interface TableBackend {
  readonly name: string;
  /** Row indices (ascending) of `table` where the checked boolean expression is true. */
  filter(table: TableView, expr: CheckedExpr): Uint32Array | Promise<Uint32Array>;
  /** The stable permutation that sorts `table` by `keys` (first key most significant). */
  sort(table: TableView, keys: readonly SortKeySpec[]): Uint32Array | Promise<Uint32Array>;
  /** Whether this backend can run a job (for `gpu: 'auto'`); absent means yes. */
  supports?(job: TableJob): boolean;
}

/** Which backend a call should use. */
export type BackendChoice = 'auto' | boolean;
