import type { ColumnType } from '../schema/table.ts';

// Every output table is listed by the registry of product modules (functions/index.ts ALL_TABLES).

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
