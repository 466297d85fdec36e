import type { AthenaClient } from '@aws-sdk/client-athena';
import { z } from 'zod';
import { silentLogger, type Logger } from '../redact.ts';
import { AthenaQueryRunner } from '../sql/athena.ts';
import { QueryError } from '../sql/errors.ts';
import type { AnyTable } from '../schema/table.ts';
import { parquetPartitionPrefix, parquetTablePrefix } from '../sink/layout.ts';
import type { BlobStore } from '../sink/store.ts';
import { ParquetConversionError, ParquetError } from './errors.ts';

/**
 * The Parquet copies in AWS (the stack's `parquet` option): after a run, the finalize Lambda has Athena
 * rewrite each table's JSON partitions of the run's date as Parquet with `UNLOAD`, into
 * `data/parquet/<table>/dt=<date>/org=<org>/`, which the Glue table `<table>_parquet` (same columns, from
 * the zod schema; partition projection like the JSON table) reads. UNLOAD rather than CTAS or INSERT INTO:
 * it writes files only, so the Lambda needs no Glue write permission and a re-run simply replaces the files.
 */

/** Suffix of the Glue tables over the Parquet copies: `jira_users` → `jira_users_parquet`. */
export const PARQUET_TABLE_SUFFIX = '_parquet';

export function parquetTableName(table: string): string {
  return `${table}${PARQUET_TABLE_SUFFIX}`;
}

/** Compression Athena writes the copies with (its Parquet writer's widely readable default family). */
export const ATHENA_PARQUET_COMPRESSION = 'SNAPPY';

const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;
const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const DateSchema = z.iso.date();

/** `s3://<bucket>/<dataPrefix>/parquet/<table>/`: the location of a table's Parquet copy (and of its Glue table). */
export function parquetLocation(bucket: string, dataPrefix: string, table: string): string {
  const prefix = dataPrefix.replace(/^\/+|\/+$/g, '');
  return `s3://${bucket}/${prefix ? `${prefix}/` : ''}${parquetTablePrefix(table)}`;
}

/**
 * The UNLOAD statement that writes one date of a table as Parquet: the table's columns in schema order,
 * then `org`, which UNLOAD turns into the `org=<org>/` folders under `dt=<date>/`.
 */
export function unloadSql(t: AnyTable, o: { database: string; date: string; location: string }): string {
  if (!DateSchema.safeParse(o.date).success) throw new ParquetError(`'${o.date}' is not a snapshot date (yyyy-MM-dd)`);
  const columns = [...t.columns.map((c) => ident(c.name)), ident('org')].join(', ');
  return (
    `UNLOAD (SELECT ${columns} FROM ${ident(o.database)}.${ident(t.name)} WHERE ${ident('dt')} = ${literal(o.date)})\n` +
    `TO ${literal(`${o.location}dt=${o.date}/`)}\n` +
    `WITH (format = 'PARQUET', compression = '${ATHENA_PARQUET_COMPRESSION}', partitioned_by = ARRAY['org'])`
  );
}

/** Where and how the finalize Lambda runs the conversion. */
export interface AthenaParquetOptions {
  readonly athena: Pick<AthenaClient, 'send'>;
  /** The data store (bucket + data prefix): the previous copy of the date is deleted through it. */
  readonly store: BlobStore;
  readonly bucket: string;
  readonly dataPrefix: string;
  readonly workGroup: string;
  readonly database: string;
  /** Pause between two status checks of a query. @default 2000 */
  readonly pollIntervalMs?: number;
  /** Status checks before a query is stopped and reported as timed out. @default 300 (10 minutes at 2 s) */
  readonly maxPolls?: number;
  /** Tables converted at once (Athena counts them against the account's DML query quota). @default 4 */
  readonly concurrency?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: Logger;
}

/** One table converted. */
export interface AthenaConversion {
  readonly table: string;
  readonly queryExecutionId: string;
  /** Bytes Athena scanned (the JSON of the date). */
  readonly dataScannedBytes: number;
}

async function convertTable(t: AnyTable, date: string, o: AthenaParquetOptions): Promise<AthenaConversion> {
  const sql = unloadSql(t, { database: o.database, date, location: parquetLocation(o.bucket, o.dataPrefix, t.name) });
  // UNLOAD refuses a destination that holds files: remove the previous copy of the date (a re-run replaces it).
  let previous: string[];
  try {
    previous = await o.store.list(parquetPartitionPrefix(t.name, date));
    if (previous.length) await o.store.delete(previous);
  } catch (e) {
    throw new ParquetConversionError(t.name, `could not remove the previous copy of ${date}: ${(e as Error).message}`, { cause: e });
  }
  // The one way to run a statement in Athena (shared/sql/athena.ts): start in the workgroup, bounded wait, stop on timeout.
  const runner = new AthenaQueryRunner({
    athena: o.athena,
    workGroup: o.workGroup,
    database: o.database,
    pollIntervalMs: o.pollIntervalMs ?? 2000,
    maxPolls: o.maxPolls ?? 300,
    ...(o.sleep ? { sleep: o.sleep } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  let done;
  try {
    done = await runner.execute(`UNLOAD ${t.name}`, sql);
  } catch (e) {
    throw new ParquetConversionError(t.name, e instanceof QueryError ? e.detail : (e as Error).message, { cause: e });
  }
  (o.log ?? silentLogger).info('table converted to Parquet', { table: t.name, date, query: done.queryExecutionId, scannedBytes: done.dataScannedBytes, replacedFiles: previous.length });
  return { table: t.name, queryExecutionId: done.queryExecutionId, dataScannedBytes: done.dataScannedBytes };
}

/**
 * Convert one date of `tables` to Parquet with Athena, a few tables at once. Every table is attempted; then
 * the first failure (in table order) is thrown, naming its table and what Athena reported, and the others
 * are logged.
 */
export async function convertWithAthena(date: string, tables: readonly AnyTable[], o: AthenaParquetOptions): Promise<AthenaConversion[]> {
  const results: (AthenaConversion | ParquetConversionError)[] = new Array(tables.length);
  let next = 0;
  const worker = async () => {
    while (next < tables.length) {
      const i = next++;
      const t = tables[i] as AnyTable;
      try {
        results[i] = await convertTable(t, date, o);
      } catch (e) {
        results[i] = e instanceof ParquetConversionError ? e : new ParquetConversionError(t.name, (e as Error).message, { cause: e });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 4, tables.length)) }, worker));
  const failures = results.filter((r): r is ParquetConversionError => r instanceof ParquetConversionError);
  for (const f of failures.slice(1)) (o.log ?? silentLogger).error('a table was not converted to Parquet', { table: f.table, message: f.message });
  if (failures[0]) throw failures[0];
  return results as AthenaConversion[];
}
