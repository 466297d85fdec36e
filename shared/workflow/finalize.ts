import { z } from 'zod';
import { siteHost, unitId, type Product, type Run, type Unit } from '../config.ts';
import type { Stats } from '../contract.ts';
import { doneMarkerKey, publish, type ProductModule } from '../engine/collect.ts';
import { ConfigError } from '../errors.ts';
import type { AnyTable } from '../schema/table.ts';
import { renderReport } from '../report/render.ts';
import { reportDataFromRows, storeSource } from '../report/rows.ts';
import { unitCoverage } from '../report/coverage.ts';
import { silentLogger, type Logger } from '../redact.ts';
import { publishedUnitPrefix } from '../sink/layout.ts';
import type { BlobStore } from '../sink/store.ts';
import { manifestKey } from './names.ts';
import {
  FinalizeInputSchema,
  ManifestSchema,
  type FinalizeOutput,
  type Manifest,
  type ManifestUnit,
  type UnitRecord,
} from './schemas.ts';

/** What finalize needs besides its input. */
export interface FinalizeDeps {
  /** The data store (bucket + `data/` prefix), where staging and the published partitions live. */
  readonly store: BlobStore;
  /** The product module of a unit (its tables), i.e. `moduleFor` of functions/index.ts. */
  readonly moduleFor: (product: Product) => ProductModule;
  /** Write the manifest JSON at `key` (from the bucket root); returns its URI. */
  readonly writeManifest: (key: string, json: string) => Promise<string>;
  /**
   * Write the run's access report (HTML) at `key` (from the bucket root); returns its URI. Without it, no
   * report is written. A report that fails is logged and never fails the run.
   */
  readonly writeReport?: (key: string, html: string) => Promise<string>;
  readonly log?: Logger;
  readonly now?: () => Date;
  /** Units published at once. @default 4 */
  readonly concurrency?: number;
  /**
   * Convert the run's date of these tables to Parquet, after publishing (the stack's `parquet` option).
   * Called with the tables of the published units; a failure is thrown, naming the table, and fails the run.
   * Without it, nothing is converted.
   */
  readonly convertToParquet?: (date: string, tables: readonly AnyTable[]) => Promise<unknown>;
}

/** Key (from the bucket root) of a run's access report: beside its manifest, same retention and readers. */
export function reportKey(run: { id: string; date: string }): string {
  return manifestKey(run).replace(/\.json$/, '.report.html');
}
/** The latest run's access report, overwritten by each run (the bucket keeps earlier versions 30 days). */
export const LATEST_REPORT_KEY = 'manifests/latest-report.html';

/**
 * Compute the access report of `date` from the published tables (TypeScript over the NDJSON: the finalize
 * Lambda has no DuckDB) and write it. Returns its URI, or undefined when it could not be made.
 */
export async function writeAccessReport(run: Run, deps: FinalizeDeps, log: Logger): Promise<string | undefined> {
  if (!deps.writeReport) return undefined;
  try {
    const src = storeSource(deps.store);
    const figures = await reportDataFromRows(src, run.date);
    if (!figures) return undefined;
    // Snapshots covered: every unit that published files (Confluence DC, JSM, Assets, Opsgenie, Trello included).
    const data = { ...figures, coverage: await unitCoverage(deps.store, figures.date, figures.previous) };
    const html = renderReport(data, { generatedAt: (deps.now ?? (() => new Date()))().toISOString(), source: deps.store.location });
    const uri = await deps.writeReport(reportKey(run), html);
    // A re-run of an earlier date does not replace the latest report.
    const dates = await src.dates();
    if (run.date >= (dates[dates.length - 1] ?? run.date)) await deps.writeReport(LATEST_REPORT_KEY, html);
    log.info('access report written', { run: run.id, date: run.date, report: uri, admins: data.admins.length, changes: data.changes.length });
    return uri;
  } catch (e) {
    log.warn('the access report could not be made; the run is unaffected', { run: run.id, error: (e as Error).name, message: clip((e as Error).message, 500) });
    return undefined;
  }
}

const LambdaCauseSchema = z.object({ errorMessage: z.string(), errorType: z.string().optional() });
const MAX_MESSAGE = 2000;

/**
 * The error of a failed unit, from the Catch output: Lambda errors carry a JSON `Cause`
 * (`{"errorType","errorMessage","trace"}`); the stack trace is dropped.
 */
export function describeError(e: { Error: string; Cause?: string | undefined }): { name: string; message: string } {
  let message = e.Cause ?? '';
  try {
    const parsed = LambdaCauseSchema.safeParse(JSON.parse(message));
    if (parsed.success) message = parsed.data.errorMessage;
  } catch {
    // not JSON: a Step Functions error such as States.Timeout, whose cause is plain text
  }
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE)}…`;
  return { name: e.Error, message: message || e.Error };
}

/**
 * Publish every unit that completed, then write the run manifest. A unit that failed, or whose
 * promotion fails, keeps its previous snapshot. Idempotent: a retried finalize recognises units this
 * run already published (their staging is gone but their files carry the run id).
 */
export async function finalizeRun(event: unknown, deps: FinalizeDeps): Promise<FinalizeOutput> {
  const parsed = FinalizeInputSchema.safeParse(event);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(`finalize: invalid event at '${i?.path.join('.')}': ${i?.message}. Redeploy the stack: the state machine and the finalize Lambda disagree.`);
  }
  const { run, results } = parsed.data;
  const log = deps.log ?? silentLogger;
  const units: ManifestUnit[] = new Array<ManifestUnit>(results.length);
  await pool(results, deps.concurrency ?? 4, async (record, i) => {
    units[i] = await settle(run, record, deps, log);
  });

  const published = units.filter((u) => u.status === 'published').length;
  const failed = units.length - published;
  const manifest: Manifest = ManifestSchema.parse({
    version: 1,
    run,
    status: failed ? 'failed' : 'succeeded',
    finishedAt: (deps.now ?? (() => new Date()))().toISOString(),
    totals: {
      units: units.length,
      published,
      failed,
      rows: units.reduce((s, u) => s + sum(u.rows), 0),
      requests: units.reduce((s, u) => s + u.requests, 0),
      invocations: units.reduce((s, u) => s + u.invocations, 0),
    },
    units,
  });
  const key = manifestKey(run);
  const uri = await deps.writeManifest(key, JSON.stringify(manifest, null, 2) + '\n');
  const failures = units.filter((u) => u.status === 'failed');
  const report = published > 0 ? await writeAccessReport(run, deps, log) : undefined;
  if (deps.convertToParquet && published > 0) {
    const tables = new Map<string, AnyTable>();
    results.forEach((r, i) => {
      if (units[i]?.status === 'published') for (const t of deps.moduleFor(r.unit.product).tables) tables.set(t.name, t);
    });
    await deps.convertToParquet(run.date, [...tables.values()]);
    log.info('Parquet copies written', { run: run.id, date: run.date, tables: tables.size });
  }
  const reportTail = report ? ` Report: ${report}` : '';
  const tail = `${published} published; the failed units keep their previous snapshot. Manifest: ${uri}${reportTail}`;
  const message = failed
    ? // The Fail state's cause (at most 32 KB): the failure list is clipped, the manifest has every error.
      `${failed} of ${units.length} units failed: ${clip(failures.map((u) => `${u.unit} (${u.error?.name ?? 'Error'}: ${clip(u.error?.message ?? '', 200)})`).join('; '), 16_000)}. ${tail}`
    : `${published} of ${units.length} units published. Manifest: ${uri}${reportTail}`;
  log.info('run finalized', { run: run.id, date: run.date, published, failed, manifest: uri });
  return {
    status: manifest.status,
    published,
    failed,
    manifestKey: key,
    manifestUri: uri,
    message,
    units: units.map((u) => ({
      unit: u.unit,
      status: u.status,
      rows: sum(u.rows),
      invocations: u.invocations,
      ...(u.error ? { error: u.error.name } : {}),
    })),
  };
}

async function settle(run: Run, record: UnitRecord, deps: FinalizeDeps, log: Logger): Promise<ManifestUnit> {
  const store = deps.store;
  const base = (status: 'published' | 'failed', stats: Stats) => ({
    unit: unitId(record.unit),
    org: record.unit.org,
    product: record.unit.product,
    site: siteHost(record.unit),
    status,
    rows: stats.rows,
    requests: stats.requests,
    retries: stats.retries,
    pages: stats.pages,
    skipped: stats.skipped,
    repeatsDropped: stats.repeatsDropped,
    invocations: stats.invocations,
    elapsedMs: stats.elapsedMs,
  });
  if (record.status === 'failed') {
    const error = describeError(record.error);
    log.warn('unit failed; its previous snapshot is kept', { unit: unitId(record.unit), error: error.name });
    return { ...base('failed', record.stats), error };
  }
  const module = deps.moduleFor(record.unit.product);
  try {
    const marker = doneMarkerKey(run, record.unit);
    if (!(await store.list(marker)).includes(marker)) {
      // Staging is gone: either an earlier attempt of this finalize published the unit, or it never completed.
      const files = await publishedByRun(store, run, record.unit, module.tables.map((t) => t.name));
      if (files > 0) return { ...base('published', record.stats), files };
    }
    const r = await publish(store, run, record.unit, module);
    return { ...base('published', record.stats), files: r.files };
  } catch (e) {
    const error = { name: (e as Error).name || 'Error', message: clip((e as Error).message, MAX_MESSAGE) };
    log.error('publishing a collected unit failed; its previous snapshot is kept', { unit: unitId(record.unit), error: error.name });
    return { ...base('failed', record.stats), error };
  }
}

async function publishedByRun(store: BlobStore, run: Run, unit: Unit, tables: readonly string[]): Promise<number> {
  let n = 0;
  for (const t of tables) n += (await store.list(`${publishedUnitPrefix(t, run, unit)}${run.id}--`)).length;
  return n;
}

async function pool<T>(items: readonly T[], size: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
}

function sum(r: Record<string, number>): number {
  return Object.values(r).reduce((a, b) => a + b, 0);
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
