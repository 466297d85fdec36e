import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ConfigError } from '../errors.ts';
import { jsonPartitions, parquetPartitions } from '../parquet/files.ts';
import type { AnyTable } from '../schema/table.ts';
import { duckdbType } from './tables.ts';
import { DUCKDB_MACROS, loadViews, type ViewDef } from './views.ts';

/** A result row with plain JS values: strings, numbers (BIGINT too), booleans, arrays, null. */
export type SqlValue = string | number | boolean | null | SqlValue[];
export type SqlRow = Record<string, SqlValue>;

export interface QueryResult {
  readonly columns: readonly string[];
  readonly types: readonly string[];
  readonly rows: readonly SqlRow[];
}

/** Anything that runs SQL and returns rows (DuckDB locally). */
export interface SqlEngine {
  /** Run one statement; `params` bind its `?` placeholders in order. */
  query(sql: string, params?: readonly (string | number | boolean | null)[]): Promise<QueryResult>;
  close(): void;
}

function toSql(v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toSql);
  return String(v);
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** True when the folder holds at least one published part of the table (`<table>/dt=*\/org=*\/*.json.gz`). */
async function hasFiles(dir: string): Promise<boolean> {
  let dts: string[];
  try {
    dts = (await readdir(dir)).filter((d) => d.startsWith('dt='));
  } catch {
    return false;
  }
  for (const dt of dts) {
    let orgs: string[] = [];
    try {
      orgs = (await readdir(join(dir, dt))).filter((o) => o.startsWith('org='));
    } catch {
      continue;
    }
    for (const org of orgs) {
      const files = await readdir(join(dir, dt, org)).catch(() => [] as string[]);
      if (files.some((f) => f.endsWith('.json.gz'))) return true;
    }
  }
  return false;
}

const HIVE_TYPES = "hive_partitioning = true, hive_types = {'dt': 'VARCHAR', 'org': 'VARCHAR'}";

/** The `columns = {...}` of `read_json`: the table's zod schema as DuckDB types. */
function jsonColumns(t: AnyTable): string {
  return t.columns.map((c) => `${c.name}: '${duckdbType(c.type)}'`).join(', ');
}

/** `read_json` over gzip NDJSON parts (a glob, or a list of globs) with the table's columns and string `dt`/`org`. */
export function readJsonSql(t: AnyTable, globs: string | readonly string[]): string {
  const files = typeof globs === 'string' ? quote(globs) : `[${globs.map(quote).join(', ')}]`;
  return `read_json(${files}, format = 'newline_delimited', columns = {${jsonColumns(t)}}, ${HIVE_TYPES})`;
}

/** Where a table's rows come from: how many partitions are read as JSON and as Parquet. */
export interface TableSource {
  readonly sql: string;
  readonly jsonPartitions: number;
  readonly parquetPartitions: number;
}

export interface RelationOptions {
  /**
   * Read a partition from its Parquet copy (`<root>/parquet/<table>/…`, see `npm run parquet`) when it has one
   * that is current: written for the table's present schema, and not older than the partition's JSON parts.
   * Other partitions are read as JSON; the relation has the same columns and rows either way. @default false
   */
  readonly parquet?: boolean;
}

async function newest(files: readonly string[]): Promise<number> {
  let max = 0;
  for (const f of files) max = Math.max(max, (await stat(f)).mtimeMs);
  return max;
}

/** The relation of a table and how it reads its partitions (see {@link tableRelation}). */
export async function tableSource(root: string, t: AnyTable, opts: RelationOptions = {}): Promise<TableSource> {
  const dir = join(root, t.name);
  if (opts.parquet) {
    const copies = new Map((await parquetPartitions(root, t)).map((p) => [`${p.dt}/${p.org}`, p.files[0] ?? '']));
    if (copies.size) {
      const parquet: string[] = [];
      const json: string[] = [];
      for (const p of await jsonPartitions(root, t.name)) {
        const copy = copies.get(`${p.dt}/${p.org}`);
        // A copy older than the JSON parts is stale (the collector re-ran that day): read the JSON.
        if (copy && (await stat(copy)).mtimeMs >= (await newest(p.files))) parquet.push(copy);
        else json.push(join(p.dir, '*.json.gz'));
      }
      if (parquet.length) {
        const cols = [...t.columns.map((c) => c.name), 'dt', 'org'].join(', ');
        const parts = [`SELECT ${cols} FROM read_parquet([${parquet.map(quote).join(', ')}], ${HIVE_TYPES})`];
        if (json.length) parts.push(`SELECT ${cols} FROM ${readJsonSql(t, json)}`);
        return { sql: parts.join(' UNION ALL '), jsonPartitions: json.length, parquetPartitions: parquet.length };
      }
    }
  }
  if (await hasFiles(dir)) {
    return { sql: `SELECT * FROM ${readJsonSql(t, join(dir, 'dt=*', 'org=*', '*.json.gz'))}`, jsonPartitions: 1, parquetPartitions: 0 };
  }
  const nulls = t.columns.map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${c.name}`).join(', ');
  return { sql: `SELECT ${nulls}, CAST(NULL AS VARCHAR) AS dt, CAST(NULL AS VARCHAR) AS org WHERE false`, jsonPartitions: 0, parquetPartitions: 0 };
}

/**
 * The relation a table name stands for: the folder's gzip NDJSON parts with the columns of the table's zod
 * schema (so an all-null column keeps its type, and `dt`/`org` are strings as in Glue), or an empty relation
 * with the same columns when the product was not collected. With `parquet`, partitions that have a current
 * Parquet copy are read from it instead.
 */
export async function tableRelation(root: string, t: AnyTable, opts: RelationOptions = {}): Promise<string> {
  return (await tableSource(root, t, opts)).sql;
}

/** DuckDB over an output folder: every table and every view of sql/views, under the names Athena uses. */
export class LocalCatalog implements SqlEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly root: string,
    readonly views: readonly ViewDef[],
    /** Tables that have data in the folder. */
    readonly present: readonly string[],
    /** Tables read, at least in part, from Parquet copies (only with the `parquet` option). */
    readonly parquet: readonly string[],
  ) {}

  /** `tables`: every output table (functions/index.ts ALL_TABLES), or the few a test needs. */
  static async open(root: string, opts: { views?: readonly ViewDef[]; tables: readonly AnyTable[] } & RelationOptions): Promise<LocalCatalog> {
    const abs = resolve(root);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const views = opts.views ?? loadViews();
    const present: string[] = [];
    const parquet: string[] = [];
    try {
      await connection.run("SET TimeZone = 'UTC'");
      for (const m of DUCKDB_MACROS) await connection.run(m);
      for (const t of opts.tables) {
        const src = await tableSource(abs, t, { parquet: opts.parquet ?? false });
        if (src.jsonPartitions + src.parquetPartitions > 0) present.push(t.name);
        if (src.parquetPartitions > 0) parquet.push(t.name);
        await connection.run(`CREATE VIEW ${t.name} AS ${src.sql}`);
      }
      for (const v of views) {
        try {
          await connection.run(`CREATE VIEW ${v.name} AS ${v.sql}`);
        } catch (e) {
          throw new ConfigError(`view ${v.name} (sql/views/${v.file}) does not compile in DuckDB: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      connection.closeSync();
      instance.closeSync();
      throw e;
    }
    return new LocalCatalog(instance, connection, abs, views, present, parquet);
  }

  async query(sql: string, params?: readonly (string | number | boolean | null)[]): Promise<QueryResult> {
    const r = params?.length ? await this.connection.runAndReadAll(sql, [...params]) : await this.connection.runAndReadAll(sql);
    const columns = r.deduplicatedColumnNames();
    return {
      columns,
      types: r.columnTypes().map(String),
      rows: r.getRowsJS().map((row) => Object.fromEntries(columns.map((c, i) => [c, toSql(row[i])]))),
    };
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
