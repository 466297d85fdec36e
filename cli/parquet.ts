import { z } from 'zod';
import { argsOrExitCode, parseCommandArgs, processIo, runIfMain, type CommandIo } from './args.ts';
import { convertToParquet, measureQueries, type MeasuredQuery, type QueryMeasurement } from '../shared/parquet/local.ts';
import { LocalCatalog } from '../shared/sql/duckdb.ts';
import { formatResult } from '../shared/sql/format.ts';
import { loadQuestions, questionValues } from '../shared/sql/questions.ts';
import { latestAndPrevious, snapshotDates } from '../shared/sql/snapshots.ts';
import { ALL_TABLES } from '../functions/index.ts';

export const USAGE = `usage: npm run parquet -- [--out <dir>] [--date latest|all|<YYYY-MM-DD>] [--measure]
Converts the published JSON partitions of a date into Parquet, beside them under <out>/parquet/<table>/dt=/org=/
(columns from the tables' zod schemas, ZSTD). Re-running replaces them. npm run query -- --parquet reads them.
options: --out <dir>   the output folder (default ./out)
         --date        which snapshot to convert (default latest; all converts every date)
         --measure     then run typical queries over JSON and over Parquet and print the bytes DuckDB read for each`;

const Args = z.object({
  out: z.string().min(1).default('out'),
  date: z
    .string()
    .refine((d) => d === 'latest' || d === 'all' || z.iso.date().safeParse(d).success, 'must be latest, all or YYYY-MM-DD')
    .default('latest'),
  measure: z.boolean().default(false),
  help: z.boolean().default(false),
});
export type ParquetArgs = z.infer<typeof Args>;

export function parseParquetArgs(argv: readonly string[]): ParquetArgs {
  return parseCommandArgs(
    argv,
    { out: { type: 'string' }, date: { type: 'string' }, measure: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    Args,
    USAGE,
  );
}

/**
 * The typical questions the measurement runs on `date`: an auditor's question across every product
 * (sql/questions/1), one Jira project's effective permissions, and the members of one group.
 */
export async function typicalQueries(root: string, date: string, previous: string | undefined): Promise<MeasuredQuery[]> {
  const queries: MeasuredQuery[] = [];
  const q1 = loadQuestions().find((q) => q.number === 1);
  if (q1) queries.push({ name: `Q1. ${q1.title}`, sql: q1.sql, params: questionValues(q1, date, previous) });
  const catalog = await LocalCatalog.open(root, { tables: ALL_TABLES });
  try {
    const project = (await catalog.query('SELECT min(project_key) AS k FROM jira_projects WHERE dt = ?', [date])).rows[0]?.k;
    if (typeof project === 'string') {
      queries.push({ name: `jira_effective_permissions of project ${project}`, sql: 'SELECT * FROM jira_effective_permissions WHERE dt = ? AND project_key = ?', params: [date, project] });
    }
    const group = (await catalog.query('SELECT min(group_name) AS g FROM jira_group_members WHERE dt = ?', [date])).rows[0]?.g;
    if (typeof group === 'string') {
      queries.push({ name: `members of Jira group ${group}`, sql: 'SELECT account_id, display_name, active FROM jira_group_members WHERE dt = ? AND group_name = ?', params: [date, group] });
    }
  } finally {
    catalog.close();
  }
  return queries;
}

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

/** The measurement as a table (markdown-friendly text). */
export function formatMeasurements(ms: readonly QueryMeasurement[]): string {
  return formatResult(
    {
      columns: ['query', 'rows', 'JSON read', 'Parquet read', 'ratio', 'same rows'],
      types: ['VARCHAR', 'BIGINT', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'BOOLEAN'],
      rows: ms.map((m) => ({
        query: m.name,
        rows: m.rows,
        'JSON read': kib(m.jsonBytes),
        'Parquet read': kib(m.parquetBytes),
        ratio: m.parquetBytes > 0 ? `${(m.jsonBytes / m.parquetBytes).toFixed(1)}x less` : 'n/a',
        'same rows': m.sameRows,
      })),
    },
    'table',
    { maxWidth: 60 },
  );
}

export type ParquetIo = CommandIo;

/** The command. Returns the exit code: 0 ok, 1 a conversion failed or the answers differ, 2 usage. */
export async function runParquet(argv: readonly string[], io: ParquetIo = processIo): Promise<number> {
  const a = argsOrExitCode(parseParquetArgs, argv, USAGE, io);
  if (typeof a === 'number') return a;
  const dates = await snapshotDates(a.out);
  const { date, previous } = latestAndPrevious(dates, a.date === 'latest' || a.date === 'all' ? undefined : a.date);
  if (!date) {
    io.stderr(`no snapshot${a.date === 'latest' || a.date === 'all' ? '' : ` on ${a.date}`} in ${a.out} (snapshots: ${dates.join(', ') || 'none'})\n`);
    return 2;
  }
  const targets = a.date === 'all' ? dates : [date];
  let result;
  try {
    result = await convertToParquet(a.out, { dates: targets, tables: ALL_TABLES });
  } catch (e) {
    io.stderr(`${(e as Error).name}: ${(e as Error).message}\n`);
    return 1;
  }
  const json = result.converted.reduce((s, c) => s + c.jsonBytes, 0);
  const parquet = result.converted.reduce((s, c) => s + c.parquetBytes, 0);
  const rows = result.converted.reduce((s, c) => s + c.rows, 0);
  const tables = new Set(result.converted.map((c) => c.table)).size;
  io.stdout(
    `converted ${result.converted.length} partitions of ${tables} tables (${rows} rows) on ${targets.join(', ')}: ` +
      `JSON ${kib(json)} (gzip) -> Parquet ${kib(parquet)} (zstd) under ${a.out}/parquet/\n` +
      (result.removed.length ? `removed ${result.removed.length} Parquet partitions whose JSON partition is gone\n` : ''),
  );
  if (!a.measure) return 0;
  const ms = await measureQueries(a.out, ALL_TABLES, await typicalQueries(a.out, date, previous));
  io.stdout(`\nbytes DuckDB read from files per query, snapshot ${date} (npm run query reads Parquet with --parquet):\n${formatMeasurements(ms)}\n`);
  if (ms.some((m) => !m.sameRows)) {
    io.stderr('the answers over JSON and over Parquet differ\n');
    return 1;
  }
  return 0;
}

runIfMain(import.meta.url, (argv) => runParquet(argv));
