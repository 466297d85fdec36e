import { productModules } from '../../functions/index.ts';
import { collectorUnits } from '../engine/units-table.ts';
import type { AnyTable, ColumnType } from '../schema/table.ts';

/**
 * Every output table of every product module, once (products may share tables, e.g. Jira Cloud and Data
 * Center), whatever a deployment collects: the SQL views read across products, so the catalog (Glue; DuckDB
 * locally) has every table, empty when a product is not collected.
 */
export function allTables(): AnyTable[] {
  const seen = new Map<string, AnyTable>([[collectorUnits.name, collectorUnits]]);
  for (const m of Object.values(productModules)) for (const t of m?.tables ?? []) if (!seen.has(t.name)) seen.set(t.name, t);
  return [...seen.values()];
}

export const ALL_TABLES: readonly AnyTable[] = allTables();

/** Partition columns every table has (Hive `dt=`/`org=`), typed as Glue types them: strings. */
export const PARTITION_COLUMNS = ['dt', 'org'] as const;

/** DuckDB type of a column type: the same values Athena sees through the Glue columns. */
export function duckdbType(t: ColumnType): string {
  switch (t) {
    case 'string':
    case 'timestamp':
      return 'VARCHAR';
    case 'bigint':
      return 'BIGINT';
    case 'double':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'array<string>':
      return 'VARCHAR[]';
  }
}
