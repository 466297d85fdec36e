import { describe, expect, it } from 'vitest';
import { compareRows, compareTypes, trinoTypeOfHive } from './compare.ts';

/** The comparisons of npm run athena:check (which needs Trino, so runs outside npm test), on given results. */
describe('athena:check comparisons', () => {
  it('names the view, the column and both types when a declared column does not match what Trino infers', () => {
    const declared = [
      { name: 'dt', type: 'varchar' },
      { name: 'path_count', type: 'bigint' },
    ];
    const inferred = [
      { name: 'dt', type: 'varchar' },
      { name: 'path_count', type: 'double' },
    ];

    const problems = compareTypes('view jira_effective_permissions', declared, inferred);

    expect(problems).toEqual(['view jira_effective_permissions.path_count: declared bigint, Trino infers double']);
  });

  it("accepts a literal's varchar(n) where varchar is declared (Trino coerces it without loss)", () => {
    expect(compareTypes('view snapshots', [{ name: 'product', type: 'varchar' }], [{ name: 'product', type: 'varchar(10)' }])).toEqual([]);
  });

  it('spells Glue column types the way Trino reports them', () => {
    expect(['string', 'bigint', 'boolean', 'double', 'array<string>'].map(trinoTypeOfHive)).toEqual(['varchar', 'bigint', 'boolean', 'double', 'array(varchar)']);
  });

  it('reports rows only one engine returned, whatever the order', () => {
    const duckdb = { columns: ['a', 'b'], types: [], rows: [{ a: 'x', b: 1 }, { a: 'y', b: null }] };
    const trino = { columns: ['a', 'b'], types: [], rows: [{ a: 'y', b: 2 }, { a: 'x', b: 1 }] };

    const diff = compareRows(duckdb, trino);

    expect(diff.equal).toBe(false);
    expect(diff.problems).toEqual([
      '1 distinct row(s) only DuckDB returned (a, b), e.g. ["y",null]',
      '1 distinct row(s) only Trino returned (a, b), e.g. ["y",2]',
    ]);
    expect(compareRows(duckdb, { ...trino, rows: [...duckdb.rows].reverse() }).equal).toBe(true);
  });
});
