import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../shared/errors.ts';
import { argsOrExitCode, parseCommandArgs, processIo, runIfMain, type CommandIo } from './args.ts';
import { LocalCatalog } from '../shared/sql/duckdb.ts';
import { formatResult, type OutputFormat } from '../shared/sql/format.ts';
import { latestAndPrevious, snapshotDates } from '../shared/sql/snapshots.ts';
import { loadQuestions, questionValues } from '../shared/sql/questions.ts';
import { loadViews } from '../shared/sql/views.ts';
import { ALL_TABLES } from '../functions/index.ts';

export const USAGE = `usage: npm run query -- "<SQL>" [options]
       npm run query -- --view <name> [--where "<condition>"] [--date <YYYY-MM-DD|latest>] [--limit <n>] [options]
       npm run query -- --question <n> [--date <YYYY-MM-DD|latest>]   (an auditor's question, sql/questions; --list shows them)
       npm run query -- --list
Runs DuckDB over an output folder: every table (jira_users, ...) and every view of sql/views
(jira_effective_permissions, access_changes, ...) under the names Athena uses.
options: --out <dir>          the output folder (default ./out; or a folder synced from the bucket's data/)
         --format table|csv|json  (default table: aligned, long cells clipped to --max-width, default 60)
         --save <file>        write the result to a file instead of stdout
         --parquet            read partitions from their Parquet copies where there are current ones (npm run parquet)
--date filters a view on dt; for access_changes it compares that date with the snapshot before it.`;

const Args = z.object({
  sql: z.string().optional(),
  view: z.string().regex(/^[a-z][a-z0-9_]*$/, '--view must be a view name').optional(),
  where: z.string().optional(),
  date: z.union([z.iso.date(), z.literal('latest')], { error: '--date must be YYYY-MM-DD or latest' }).optional(),
  limit: z.coerce.number().int().positive().optional(),
  out: z.string().min(1).default('out'),
  format: z.enum(['table', 'csv', 'json'], { error: '--format must be table, csv or json' }).default('table'),
  save: z.string().min(1).optional(),
  'max-width': z.coerce.number().int().min(8).default(60),
  question: z.coerce.number().int().positive().optional(),
  list: z.boolean().default(false),
  parquet: z.boolean().default(false),
  help: z.boolean().default(false),
});
export type QueryArgs = z.infer<typeof Args>;

export function parseQueryArgs(argv: readonly string[]): QueryArgs {
  const a = parseCommandArgs(
    argv,
    {
      view: { type: 'string' },
      where: { type: 'string' },
      date: { type: 'string' },
      limit: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string' },
      save: { type: 'string' },
      'max-width': { type: 'string' },
      question: { type: 'string' },
      list: { type: 'boolean' },
      parquet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    Args,
    USAGE,
    { field: 'sql', tooMany: 'give the SQL as one argument (quote it)' },
  );
  if (!a.help && !a.list && [a.sql, a.view, a.question].filter((x) => x !== undefined).length !== 1) throw new ConfigError(`give one of: a SQL statement, --view <name>, --question <n>\n${USAGE}`);
  if (a.sql && (a.where || a.date || a.limit)) throw new ConfigError(`--where, --date and --limit go with --view; put them in the SQL\n${USAGE}`);
  if (a.question !== undefined && (a.where || a.limit)) throw new ConfigError(`--where and --limit go with --view\n${USAGE}`);
  return a;
}

/** The SQL that `--view` stands for. */
export async function viewSql(a: QueryArgs): Promise<string> {
  const view = loadViews().find((v) => v.name === a.view);
  if (!view) throw new ConfigError(`no view '${a.view}'; views: ${loadViews().map((v) => v.name).join(', ')}`);
  const conds: string[] = [];
  if (a.date) {
    const dates = await snapshotDates(a.out);
    const { date, previous } = latestAndPrevious(dates, a.date === 'latest' ? undefined : a.date);
    if (!date) throw new ConfigError(`no snapshot on ${a.date} in ${a.out} (snapshots: ${dates.join(', ') || 'none'})`);
    if (view.columns.some((c) => c.name === 'dt')) conds.push(`dt = '${date}'`);
    else if (view.columns.some((c) => c.name === 'to_dt')) {
      if (!previous) throw new ConfigError(`no snapshot before ${date} in ${a.out}: nothing to compare with`);
      conds.push(`from_dt = '${previous}'`, `to_dt = '${date}'`);
    }
  }
  if (a.where) conds.push(`(${a.where})`);
  return `SELECT * FROM ${view.name}${conds.length ? ` WHERE ${conds.join(' AND ')}` : ''}${a.limit ? ` LIMIT ${a.limit}` : ''}`;
}

export type QueryIo = CommandIo;

/** The command. Returns the exit code: 0 ok, 1 the query failed, 2 usage. */
export async function runQuery(argv: readonly string[], io: QueryIo = processIo): Promise<number> {
  const a = argsOrExitCode(parseQueryArgs, argv, USAGE, io);
  if (typeof a === 'number') return a;
  const catalog = await LocalCatalog.open(a.out, { tables: ALL_TABLES, parquet: a.parquet });
  try {
    if (a.list) {
      const dates = await snapshotDates(a.out);
      io.stdout(`folder ${catalog.root}: snapshots ${dates.join(', ') || 'none'}\n`);
      io.stdout(`tables with data: ${catalog.present.join(', ') || 'none'}\n`);
      if (a.parquet) io.stdout(`read from Parquet: ${catalog.parquet.join(', ') || 'none'}\n`);
      io.stdout(`views:\n${catalog.views.map((v) => `  ${v.name.padEnd(40)} ${v.description.slice(0, 100)}…`).join('\n')}\n`);
      io.stdout(`questions (--question <n>):\n${loadQuestions().map((q) => `  ${q.number}. ${q.title}`).join('\n')}\n`);
      return 0;
    }
    let sql: string;
    let params: string[] = [];
    try {
      if (a.question !== undefined) {
        const q = loadQuestions().find((x) => x.number === a.question);
        if (!q) throw new ConfigError(`no question ${a.question}; questions: ${loadQuestions().map((x) => x.number).join(', ')}`);
        const dates = await snapshotDates(a.out);
        const { date, previous } = latestAndPrevious(dates, a.date === 'latest' ? undefined : a.date);
        if (!date) throw new ConfigError(`no snapshot${a.date && a.date !== 'latest' ? ` on ${a.date}` : ''} in ${a.out} (snapshots: ${dates.join(', ') || 'none'})`);
        params = questionValues(q, date, previous);
        io.stderr(`${q.number}. ${q.title}${params.length ? ` (${q.params.map((p, i) => `${p.name} = ${params[i]}`).join(', ')})` : ''}\n`);
        sql = q.sql;
      } else sql = a.view ? await viewSql(a) : (a.sql ?? '');
    } catch (e) {
      io.stderr(`${(e as Error).message}\n`);
      return 2;
    }
    const started = Date.now();
    let result;
    try {
      result = await catalog.query(sql, params);
    } catch (e) {
      io.stderr(`query failed: ${(e as Error).message}\n`);
      return 1;
    }
    const ms = Date.now() - started;
    const text = formatResult(result, a.format as OutputFormat, { maxWidth: a['max-width'] });
    if (a.save) {
      await mkdir(dirname(a.save), { recursive: true });
      await writeFile(a.save, `${text}\n`);
      io.stderr(`${result.rows.length} rows written to ${a.save} (${ms} ms)\n`);
    } else {
      io.stdout(`${text}\n`);
      if (a.format === 'table') io.stderr(`${result.rows.length} row${result.rows.length === 1 ? '' : 's'} (${ms} ms)\n`);
    }
    return 0;
  } finally {
    catalog.close();
  }
}

runIfMain(import.meta.url, (argv) => runQuery(argv));
