/**
 * `fitsflow/table`: the FitsTable class (tables read by `hdu.readTable()` are
 * FitsTables; import the class to build one, `FitsTable.fromArrays(…)`, or to
 * test `instanceof`), its filter/sort backends, and the expression checker.
 * @packageDocumentation
 * @module fitsflow/table
 */
export { FitsTable, type Cell, type Row, type FilterOptions, type SortOptions } from '../table/ops/fits-table.js';
export type { TableBackend, TableView, TableJob, SortKeySpec, BackendChoice } from '../table/ops/backend.js';
export type { CheckedExpr } from '../table/ops/expression/check.js';
export { ExpressionError } from '../table/ops/expression/tokenizer.js';
