import { hiveType, type ViewDef } from '../shared/sql/views.ts';

/**
 * An Athena view as the Glue Data Catalog stores it (what `CREATE VIEW` in Athena writes): a table of type
 * VIRTUAL_VIEW whose ViewOriginalText is `/* Presto View: <base64 JSON> *\/`, the JSON holding the SQL, the
 * catalog and database it resolves names in, and the output columns with their Trino types. Athena checks
 * the columns against the SQL at query time (a mismatch reads "view is stale"); the `@column` lines of each
 * view file are checked against DuckDB's inference by test/sql/views.test.ts.
 */
export interface PrestoView {
  originalSql: string;
  catalog: string;
  schema: string;
  columns: { name: string; type: string }[];
}

export function prestoView(view: ViewDef, database: string): PrestoView {
  return { originalSql: view.sql, catalog: 'awsdatacatalog', schema: database, columns: view.columns.map((c) => ({ name: c.name, type: c.type })) };
}

export function viewOriginalText(view: ViewDef, database: string): string {
  return `/* Presto View: ${Buffer.from(JSON.stringify(prestoView(view, database)), 'utf8').toString('base64')} */`;
}

/** Glue columns of a view (Hive types), with the descriptions of the view file. */
export function viewColumns(view: ViewDef): { name: string; type: string; comment?: string }[] {
  return view.columns.map((c) => ({ name: c.name, type: hiveType(c.type), ...(c.description ? { comment: c.description.slice(0, 255) } : {}) }));
}
