import type { SqlEngine, SqlRow } from './duckdb.ts';
import { QueryFailedError } from './errors.ts';

/**
 * The one way the report (and anything else that asks the views a question) runs SQL: a named, parameterless
 * statement in the views' dialect, answered as typed rows. Two implementations run the same text: DuckDB over a
 * local folder (`duckdbRunner`, `npm run report`) and Athena in the stack's workgroup (`AthenaQueryRunner` in
 * shared/sql/athena.ts, the workflow's report step). The name is what an error says failed.
 */
export interface QueryRunner {
  /** `duckdb` or `athena`: said in messages. */
  readonly engine: string;
  /** Run one SELECT; rows keyed by column name, values typed (numbers, booleans, strings, null). */
  run(name: string, sql: string): Promise<SqlRow[]>;
}

/** A runner over a DuckDB catalog (shared/sql/duckdb.ts `LocalCatalog`); the caller closes the catalog. */
export function duckdbRunner(engine: SqlEngine): QueryRunner {
  return {
    engine: 'duckdb',
    async run(name, sql) {
      try {
        return [...(await engine.query(sql)).rows];
      } catch (e) {
        throw new QueryFailedError(name, `DuckDB rejected it: ${(e as Error).message}. The SQL is in shared/report/sql.ts and sql/views/; run npm run athena:check to compare engines.`, { cause: e });
      }
    },
  };
}
