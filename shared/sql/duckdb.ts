import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ConfigError } from '../errors.ts';
import type { AnyTable } from '../schema/table.ts';
import { ALL_TABLES, duckdbType } from './tables.ts';
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

/**
 * The relation a table name stands for: the folder's gzip NDJSON parts with the columns of the table's zod
 * schema (so an all-null column keeps its type, and `dt`/`org` are strings as in Glue), or an empty relation
 * with the same columns when the product was not collected.
 */
export async function tableRelation(root: string, t: AnyTable): Promise<string> {
  const dir = join(root, t.name);
  const cols = t.columns.map((c) => `${c.name}: '${duckdbType(c.type)}'`).join(', ');
  if (await hasFiles(dir)) {
    const glob = join(dir, 'dt=*', 'org=*', '*.json.gz');
    return `SELECT * FROM read_json(${quote(glob)}, format = 'newline_delimited', columns = {${cols}}, hive_partitioning = true, hive_types = {'dt': 'VARCHAR', 'org': 'VARCHAR'})`;
  }
  const nulls = t.columns.map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS ${c.name}`).join(', ');
  return `SELECT ${nulls}, CAST(NULL AS VARCHAR) AS dt, CAST(NULL AS VARCHAR) AS org WHERE false`;
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
  ) {}

  static async open(root: string, opts: { views?: readonly ViewDef[]; tables?: readonly AnyTable[] } = {}): Promise<LocalCatalog> {
    const abs = resolve(root);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const views = opts.views ?? loadViews();
    const present: string[] = [];
    try {
      await connection.run("SET TimeZone = 'UTC'");
      for (const m of DUCKDB_MACROS) await connection.run(m);
      for (const t of opts.tables ?? ALL_TABLES) {
        const rel = await tableRelation(abs, t);
        if (rel.startsWith('SELECT * FROM read_json')) present.push(t.name);
        await connection.run(`CREATE VIEW ${t.name} AS ${rel}`);
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
    return new LocalCatalog(instance, connection, abs, views, present);
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
