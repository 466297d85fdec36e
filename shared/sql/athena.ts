import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type AthenaClient,
  type ColumnInfo,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-athena';
import { silentLogger, type Logger } from '../redact.ts';
import type { SqlRow, SqlValue } from './duckdb.ts';
import { QueryFailedError, QueryResultError, QueryStartError, QueryTimeoutError } from './errors.ts';
import type { QueryRunner } from './runner.ts';

/**
 * Run SQL in Athena (Amazon Athena API Reference: StartQueryExecution, GetQueryExecution, GetQueryResults,
 * StopQueryExecution) in one workgroup and database: start, wait with a bounded number of checks, then read
 * the result pages (at most 1,000 rows each, `NextToken` until absent) as typed rows.
 */
export interface AthenaRunnerOptions {
  readonly athena: Pick<AthenaClient, 'send'>;
  /** The stack's workgroup: it sets the result location and encryption (enforced). */
  readonly workGroup: string;
  /** The Glue database of the tables and views. */
  readonly database: string;
  /** Pause between two status checks. @default 2000 */
  readonly pollIntervalMs?: number;
  /** Status checks before the query is stopped and reported as timed out. @default 150 (5 minutes at 2 s) */
  readonly maxPolls?: number;
  /** Rows per GetQueryResults call (Athena's maximum is 1,000). @default 1000 */
  readonly pageSize?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: Logger;
  /** What to do when Athena ran a query and it failed, appended to Athena's reason (e.g. where the SQL lives). */
  readonly failureAdvice?: string;
}

/** A finished query: its id and what Athena scanned. */
export interface AthenaExecution {
  readonly queryExecutionId: string;
  readonly dataScannedBytes: number;
}

/** GetQueryResults' documented page cap. */
export const ATHENA_MAX_RESULTS = 1000;

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const NUMBER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint', 'double', 'float', 'real', 'decimal']);

/** One Athena cell (always a string, absent for NULL) as the type its column declares. */
function cell(v: string | undefined, type: string, query: string, column: string): SqlValue {
  if (v === undefined) return null;
  const t = type.toLowerCase().replace(/\(.*$/, '');
  if (t === 'boolean') {
    if (v === 'true' || v === 'false') return v === 'true';
    throw new QueryResultError(query, `column ${column} is boolean but Athena returned '${v.slice(0, 40)}'`);
  }
  if (NUMBER_TYPES.has(t)) {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) {
      if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return n;
      throw new QueryResultError(query, `column ${column} is ${type} but Athena returned '${v.slice(0, 40)}'`);
    }
    return n;
  }
  // varchar, char, date, timestamp, json; arrays, maps and rows arrive in Athena's own text form (the report
  // queries return none: they array_join what they aggregate).
  return v;
}

export class AthenaQueryRunner implements QueryRunner {
  readonly engine = 'athena';
  constructor(private readonly o: AthenaRunnerOptions) {}

  /** Start `sql` and wait until it succeeded; throws naming the query and Athena's reason otherwise. */
  async execute(name: string, sql: string): Promise<AthenaExecution> {
    const o = this.o;
    const log = o.log ?? silentLogger;
    let id: string | undefined;
    try {
      const r = await o.athena.send(new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: o.workGroup, QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: o.database } }));
      id = r.QueryExecutionId;
    } catch (e) {
      throw new QueryStartError(
        name,
        `Athena did not start it in workgroup ${o.workGroup} (${(e as Error).name}: ${(e as Error).message}). Check that the workgroup exists and that the function's role may run queries in it (redeploy the stack).`,
        { cause: e },
      );
    }
    if (!id) throw new QueryStartError(name, `Athena returned no query execution id in workgroup ${o.workGroup}; run the report again.`);
    const maxPolls = o.maxPolls ?? 150;
    const interval = o.pollIntervalMs ?? 2000;
    for (let poll = 1; ; poll++) {
      let r;
      try {
        r = await o.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      } catch (e) {
        throw new QueryFailedError(name, `could not read the state of Athena query ${id} (${(e as Error).name}: ${(e as Error).message}); check the role's athena:GetQueryExecution permission.`, { cause: e });
      }
      const status = r.QueryExecution?.Status;
      const state = status?.State;
      if (state === 'SUCCEEDED') {
        const scanned = r.QueryExecution?.Statistics?.DataScannedInBytes ?? 0;
        log.info('athena query succeeded', { query: name, id, scannedBytes: scanned, checks: poll });
        return { queryExecutionId: id, dataScannedBytes: scanned };
      }
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = status?.AthenaError?.ErrorMessage ?? status?.StateChangeReason ?? 'no reason given';
        throw new QueryFailedError(name, `Athena query ${id} ${state} in workgroup ${o.workGroup}: ${reason}${o.failureAdvice ? `. ${o.failureAdvice}` : ''}`);
      }
      if (poll >= maxPolls) {
        // Stop it: nobody will read its result, and it would keep scanning (and costing) otherwise.
        try {
          await o.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
        } catch {
          // best effort: the error below says what happened either way
        }
        throw new QueryTimeoutError(
          name,
          `Athena query ${id} was still ${state ?? 'pending'} after ${maxPolls} checks ${interval} ms apart; it was stopped. Athena may be queueing queries in workgroup ${o.workGroup} (its concurrency quota); the next run tries again.`,
        );
      }
      await (o.sleep ?? wait)(interval);
    }
  }

  /** Run a SELECT and read every result page as typed rows. */
  async run(name: string, sql: string): Promise<SqlRow[]> {
    const { queryExecutionId: id } = await this.execute(name, sql);
    const pageSize = Math.min(this.o.pageSize ?? ATHENA_MAX_RESULTS, ATHENA_MAX_RESULTS);
    const rows: SqlRow[] = [];
    let columns: ColumnInfo[] | undefined;
    let token: string | undefined;
    let first = true;
    do {
      let page: GetQueryResultsCommandOutput;
      try {
        page = await this.o.athena.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: pageSize, ...(token ? { NextToken: token } : {}) }));
      } catch (e) {
        throw new QueryResultError(name, `could not read the results of Athena query ${id} (${(e as Error).name}: ${(e as Error).message}); check the role's athena:GetQueryResults and S3 read permission on the workgroup's result location.`, { cause: e });
      }
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo;
      if (!columns?.length) throw new QueryResultError(name, `Athena query ${id} returned no column metadata; is it a SELECT?`);
      const names = columns.map((c, i) => c.Name ?? c.Label ?? `_col${i}`);
      let data = page.ResultSet?.Rows ?? [];
      // A SELECT's first result row holds the column names (Athena User Guide, "Working with query results").
      if (first && data.length && data[0]?.Data?.every((d, i) => d.VarCharValue === names[i])) data = data.slice(1);
      first = false;
      for (const r of data) {
        const cells = r.Data ?? [];
        if (cells.length !== names.length) throw new QueryResultError(name, `Athena query ${id} returned a row of ${cells.length} values for ${names.length} columns`);
        const row: SqlRow = {};
        names.forEach((n, i) => {
          row[n] = cell(cells[i]?.VarCharValue, columns?.[i]?.Type ?? 'varchar', name, n);
        });
        rows.push(row);
      }
      token = page.NextToken;
    } while (token);
    return rows;
  }
}
