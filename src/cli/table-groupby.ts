/**
 * `fitsflow table FILE --group-by K1,K2 --agg "count(),mean(C),min(C),max(C),sum(C),std(C),median(C)"`:
 * the table command's group-by step (FitsTable.groupBy, analytics/group-by.ts),
 * applied after --where and before --sort/--columns/--limit, like SQL's
 * WHERE … GROUP BY … ORDER BY … LIMIT. Output: the key columns, then one
 * column per aggregation named as written (`mean(C)`).
 */
import type { FitsTable } from '../table/ops/fits-table.js';
import { parseAggList, type AggSpec } from '../table/ops/analytics/group-by.js';
import { UsageError, type ParsedArgs } from './command.js';
import { asUsage } from './table-output.js';

/** A parsed --group-by/--agg pair. */
export interface GroupBySpec {
  keys: string[];
  aggs: AggSpec[];
}

/** The --group-by/--agg flags, or null when neither is given (UsageError when only one is, or when malformed). */
export function groupByFlags(args: ParsedArgs): GroupBySpec | null {
  const g = args.flags.get('group-by');
  const a = args.flags.get('agg');
  if (g === undefined && a === undefined) return null;
  if (g === true || a === true) throw new UsageError(`--${g === true ? 'group-by' : 'agg'} needs a value`);
  if (g === undefined) throw new UsageError('--agg needs --group-by KEY[,KEY2]');
  const keys = g.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (keys.length === 0) throw new UsageError('--group-by needs one or more key columns');
  return { keys, aggs: asUsage(() => parseAggList(a ?? 'count()')) };
}

/** Columns the group-by reads: its keys and the aggregated columns. */
export function groupByColumns(spec: GroupBySpec): string[] {
  return [...new Set([...spec.keys, ...spec.aggs.flatMap((s) => (s.column !== undefined ? [s.column] : []))])];
}

/** One row per group of `table` (a missing column or a bad aggregation is a usage error). */
export function groupByTable(table: FitsTable, spec: GroupBySpec): FitsTable {
  return asUsage(() => table.groupBy(spec.keys).agg(spec.aggs));
}
