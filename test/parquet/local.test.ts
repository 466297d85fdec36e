import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollect } from '../../cli/collect.ts';
import { runParquet } from '../../cli/parquet.ts';
import { runQuery } from '../../cli/query.ts';
import { ParquetConversionError } from '../../shared/parquet/errors.ts';
import { parquetFileName, parquetPartitions, parquetTableDir } from '../../shared/parquet/files.ts';
import { convertToParquet, measureQueries } from '../../shared/parquet/local.ts';
import { LocalCatalog, tableSource, type SqlRow } from '../../shared/sql/duckdb.ts';
import { duckdbType } from '../../shared/sql/tables.ts';
import { ALL_TABLES } from '../../functions/index.ts';
import { loadViews } from '../../shared/sql/views.ts';
import { DEFAULT_CREDENTIALS, jiraTenant, startSimulator } from '../../simulator/index.ts';
import { moduleFor } from '../../functions/index.ts';
import { orgFixture, writeOrgSnapshot } from '../support/org-fixture.ts';
import { writePartition } from '../support/snapshots.ts';

const canon = (rows: readonly SqlRow[]): string[] => rows.map((r) => JSON.stringify(r)).sort();
const table = (name: string) => {
  const t = ALL_TABLES.find((x) => x.name === name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
};

async function duck<T>(fn: (run: (sql: string) => Promise<unknown[][]>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    return await fn(async (sql) => (await c.runAndReadAll(sql)).getRowsJS());
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

describe('local Parquet copies', () => {
  let dir: string;
  const dirs: string[] = [];
  const tmp = async (prefix: string) => {
    const d = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    dir = await tmp('parquet-');
    const f = orgFixture();
    await writeOrgSnapshot(dir, f, '2026-11-27');
    await writeOrgSnapshot(dir, f, '2026-11-28');
    // Only the latest date is converted: the Parquet catalog then reads one date from Parquet, the other from JSON.
    await convertToParquet(dir, { dates: ['2026-11-28'], tables: ALL_TABLES });
  });
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("writes one ZSTD file per partition, with the columns and types of the table's zod schema", async () => {
    const t = table('jira_group_members');
    const [p] = await parquetPartitions(dir, t);
    expect(p).toMatchObject({ dt: '2026-11-28', org: 'acme', dir: join(dir, 'parquet', 'jira_group_members', 'dt=2026-11-28', 'org=acme') });
    expect(await readdir(p?.dir ?? '')).toEqual([parquetFileName(t)]);
    const file = `'${p?.files[0]}'`;
    const [columns, codecs] = await duck(async (run) => [await run(`DESCRIBE SELECT * FROM read_parquet(${file}, hive_partitioning = false)`), await run(`SELECT DISTINCT compression FROM parquet_metadata(${file})`)]);
    expect(columns.map((r) => [r[0], r[1]])).toEqual(t.columns.map((c) => [c.name, duckdbType(c.type)]));
    expect(codecs).toEqual([['ZSTD']]);
  });

  it('every view gives the same rows over the Parquet copies as over the JSON', async () => {
    const json = await LocalCatalog.open(dir, { tables: ALL_TABLES });
    const parquet = await LocalCatalog.open(dir, { tables: ALL_TABLES, parquet: true });
    try {
      expect(json.parquet).toEqual([]);
      expect(parquet.parquet).toEqual(expect.arrayContaining(['jira_group_members', 'jira_projects', 'confluence_space_permissions', 'admin_users']));
      let rows = 0;
      for (const v of loadViews()) {
        const a = canon((await json.query(`SELECT * FROM ${v.name}`)).rows);
        const b = canon((await parquet.query(`SELECT * FROM ${v.name}`)).rows);
        expect({ view: v.name, rows: b.length, same: a.length === b.length && a.every((x, i) => x === b[i]) }).toEqual({ view: v.name, rows: a.length, same: true });
        rows += a.length;
      }
      expect(rows).toBeGreaterThan(1000);
    } finally {
      json.close();
      parquet.close();
    }
  });

  it("re-running replaces a partition's Parquet file and removes anything else in its folder", async () => {
    const t = table('jira_users');
    const partition = join(parquetTableDir(dir, t.name), 'dt=2026-11-28', 'org=acme');
    await writeFile(join(partition, 'stray.parquet'), 'not parquet');
    const again = await convertToParquet(dir, { dates: ['2026-11-28'], tables: [t] });
    expect(again.converted.map((c) => [c.table, c.dt, c.org])).toEqual([['jira_users', '2026-11-28', 'acme']]);
    expect(await readdir(partition)).toEqual([parquetFileName(t)]);
    const catalog = await LocalCatalog.open(dir, { parquet: true, tables: [t], views: [] });
    try {
      expect((await catalog.query("SELECT count(*) AS n FROM jira_users WHERE dt = '2026-11-28'")).rows[0]?.n).toBe(again.converted[0]?.rows);
    } finally {
      catalog.close();
    }
  });

  it('reads the JSON of a partition whose copy is stale (JSON re-published later) or made for another schema', async () => {
    const t = table('jira_projects');
    const before = await tableSource(dir, t, { parquet: true });
    expect(before).toMatchObject({ parquetPartitions: 1, jsonPartitions: 1 });
    // The collector published the partition again after it was converted: the copy is older than the JSON.
    const earlier = new Date(Date.now() - 3_600_000);
    await utimes(join(parquetTableDir(dir, t.name), 'dt=2026-11-28', 'org=acme', parquetFileName(t)), earlier, earlier);
    expect(await tableSource(dir, t, { parquet: true })).toMatchObject({ parquetPartitions: 0 });

    const other = { ...t, columns: [...t.columns, { name: 'added_later', type: 'string' as const, nullable: true }] };
    expect(await tableSource(dir, other, { parquet: true })).toMatchObject({ parquetPartitions: 0 });
    await convertToParquet(dir, { dates: ['2026-11-28'], tables: [t] });
    expect(await tableSource(dir, t, { parquet: true })).toMatchObject({ parquetPartitions: 1 });
  });

  it('removes the Parquet partition of an org whose JSON partition is gone', async () => {
    const d = await tmp('parquet-gone-');
    const rows = [{ account_id: 'a1', account_type: 'atlassian', active: true, display_name: 'A' }];
    for (const org of ['acme', 'globex']) await writePartition(d, { table: 'jira_users', date: '2026-11-28', org, site: 'x.atlassian.net', product: 'jira', rows });
    await convertToParquet(d, { dates: ['2026-11-28'], tables: [table('jira_users')] });
    await rm(join(d, 'jira_users', 'dt=2026-11-28', 'org=globex'), { recursive: true });
    const r = await convertToParquet(d, { dates: ['2026-11-28'], tables: [table('jira_users')] });
    expect(r.removed).toEqual([join(d, 'parquet', 'jira_users', 'dt=2026-11-28', 'org=globex')]);
    expect((await parquetPartitions(d, table('jira_users'))).map((p) => p.org)).toEqual(['acme']);
  });

  it('fails naming the table and the partition when a JSON part is malformed', async () => {
    const d = await tmp('parquet-bad-');
    const partition = join(d, 'jira_users', 'dt=2026-11-28', 'org=acme');
    await mkdir(partition, { recursive: true });
    await writeFile(join(partition, 'jira--r--part-00000-000.json.gz'), gzipSync('{"account_id": \n'));
    const err = await convertToParquet(d, { dates: ['2026-11-28'], tables: [table('jira_users')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParquetConversionError);
    expect((err as ParquetConversionError).message).toMatch(/^converting jira_users to Parquet failed: partition dt=2026-11-28\/org=acme/);
    expect(await readdir(join(d, 'parquet', 'jira_users', 'dt=2026-11-28', 'org=acme'))).toEqual([]);
  });

  it('npm run query -- --parquet reads the copies and answers as over JSON', async () => {
    const out = (argv: string[]) => {
      let text = '';
      return runQuery(argv, { stdout: (s) => (text += s), stderr: () => undefined }).then((code) => ({ code, text }));
    };
    const list = await out(['--out', dir, '--parquet', '--list']);
    expect(list.code).toBe(0);
    expect(list.text).toMatch(/read from Parquet: .*jira_group_members/);
    const sql = 'SELECT group_name, count(*) AS n FROM jira_group_members GROUP BY group_name ORDER BY group_name';
    const json = await out([sql, '--out', dir, '--format', 'csv']);
    const parquet = await out([sql, '--out', dir, '--format', 'csv', '--parquet']);
    expect(parquet).toEqual(json);
    expect(json.text.split('\n').length).toBeGreaterThan(10);
  });

  it('measures fewer bytes read over Parquet than over JSON for a query of a few columns, with the same answer', async () => {
    const [m] = await measureQueries(dir, ALL_TABLES, [
      { name: 'group members', sql: "SELECT account_id, display_name FROM jira_group_members WHERE dt = ? AND group_name = (SELECT min(group_name) FROM jira_group_members)", params: ['2026-11-28'] },
    ]);
    expect(m?.sameRows).toBe(true);
    expect(m?.rows).toBeGreaterThan(0);
    expect(m?.parquetBytes).toBeGreaterThan(0);
    expect(m?.parquetBytes).toBeLessThan(m?.jsonBytes ?? 0);
  });

  it('npm run parquet converts the date it is given, and rejects a malformed one', async () => {
    const d = await tmp('parquet-cli-');
    const rows = [{ account_id: 'a1', account_type: 'atlassian', active: true, display_name: 'A' }];
    for (const date of ['2026-11-27', '2026-11-28']) await writePartition(d, { table: 'jira_users', date, org: 'acme', site: 'x.atlassian.net', product: 'jira', rows });
    let text = '';
    const io = { stdout: (s: string) => (text += s), stderr: (s: string) => (text += s) };
    expect(await runParquet(['--out', d, '--date', '2026-11-27'], io)).toBe(0);
    expect(text).toMatch(/^converted 1 partitions of 1 tables \(1 rows\) on 2026-11-27/);
    expect((await parquetPartitions(d, table('jira_users'))).map((p) => p.dt)).toEqual(['2026-11-27']);
    expect(await runParquet(['--out', d, '--date', 'yesterday'], io)).toBe(2);
    expect(text).toContain('--date: must be latest, all or YYYY-MM-DD');
  });

  it('npm run collect -- --parquet converts the tables it collected on its date', async () => {
    const d = await tmp('parquet-collect-');
    // A few audit records in the last days, so every table of the module (jira_audit_records too) has rows.
    const audit = { background: { count: 5, days: 3, until: Date.now() } };
    const sim = await startSimulator({ products: [jiraTenant({ seed: 5, users: 20, groups: 4, memberships: 40, projects: 2, audit })], seed: 5 });
    try {
      const { exitCode } = await runCollect(['--product', 'jira', '--site-url', sim.url, '--org', 'acme', '--out', d, '--date', '2026-11-28', '--run-id', 'r1', '--parquet'], {
        env: { ATLASSIAN_EMAIL: DEFAULT_CREDENTIALS.email, ATLASSIAN_API_TOKEN: DEFAULT_CREDENTIALS.apiToken },
        quiet: true,
      });
      expect(exitCode).toBe(0);
    } finally {
      await sim.close();
    }
    expect((await readdir(join(d, 'parquet'))).sort()).toEqual([...moduleFor('jira').tables.map((t) => t.name), 'collector_units'].sort());
    const catalog = await LocalCatalog.open(d, { tables: ALL_TABLES, parquet: true, views: [] });
    try {
      expect([...catalog.parquet].sort()).toEqual([...catalog.present].sort());
      expect((await catalog.query('SELECT count(*) AS n FROM jira_users')).rows[0]?.n).toBeGreaterThanOrEqual(20);
    } finally {
      catalog.close();
    }
  });
});
