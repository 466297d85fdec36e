import { z } from 'zod';
import { RunSchema, type Run } from '../config.ts';
import { CollectorError, ConfigError } from '../errors.ts';
import { publishedDates, unitCoverage, type CoverageProducts } from '../report/coverage.ts';
import { renderReport } from '../report/render.ts';
import { reportDataFromSql } from '../report/sql.ts';
import { silentLogger, type Logger } from '../redact.ts';
import type { BlobStore } from '../sink/store.ts';
import type { QueryRunner } from '../sql/runner.ts';
import { latestAndPrevious } from '../sql/snapshots.ts';
import { clip } from './site.ts';

/**
 * The workflow's Report state: the access report of the run's date, computed by the report's SQL over the
 * views (shared/report/sql.ts) through a {@link QueryRunner} (Athena in the stack's workgroup), rendered and
 * written beside the manifest. Its failure is thrown so the state shows it; the state's Catch goes on to the
 * run's verdict, so a report never fails the run.
 */

/** Where the report of a run goes: beside its manifest. */
export function reportKey(run: { id: string; date: string }): string {
  return `manifests/dt=${run.date}/${run.id}.report.html`;
}

/** The newest report, whatever the date: the link to bookmark. */
export const LATEST_REPORT_KEY = 'manifests/latest-report.html';

/** The report could not be made; the message says which query or write failed and why. */
export class ReportError extends CollectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, {}, options);
    this.name = 'ReportError';
  }
}

export interface ReportDeps {
  /** The data store (bucket + `data/` prefix): the snapshot dates and "Snapshots covered" are read from it. */
  readonly store: BlobStore;
  /** Runs the report's queries (Athena in AWS). */
  readonly runner: QueryRunner;
  /** Every product module (functions/index.ts), for the report's "snapshots covered". */
  readonly modules: CoverageProducts;
  /** Write the report (HTML) at `key` (from the bucket root); returns its URI. */
  readonly writeReport: (key: string, html: string) => Promise<string>;
  readonly log?: Logger;
  readonly now?: () => Date;
}

/** Compute the access report of `run.date` with the runner and write it (and, when it is the newest date, the latest copy). */
export async function writeAccessReport(run: Run, deps: ReportDeps): Promise<string> {
  const log = deps.log ?? silentLogger;
  try {
    const dates = await publishedDates(deps.store);
    const { previous } = latestAndPrevious(dates.includes(run.date) ? dates : [...dates, run.date].sort(), run.date);
    const figures = await reportDataFromSql(deps.runner, run.date, previous ?? null);
    // Snapshots covered: every unit that published files (Confluence DC, JSM, Assets, Opsgenie, Trello included).
    const data = { ...figures, coverage: await unitCoverage(deps.store, figures.date, figures.previous, deps.modules) };
    const html = renderReport(data, { generatedAt: (deps.now ?? (() => new Date()))().toISOString(), source: deps.store.location });
    const uri = await deps.writeReport(reportKey(run), html);
    // A re-run of an earlier date does not replace the latest report.
    if (run.date >= (dates[dates.length - 1] ?? run.date)) await deps.writeReport(LATEST_REPORT_KEY, html);
    log.info('access report written', { run: run.id, date: run.date, report: uri, engine: deps.runner.engine, admins: data.admins.length, changes: data.changes.length });
    return uri;
  } catch (e) {
    const err = e instanceof CollectorError ? e : new ReportError(`the access report of ${run.date} could not be written: ${(e as Error).message}`, { cause: e });
    log.warn('the access report could not be made; the run is unaffected', { run: run.id, error: err.name, message: clip(err.message, 500) });
    throw err;
  }
}

const ReportInputSchema = z.object({ run: RunSchema });

/** The Report state's Lambda: `{ run }` in, `{ report }` (its URI) out. */
export async function reportRun(event: unknown, deps: ReportDeps): Promise<{ report: string }> {
  const parsed = ReportInputSchema.safeParse(event);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(`report: invalid event at '${i?.path.join('.')}': ${i?.message}. Redeploy the stack: the state machine and the Lambda disagree.`);
  }
  return { report: await writeAccessReport(parsed.data.run, deps) };
}
