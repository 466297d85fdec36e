import { describe, expect, it } from 'vitest';
import { LocalCatalog } from '../../shared/sql/duckdb.ts';
import { duckdbViewType, loadViews, parseView, stripComments } from '../../shared/sql/views.ts';
import { loadQuestions } from '../../shared/sql/questions.ts';
import { ALL_TABLES } from '../../functions/index.ts';
import { productModules } from '../../functions/index.ts';

/**
 * DuckDB-only spellings that Athena (Trino) would reject. The views are written in the Trino dialect and DuckDB
 * runs them as they are (plus the macros in DUCKDB_MACROS), so none of these may appear.
 */
const DUCKDB_ONLY: readonly [RegExp, string][] = [
  [/::/, "'::' casts (use CAST(x AS type))"],
  [/\bGROUP\s+BY\s+ALL\b/i, 'GROUP BY ALL'],
  [/\bQUALIFY\b/i, 'QUALIFY'],
  [/\bILIKE\b/i, 'ILIKE'],
  [/\b(list_\w+|string_agg|array_to_string|regexp_matches|strftime|epoch_ms|struct_pack)\s*\(/i, 'DuckDB functions'],
  [/\bread_json(_auto)?\b/i, 'file readers'],
  [/"[^"]*"/, 'double-quoted identifiers or strings'],
  [/\bEXCLUDE\s*\(/i, 'SELECT * EXCLUDE'],
  [/\bAS\s+(NOT\s+)?MATERIALIZED\b/i, 'materialized CTEs'],
  [/\bconcat\s*\(/i, 'concat() (NULL handling differs: use ||)'],
];

describe('sql/views', () => {
  const views = loadViews();

  it('every view file parses, and views come after the views they read', () => {
    expect(views.map((v) => v.name)).toEqual(expect.arrayContaining(['jira_effective_permissions', 'confluence_effective_space_access', 'bitbucket_effective_repository_access', 'effective_access', 'access_changes', 'dormant_access', 'external_access']));
    views.forEach((v, i) => v.dependsOn.forEach((d) => expect(views.findIndex((x) => x.name === d)).toBeLessThan(i)));
    expect(views.find((v) => v.name === 'access_changes')?.dependsOn).toEqual(['effective_access', 'snapshots']);
  });

  it('uses only what Athena (Trino) and DuckDB both understand (views and questions)', () => {
    for (const v of [...views, ...loadQuestions().map((q) => ({ name: q.file, sql: q.sql }))]) {
      const sql = stripComments(v.sql).replace(/'(?:[^']|'')*'/g, "''");
      for (const [re, what] of DUCKDB_ONLY) expect({ view: v.name, found: re.test(sql) ? what : null }).toEqual({ view: v.name, found: null });
    }
  });

  it('the local catalog has every table of every product module', () => {
    expect(ALL_TABLES.map((t) => t.name).sort()).toEqual([...new Set(['collector_units', ...Object.values(productModules).flatMap((m) => m?.tables.map((t) => t.name) ?? [])])].sort());
  });

  it('reads only known tables and views', () => {
    const known = new Set([...ALL_TABLES.map((t) => t.name), ...views.map((v) => v.name)]);
    for (const v of views) {
      const refs = [...stripComments(v.sql).matchAll(/\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)/gi)].map((m) => m[1] ?? '');
      const ctes = new Set([...v.sql.matchAll(/\b([a-z_][a-z0-9_]*)\s+AS\s*\(/gi)].map((m) => m[1] ?? ''));
      const unknown = refs.filter((r) => !known.has(r) && !ctes.has(r) && r.toUpperCase() !== 'UNNEST');
      expect({ view: v.name, unknown }).toEqual({ view: v.name, unknown: [] });
    }
  });

  it('declares exactly the columns and types DuckDB infers (Athena needs them in the Glue view)', async () => {
    const catalog = await LocalCatalog.open('/nonexistent-folder-for-schema-only', { tables: ALL_TABLES });
    try {
      for (const v of views) {
        const { rows } = await catalog.query(`DESCRIBE SELECT * FROM ${v.name}`);
        expect({ view: v.name, columns: rows.map((r) => `${r.column_name} ${r.column_type}`) }).toEqual({ view: v.name, columns: v.columns.map((c) => `${c.name} ${duckdbViewType(c.type)}`) });
      }
    } finally {
      catalog.close();
    }
  });

  it('rejects a malformed header with the file and line', () => {
    expect(() => parseView('x.sql', '-- @view x\n-- @column a text\nSELECT 1 AS a')).toThrow(/x.sql:2: '@column a text'/);
    expect(() => parseView('y.sql', '-- @column a varchar\nSELECT 1 AS a')).toThrow(/y.sql: missing or invalid '-- @view/);
    expect(() => parseView('z.sql', '-- @view z\n-- @column a varchar\nDELETE FROM t')).toThrow(/one SELECT/);
  });
});
