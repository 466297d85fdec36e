import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';

/**
 * The SQL views (`sql/views/*.sql`): one file per view, written once in the Athena (Trino) dialect and run
 * as is by DuckDB locally (which gets the few Trino functions it lacks as macros, see `DUCKDB_MACROS`).
 *
 * A file starts with a header of `-- @` lines that the stack and the local catalog read:
 *
 *   -- @view jira_effective_permissions
 *   -- @description One row per ...
 *   -- @column dt varchar snapshot date (yyyy-MM-dd)
 *
 * `@column` lines list the view's output columns, in order, with their Trino type (`varchar`, `bigint`,
 * `boolean`, `double`, `array(varchar)`): Athena needs them in the Glue view definition, and a test checks
 * them against what DuckDB infers from the SQL.
 */

export const VIEW_TYPES = ['varchar', 'bigint', 'boolean', 'double', 'array(varchar)'] as const;
export type ViewType = (typeof VIEW_TYPES)[number];

export interface ViewColumn {
  readonly name: string;
  readonly type: ViewType;
  readonly description: string;
}

export interface ViewDef {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ViewColumn[];
  /** The SELECT statement, header removed (what `CREATE VIEW name AS` takes). */
  readonly sql: string;
  /** Other views this one reads (created first). */
  readonly dependsOn: readonly string[];
  readonly file: string;
}

/** Folder of the view files. */
export const VIEWS_DIR = fileURLToPath(new URL('../../sql/views/', import.meta.url));

const NAME = /^[a-z][a-z0-9_]*$/;
const ColumnLine = z.tuple([z.string().regex(NAME), z.enum(VIEW_TYPES)]);

/** Parse one view file. Throws ConfigError naming the file and line on a malformed header. */
export function parseView(file: string, text: string): Omit<ViewDef, 'dependsOn'> {
  let name = '';
  let description = '';
  const columns: ViewColumn[] = [];
  const body: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /^--\s*@(\w+)\s*(.*)$/.exec(line);
    if (!m) {
      body.push(line);
      return;
    }
    const [, tag, rest = ''] = m;
    if (tag === 'view') name = rest.trim();
    else if (tag === 'description') description = description ? `${description} ${rest.trim()}` : rest.trim();
    else if (tag === 'column') {
      const [colName, type, ...desc] = rest.trim().split(/\s+/);
      const parsed = ColumnLine.safeParse([colName, type]);
      if (!parsed.success) throw new ConfigError(`${file}:${i + 1}: '@column ${rest.trim()}' must be '<name> <${VIEW_TYPES.join('|')}> [description]'`);
      columns.push({ name: parsed.data[0], type: parsed.data[1], description: desc.join(' ') });
    } else throw new ConfigError(`${file}:${i + 1}: unknown header tag '@${tag}'`);
  });
  if (!NAME.test(name)) throw new ConfigError(`${file}: missing or invalid '-- @view <name>' line`);
  if (!columns.length) throw new ConfigError(`${file}: no '-- @column' lines`);
  const sql = body.join('\n').trim().replace(/;\s*$/, '');
  if (!/^(WITH|SELECT)\b/i.test(sql.replace(/^(--.*\n|\s)*/g, ''))) throw new ConfigError(`${file}: the body must be one SELECT (or WITH ... SELECT) statement`);
  return { name, description, columns, sql, file };
}

let cache: readonly ViewDef[] | undefined;

/** Every view, ordered so that a view comes after the views it reads. */
export function loadViews(dir: string = VIEWS_DIR): readonly ViewDef[] {
  if (dir === VIEWS_DIR && cache) return cache;
  const parsed = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parseView(f, readFileSync(`${dir}/${f}`, 'utf8')));
  const names = new Set(parsed.map((v) => v.name));
  const withDeps: ViewDef[] = parsed.map((v) => ({
    ...v,
    dependsOn: [...names].filter((n) => n !== v.name && new RegExp(`\\b${n}\\b`).test(stripComments(v.sql))).sort(),
  }));
  const ordered: ViewDef[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (v: ViewDef, path: string[]): void => {
    if (state.get(v.name) === 'done') return;
    if (state.get(v.name) === 'visiting') throw new ConfigError(`views depend on each other in a cycle: ${[...path, v.name].join(' -> ')}`);
    state.set(v.name, 'visiting');
    for (const d of v.dependsOn) {
      const dep = withDeps.find((x) => x.name === d);
      if (dep) visit(dep, [...path, v.name]);
    }
    state.set(v.name, 'done');
    ordered.push(v);
  };
  for (const v of withDeps) visit(v, []);
  if (dir === VIEWS_DIR) cache = ordered;
  return ordered;
}

export function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '');
}

/** Glue (Hive) type of a view column, for the view's StorageDescriptor. */
export function hiveType(t: ViewType): string {
  return t === 'varchar' ? 'string' : t === 'array(varchar)' ? 'array<string>' : t;
}

/** DuckDB type of a view column, to check the declared columns against DuckDB's inference. */
export function duckdbViewType(t: ViewType): string {
  return t === 'varchar' ? 'VARCHAR' : t === 'array(varchar)' ? 'VARCHAR[]' : t.toUpperCase();
}

/**
 * Trino functions the views use that DuckDB spells differently, as DuckDB macros. Everything else the
 * views use exists under the same name and meaning in both engines (see sql/README-section.md).
 */
export const DUCKDB_MACROS: readonly string[] = [
  'CREATE OR REPLACE MACRO regexp_like(s, p) AS regexp_matches(s, p)',
  'CREATE OR REPLACE MACRO array_join(a, sep) AS array_to_string(a, sep)',
];
