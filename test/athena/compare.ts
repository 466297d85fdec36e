import { createHash } from 'node:crypto';
import type { QueryResult, SqlValue } from '../../shared/sql/duckdb.ts';

/**
 * Comparing what DuckDB and Trino answer: the same columns, and the same rows as a multiset (order is not
 * compared: only ORDER BY fixes it, and the questions' ORDER BY leaves ties). Values are compared as JSON.
 */

export interface RowsDiff {
  readonly equal: boolean;
  readonly duckdbRows: number;
  readonly trinoRows: number;
  /** What differs, for the report: columns, then up to three rows only one engine returned. */
  readonly problems: readonly string[];
}

const canon = (cols: readonly string[], r: Record<string, SqlValue>): string => JSON.stringify(cols.map((c) => r[c] ?? null));
const digest = (s: string): string => createHash('sha1').update(s).digest('base64');

export function compareRows(duckdb: QueryResult, trino: QueryResult): RowsDiff {
  const problems: string[] = [];
  if (duckdb.columns.join(',') !== trino.columns.join(',')) problems.push(`columns differ: DuckDB (${duckdb.columns.join(', ')}) vs Trino (${trino.columns.join(', ')})`);
  const cols = duckdb.columns;
  const counts = new Map<string, number>();
  const sample = new Map<string, string>();
  for (const r of duckdb.rows) {
    const s = canon(cols, r);
    const h = digest(s);
    counts.set(h, (counts.get(h) ?? 0) + 1);
    if (!sample.has(h)) sample.set(h, s);
  }
  for (const r of trino.rows) {
    const s = canon(cols, r);
    const h = digest(s);
    counts.set(h, (counts.get(h) ?? 0) - 1);
    if (!sample.has(h)) sample.set(h, s);
  }
  const onlyDuck: string[] = [];
  const onlyTrino: string[] = [];
  for (const [h, n] of counts) {
    if (n > 0) onlyDuck.push(`${sample.get(h)}${n > 1 ? ` ×${n}` : ''}`);
    if (n < 0) onlyTrino.push(`${sample.get(h)}${n < -1 ? ` ×${-n}` : ''}`);
  }
  if (onlyDuck.length) problems.push(`${onlyDuck.length} distinct row(s) only DuckDB returned (${cols.join(', ')}), e.g. ${onlyDuck.sort().slice(0, 3).join(' | ')}`);
  if (onlyTrino.length) problems.push(`${onlyTrino.length} distinct row(s) only Trino returned (${cols.join(', ')}), e.g. ${onlyTrino.sort().slice(0, 3).join(' | ')}`);
  return { equal: problems.length === 0, duckdbRows: duckdb.rows.length, trinoRows: trino.rows.length, problems };
}

/** Trino's spelling of a Glue (Hive) column type: `string` → `varchar`, `array<string>` → `array(varchar)`. */
export function trinoTypeOfHive(t: string): string {
  const s = t.trim().toLowerCase();
  if (s === 'string') return 'varchar';
  if (s === 'int') return 'integer';
  const arr = /^array<(.+)>$/.exec(s);
  if (arr?.[1]) return `array(${trinoTypeOfHive(arr[1])})`;
  return s;
}

/**
 * Declared (Glue or Presto view) column types against the types Trino infers, one message per mismatch naming
 * the relation, the column and both types. `varchar(n)` counts as `varchar`: a literal's type, which Trino
 * coerces to the declared `varchar` without loss (its staleness check accepts it, as Athena's does).
 */
export function compareTypes(relation: string, declared: readonly { name: string; type: string }[], inferred: readonly { name: string; type: string }[]): string[] {
  const norm = (t: string) => t.toLowerCase().replace(/varchar\(\d+\)/g, 'varchar');
  const problems: string[] = [];
  const names = (xs: readonly { name: string }[]) => xs.map((x) => x.name).join(', ');
  if (names(declared) !== names(inferred)) problems.push(`${relation}: declares columns (${names(declared)}) but Trino infers (${names(inferred)})`);
  for (const d of declared) {
    const i = inferred.find((x) => x.name === d.name);
    if (i && norm(i.type) !== norm(d.type)) problems.push(`${relation}.${d.name}: declared ${d.type}, Trino infers ${i.type}`);
  }
  return problems;
}

/** The SELECT inside an `UNLOAD (SELECT ...) TO ... WITH (...)` statement. */
export function unloadSelect(unload: string): string {
  const m = /^UNLOAD \((SELECT[\s\S]*)\)\nTO /.exec(unload);
  if (!m?.[1]) throw new Error(`not an UNLOAD statement: ${unload.slice(0, 80)}`);
  return m[1];
}


/**
 * One fingerprint per row, computed inside the engine, so a view of hundreds of thousands of rows is compared
 * without moving the rows themselves (moving them through Trino's JSON protocol took minutes). The canonical
 * text of a row is spelled per engine (the harness's SQL, never the views'): every value as text, NULL as \N,
 * booleans as t/f, arrays joined; its MD5 in lower-case hex. Only when fingerprints differ are the rows fetched.
 */
export function fingerprintSql(engine: 'duckdb' | 'trino', relation: string, columns: readonly { name: string; type: string }[]): string {
  const text = columns
    .map(({ name, type }) => {
      const c = `"${name}"`;
      if (type === 'boolean') return `CASE WHEN ${c} THEN 't' WHEN NOT ${c} THEN 'f' ELSE '\\N' END`;
      if (type.startsWith('array')) return `coalesce(array_join(${c}, chr(31)), '\\N')`;
      if (type === 'varchar' || type.startsWith('varchar(')) return `coalesce(${c}, '\\N')`;
      return `coalesce(CAST(${c} AS varchar), '\\N')`;
    })
    .join(` || chr(30) || `);
  const md5 = engine === 'trino' ? `lower(to_hex(md5(to_utf8(${text}))))` : `md5(${text})`;
  return `SELECT ${md5} AS h FROM (${relation}) r`;
}
