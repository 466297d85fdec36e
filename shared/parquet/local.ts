import { readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { AnyTable } from '../schema/table.ts';
import { LocalCatalog, readJsonSql, type SqlRow } from '../sql/duckdb.ts';
import { ParquetConversionError, ParquetError } from './errors.ts';
import { jsonPartitions, parquetFileName, parquetPartitionDirs, parquetTableDir } from './files.ts';

/** Compression of the local Parquet files (Athena writes SNAPPY, see shared/parquet/athena.ts). */
export const LOCAL_PARQUET_COMPRESSION = 'zstd';

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** One partition converted. */
export interface PartitionConversion {
  readonly table: string;
  readonly dt: string;
  readonly org: string;
  readonly rows: number;
  /** Size of the partition's JSON parts (gzip). */
  readonly jsonBytes: number;
  readonly parquetBytes: number;
  /** The Parquet file written. */
  readonly file: string;
}

export interface ConversionResult {
  readonly converted: readonly PartitionConversion[];
  /** Parquet partitions removed because their JSON partition is gone. */
  readonly removed: readonly string[];
}

async function size(files: readonly string[]): Promise<number> {
  let n = 0;
  for (const f of files) n += (await stat(f)).size;
  return n;
}

/**
 * Convert the published JSON partitions of `dates` into Parquet (`<root>/parquet/<table>/dt=<d>/org=<o>/`,
 * one file per partition, columns and types from the table's zod schema, ZSTD). Idempotent: a partition's
 * file is written to a temporary name and renamed over the previous one, other files in the partition
 * folder are removed, and a Parquet partition whose JSON partition is gone is removed.
 */
export async function convertToParquet(root: string, opts: { dates: readonly string[]; tables: readonly AnyTable[] }): Promise<ConversionResult> {
  const abs = resolve(root);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const converted: PartitionConversion[] = [];
  const removed: string[] = [];
  try {
    for (const t of opts.tables) {
      const name = parquetFileName(t);
      const cols = t.columns.map((c) => c.name).join(', ');
      for (const date of opts.dates) {
        const json = await jsonPartitions(abs, t.name, date);
        for (const p of json) {
          const dir = join(parquetTableDir(abs, t.name), `dt=${p.dt}`, `org=${p.org}`);
          const file = join(dir, name);
          const tmp = join(dir, `.${name}.tmp-${process.pid}`);
          try {
            await mkdir(dir, { recursive: true });
            // dt and org stay in the path only (Hive partitioning), as in the JSON layout.
            await connection.run(
              `COPY (SELECT ${cols} FROM ${readJsonSql(t, join(p.dir, '*.json.gz'))}) TO ${quote(tmp)} (FORMAT parquet, COMPRESSION ${LOCAL_PARQUET_COMPRESSION})`,
            );
            const r = await connection.runAndReadAll(`SELECT num_rows FROM parquet_file_metadata(${quote(tmp)})`);
            await rename(tmp, file);
            for (const other of await readdir(dir)) if (other !== name) await rm(join(dir, other), { force: true, recursive: true });
            converted.push({ table: t.name, dt: p.dt, org: p.org, rows: Number(r.getRowsJS()[0]?.[0] ?? 0), jsonBytes: await size(p.files), parquetBytes: (await stat(file)).size, file });
          } catch (e) {
            await rm(tmp, { force: true });
            throw new ParquetConversionError(t.name, `partition dt=${p.dt}/org=${p.org} (${p.dir}): ${(e as Error).message}`, { cause: e });
          }
        }
        const orgs = new Set(json.map((p) => p.org));
        for (const stale of await parquetPartitionDirs(abs, t.name, date)) {
          if (orgs.has(stale.org)) continue;
          await rm(stale.dir, { recursive: true, force: true });
          removed.push(stale.dir);
        }
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { converted, removed };
}

/** Bytes this process has read through read(2) and friends (Linux `/proc/self/io` rchar). */
export function bytesReadSoFar(): number {
  let text: string;
  try {
    text = readFileSync('/proc/self/io', 'utf8');
  } catch (e) {
    throw new ParquetError('measuring bytes read needs Linux (/proc/self/io is not readable here)', { cause: e });
  }
  const m = /^rchar:\s*(\d+)$/m.exec(text);
  if (!m?.[1]) throw new ParquetError('/proc/self/io has no rchar line');
  return Number(m[1]);
}

/** A query to measure: SQL over the catalog's tables and views, `?` bound to `params`. */
export interface MeasuredQuery {
  readonly name: string;
  readonly sql: string;
  readonly params?: readonly string[];
}

export interface QueryMeasurement {
  readonly name: string;
  /** Bytes DuckDB read from files to answer the query over the JSON partitions, and over the Parquet copies. */
  readonly jsonBytes: number;
  readonly parquetBytes: number;
  readonly rows: number;
  /** Both answers have the same rows (compared as sorted multisets). */
  readonly sameRows: boolean;
}

const canon = (rows: readonly SqlRow[]): string[] => rows.map((r) => JSON.stringify(r)).sort();

async function readOnce(root: string, tables: readonly AnyTable[], q: MeasuredQuery, parquet: boolean): Promise<{ bytes: number; rows: readonly SqlRow[] }> {
  // A fresh catalog per run, and DuckDB's in-memory file cache off, so nothing read earlier is served from memory.
  const catalog = await LocalCatalog.open(root, { tables, parquet });
  try {
    await catalog.connection.run('SET enable_external_file_cache = false');
    const before = bytesReadSoFar();
    const r = await catalog.query(q.sql, q.params ?? []);
    return { bytes: bytesReadSoFar() - before, rows: r.rows };
  } finally {
    catalog.close();
  }
}

/**
 * Bytes read by each query over the JSON partitions and over their Parquet copies: what DuckDB really read
 * from the files (the process's read(2) byte count around the query), the local stand-in for Athena's "data
 * scanned". DuckDB's own profiling metric (`total_bytes_read`) is not used: in DuckDB 1.5 it does not count the
 * reads behind gzip JSON and counts cached Parquet reads as 0.
 */
export async function measureQueries(root: string, tables: readonly AnyTable[], queries: readonly MeasuredQuery[]): Promise<QueryMeasurement[]> {
  const out: QueryMeasurement[] = [];
  for (const q of queries) {
    const json = await readOnce(root, tables, q, false);
    const parquet = await readOnce(root, tables, q, true);
    const a = canon(json.rows);
    const b = canon(parquet.rows);
    out.push({ name: q.name, jsonBytes: json.bytes, parquetBytes: parquet.bytes, rows: json.rows.length, sameRows: a.length === b.length && a.every((x, i) => x === b[i]) });
  }
  return out;
}
