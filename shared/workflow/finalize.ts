import { z } from 'zod';
import { siteHost, unitId, type Product, type Run } from '../config.ts';
import { emptyStats, type Stats } from '../contract.ts';
import type { ProductModule } from '../engine/collect.ts';
import { ConfigError } from '../errors.ts';
import type { AnyTable } from '../schema/table.ts';
import { silentLogger, type Logger } from '../redact.ts';
import type { BlobStore } from '../sink/store.ts';
import { noMetrics, staleUnits, type MetricsSink } from './metrics.ts';
import { manifestKey, roundFailuresKey, roundItemsKey } from './names.ts';
import {
  FinalizeInputSchema,
  ManifestSchema,
  MAX_SUMMARY_UNITS,
  SiteSchema,
  TallyInputSchema,
  type FinalizeOutput,
  type Manifest,
  type ManifestUnit,
  type Round,
} from './schemas.ts';
import { clip, describeError, MAX_ERROR_MESSAGE } from './site.ts';
import { readJson, readUnitState, standing, writeJson } from './state-store.ts';

export { describeError } from './site.ts';

/** What finalize needs besides its input. */
export interface FinalizeDeps {
  /** The data store (bucket + `data/` prefix), where staging and the published partitions live. */
  readonly store: BlobStore;
  /** The bucket root: the run's site lists, the Map's results and the unit records under `state/`. */
  readonly state: BlobStore;
  /** The product module of a unit (its tables), i.e. `moduleFor` of functions/index.ts. */
  readonly moduleFor: (product: Product) => ProductModule;
  /** Write the manifest JSON at `key` (from the bucket root); returns its URI. */
  readonly writeManifest: (key: string, json: string) => Promise<string>;
  readonly log?: Logger;
  readonly now?: () => Date;
  /** The freshness check's metric (StaleUnits). */
  readonly metrics?: MetricsSink;
  /** Unit records read at once. @default 8 */
  readonly concurrency?: number;
  /**
   * Convert the run's date of these tables to Parquet, after publishing (the stack's `parquet` option).
   * Called with the tables of the published units; a failure is thrown, naming the table, and fails the run.
   * Without it, nothing is converted.
   */
  readonly convertToParquet?: (date: string, tables: readonly AnyTable[]) => Promise<unknown>;
}

const SitesSchema = z.array(SiteSchema);
const FailuresSchema = z.array(z.object({ host: z.string(), error: z.object({ name: z.string(), message: z.string() }) }));

/** The ResultWriter's `manifest.json` (Step Functions: "Processing Distributed Map results", ResultWriter). */
const MapManifestSchema = z.object({
  ResultFiles: z.object({
    SUCCEEDED: z.array(z.object({ Key: z.string() })).default([]),
    FAILED: z.array(z.object({ Key: z.string() })).default([]),
    PENDING: z.array(z.object({ Key: z.string() })).default([]),
  }),
});
/** One child execution in a ResultWriter results file: `Input` and `Output` are JSON strings. */
const MapResultSchema = z.array(
  z.object({ Input: z.string().optional(), Output: z.string().optional(), Status: z.string().optional(), Error: z.string().optional(), Cause: z.string().optional() }),
);
const ChildOutputSchema = z.object({ next: z.string() });
const ChildInputSchema = z.object({ site: SiteSchema });

function parseEvent<S extends z.ZodType>(schema: S, event: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(`${what}: invalid event at '${i?.path.join('.')}': ${i?.message}. Redeploy the stack: the state machine and the Lambda disagree.`);
  }
  return parsed.data;
}

function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * After each round of the Distributed Map: read its results from S3 (the parent's state holds only the
 * ResultWriter's key), record the children that failed outright (bounded error per site), and plan the next
 * round with the sites whose child stopped at its step bound before finishing. Returns the next round (counts
 * and keys only); `continued` is 0 when nothing is left.
 */
export async function tallyRound(event: unknown, deps: Pick<FinalizeDeps, 'state' | 'log'>): Promise<Round> {
  const input = parseEvent(TallyInputSchema, event, 'tally');
  const { resultKey, ...round } = input;
  const continued: z.infer<typeof SiteSchema>[] = [];
  const failures: z.infer<typeof FailuresSchema> = [];
  if (resultKey) {
    const manifest = await readJson(deps.state, resultKey, MapManifestSchema);
    if (!manifest) throw new ConfigError(`tally: the Map's result manifest ${resultKey} is missing; run the date again (units resume from their checkpoints).`);
    const files = manifest.ResultFiles;
    for (const f of files.SUCCEEDED) {
      for (const r of (await readJson(deps.state, f.Key, MapResultSchema)) ?? []) {
        const out = ChildOutputSchema.safeParse(parseJson(r.Output));
        const inp = ChildInputSchema.safeParse(parseJson(r.Input));
        if (inp.success && (!out.success || out.data.next !== 'done')) continued.push(inp.data.site);
      }
    }
    for (const f of [...files.FAILED, ...files.PENDING]) {
      for (const r of (await readJson(deps.state, f.Key, MapResultSchema)) ?? []) {
        const inp = ChildInputSchema.safeParse(parseJson(r.Input));
        if (!inp.success) continue;
        const error = describeError({ Error: r.Error ?? r.Status ?? 'States.Unknown', ...(r.Cause !== undefined ? { Cause: r.Cause } : {}) });
        failures.push({ host: inp.data.site.host, error });
      }
    }
  }
  if (failures.length) await writeJson(deps.state, roundFailuresKey(round.run, round.round), failures);
  (deps.log ?? silentLogger).info('round tallied', { run: round.run.id, round: round.round, continued: continued.length, failedChildren: failures.length });
  if (continued.length === 0) return { ...round, continued: 0 };
  const next = round.round + 1;
  const itemsKey = roundItemsKey(round.run, next);
  await writeJson(deps.state, itemsKey, continued);
  return { ...round, round: next, itemsKey, continued: continued.length };
}

/**
 * The end of a run: read every planned unit's record (written by the children), write the run manifest, and
 * with the stack's `parquet` option convert the published tables. Units were published by their own child as
 * they completed; a unit that failed kept its previous snapshot. Returns counts and at most
 * {@link MAX_SUMMARY_UNITS} failed units (the parent's state stays bounded; the manifest lists all).
 */
export async function finalizeRun(event: unknown, deps: FinalizeDeps): Promise<FinalizeOutput> {
  const round = parseEvent(FinalizeInputSchema, event, 'finalize');
  const { run, force } = round;
  const log = deps.log ?? silentLogger;
  const sites = (await readJson(deps.state, roundItemsKey(run, 0), SitesSchema)) ?? [];
  const failedChildren = new Map<string, { name: string; message: string }>();
  for (let r = 0; r <= round.round; r++) {
    for (const f of (await readJson(deps.state, roundFailuresKey(run, r), FailuresSchema)) ?? []) failedChildren.set(f.host, f.error);
  }
  const planned = sites.flatMap((s) => s.units.map((unit) => ({ unit, host: s.host })));
  const units: ManifestUnit[] = new Array<ManifestUnit>(planned.length);
  await pool(planned, deps.concurrency ?? 8, async ({ unit, host }, i) => {
    const record = await readUnitState(deps.state, run.date, unit);
    const s = standing(run, force, record);
    const base = (status: ManifestUnit['status'], stats: Stats) => ({
      unit: unitId(unit),
      org: unit.org,
      product: unit.product,
      site: siteHost(unit),
      status,
      rows: stats.rows,
      requests: stats.requests,
      retries: stats.retries,
      pages: stats.pages,
      skipped: stats.skipped,
      repeatsDropped: stats.repeatsDropped,
      alreadyStored: stats.alreadyStored,
      refused: stats.refused,
      throttled: stats.throttled,
      invocations: stats.invocations,
      elapsedMs: stats.elapsedMs,
    });
    if (s.kind === 'settled' && s.status === 'published') units[i] = { ...base('published', s.record.stats), ...(s.record.files !== undefined ? { files: s.record.files } : {}) };
    else if (s.kind === 'settled') units[i] = { ...base('failed', s.record.stats), ...(s.record.error ? { error: s.record.error } : {}) };
    else if (s.kind === 'skipped') units[i] = base('skipped', s.record.stats);
    else {
      const error = failedChildren.get(host) ?? {
        name: 'NotCompleted',
        message: 'the unit did not complete in this run (its child execution failed, timed out or was stopped); its checkpoint is kept: run the date again to resume it.',
      };
      units[i] = { ...base('failed', record?.stats ?? emptyStats()), error: { name: error.name, message: clip(error.message, MAX_ERROR_MESSAGE) } };
    }
  });

  const published = units.filter((u) => u.status === 'published').length;
  const skipped = units.filter((u) => u.status === 'skipped').length;
  const failed = units.length - published - skipped;
  const manifest: Manifest = ManifestSchema.parse({
    version: 1,
    run,
    status: failed ? 'failed' : 'succeeded',
    finishedAt: (deps.now ?? (() => new Date()))().toISOString(),
    totals: {
      units: units.length,
      published,
      failed,
      skipped,
      rows: units.reduce((s, u) => s + (u.status === 'published' ? sum(u.rows) : 0), 0),
      requests: units.reduce((s, u) => s + (u.status === 'skipped' ? 0 : u.requests), 0),
      invocations: units.reduce((s, u) => s + (u.status === 'skipped' ? 0 : u.invocations), 0),
    },
    units,
  });
  const key = manifestKey(run);
  const uri = await deps.writeManifest(key, JSON.stringify(manifest, null, 2) + '\n');
  // Freshness: units of this run that have not published for FRESHNESS_HOURS (a stale token fails one every day).
  const stale = await staleUnits(deps.state, planned.map((p) => p.unit), (deps.now ?? (() => new Date()))());
  (deps.metrics ?? noMetrics).staleUnits(stale.length);
  if (stale.length) log.warn('units not published for more than 26 hours', { run: run.id, count: stale.length, units: stale.slice(0, MAX_SUMMARY_UNITS) });
  const failures = units.filter((u) => u.status === 'failed');
  if (deps.convertToParquet && published > 0) {
    const tables = new Map<string, AnyTable>();
    for (const u of units) if (u.status === 'published') for (const t of deps.moduleFor(u.product).tables) tables.set(t.name, t);
    await deps.convertToParquet(run.date, [...tables.values()]);
    log.info('Parquet copies written', { run: run.id, date: run.date, tables: tables.size });
  }
  const skippedTail = skipped ? ` ${skipped} already published this date (not collected again).` : '';
  const tail = `${published} published; the failed units keep their previous snapshot.${skippedTail} Manifest: ${uri}`;
  const message = failed
    ? // The Fail state's cause (at most 32 KB): the failure list is clipped, the manifest has every error.
      `${failed} of ${units.length} units failed: ${clip(failures.map((u) => `${u.unit} (${u.error?.name ?? 'Error'}: ${clip(u.error?.message ?? '', 200)})`).join('; '), 16_000)}. ${tail}`
    : `${published} of ${units.length} units published.${skippedTail} Manifest: ${uri}`;
  log.info('run finalized', { run: run.id, date: run.date, published, failed, skipped, manifest: uri });
  return {
    status: manifest.status,
    published,
    failed,
    skipped,
    manifestKey: key,
    manifestUri: uri,
    message,
    units: failures.slice(0, MAX_SUMMARY_UNITS).map((u) => ({
      unit: u.unit,
      status: u.status,
      rows: sum(u.rows),
      invocations: u.invocations,
      ...(u.error ? { error: u.error.name } : {}),
    })),
  };
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
