import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../shared/errors.ts';
import { argsOrExitCode, parseCommandArgs, processIo, runIfMain, type CommandIo } from './args.ts';
import { renderReport } from '../shared/report/render.ts';
import { reportDataFromSql } from '../shared/report/sql.ts';
import { LocalStore } from '../shared/sink/store.ts';
import { LocalCatalog } from '../shared/sql/duckdb.ts';
import { duckdbRunner } from '../shared/sql/runner.ts';
import { latestAndPrevious, snapshotDates } from '../shared/sql/snapshots.ts';
import type { ReportData } from '../shared/report/data.ts';
import { reportAccessFromSql, type AccessRow } from '../shared/report/access.ts';
import { unitCoverage } from '../shared/report/coverage.ts';
import { ALL_TABLES, MODULES } from '../functions/index.ts';

export const USAGE = `usage: npm run report -- [--out <dir>] [--date <YYYY-MM-DD>] [--save <file>] [--format html|json]
Writes a self-contained HTML access report of the latest snapshot in the output folder (or of --date):
administrators per product, privileged changes since the previous snapshot, dormant and suspended-but-active
accounts, external accounts, resources and snapshots covered, with charts; a person view (everything an account
can reach, and through what) and a resource view (everyone who can reach a project, space or repository); every
table searchable, filterable, sortable and exportable as CSV. Default file: <out>/_reports/access-report-<date>.html.
The figures come from the same SQL the workflow's report step runs in Athena, here on DuckDB.`;

const Args = z.object({
  out: z.string().min(1).default('out'),
  date: z.iso.date('--date must be YYYY-MM-DD').optional(),
  save: z.string().min(1).optional(),
  format: z.enum(['html', 'json'], { error: '--format must be html or json' }).default('html'),
  help: z.boolean().default(false),
});
export type ReportArgs = z.infer<typeof Args>;

export function parseReportArgs(argv: readonly string[]): ReportArgs {
  return parseCommandArgs(
    argv,
    { out: { type: 'string' }, date: { type: 'string' }, save: { type: 'string' }, format: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    Args,
    USAGE,
  );
}

/** The report's figures of a local folder: the report's SQL over the views, on DuckDB. */
export async function localReportData(out: string, at?: string): Promise<ReportData> {
  return (await localReport(out, at, false)).data;
}

/**
 * The figures and, with `withAccess`, who reaches which resource (the person and resource views).
 * "Snapshots covered" lists every unit that published files.
 */
export async function localReport(out: string, at?: string, withAccess = true): Promise<{ data: ReportData; access?: AccessRow[] }> {
  const dates = await snapshotDates(out);
  const { date, previous } = latestAndPrevious(dates, at);
  if (!date) throw new ConfigError(at ? `no snapshot on ${at} in ${out} (snapshots: ${dates.join(', ') || 'none'})` : `no snapshot in ${out}: run npm run demo or npm run collect first`);
  const store = new LocalStore(out);
  const catalog = await LocalCatalog.open(out, { tables: ALL_TABLES });
  try {
    const d = await reportDataFromSql(duckdbRunner(catalog), date, previous ?? null);
    const data = { ...d, coverage: await unitCoverage(store, d.date, d.previous, MODULES) };
    return withAccess ? { data, access: await reportAccessFromSql(catalog, date) } : { data };
  } finally {
    catalog.close();
  }
}

export async function runReport(argv: readonly string[], io: CommandIo = processIo): Promise<number> {
  const a = argsOrExitCode(parseReportArgs, argv, USAGE, io);
  if (typeof a === 'number') return a;
  const started = Date.now();
  let data: ReportData;
  let access: AccessRow[] | undefined;
  try {
    ({ data, access } = await localReport(a.out, a.date, a.format === 'html'));
  } catch (e) {
    io.stderr(`${(e as Error).message}\n`);
    return e instanceof ConfigError ? 2 : 1;
  }
  const body = a.format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : renderReport(data, { generatedAt: new Date().toISOString(), source: a.out, ...(access ? { access } : {}) });
  const file = a.save ?? join(a.out, '_reports', `access-report-${data.date}.${a.format}`);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, body);
  io.stdout(
    `Access report of ${data.date}${data.previous ? ` (changes since ${data.previous})` : ''}: ${new Set(data.admins.map((r) => `${r.org} ${r.account_id}`)).size} administrators, ` +
      `${data.changes.length} privileged changes, ${data.dormant.length} dormant or suspended-but-active, ${data.external.length} external accounts ` +
      `(${Date.now() - started} ms)\n${file}\n`,
  );
  return 0;
}

runIfMain(import.meta.url, (argv) => runReport(argv));
