import { unitId, type Product, type Run, type Unit } from '../config.ts';
import { emptyStats, type CollectInput, type CollectResult } from '../contract.ts';
import { doneMarkerKey, publish, type ProductModule } from '../engine/collect.ts';
import { ConfigError, StorageError } from '../errors.ts';
import { silentLogger, type Logger } from '../redact.ts';
import { publishedUnitPrefix } from '../sink/layout.ts';
import type { BlobStore } from '../sink/store.ts';
import { CaughtErrorSchema, SiteInputSchema, type SiteInput, type Step, type UnitState } from './schemas.ts';
import { readUnitState, standing, stateWatermarks, writeUnitState, type UnitStanding } from './state-store.ts';
import { noMetrics, writeLastPublished, type MetricsSink } from './metrics.ts';
import { z } from 'zod';

/**
 * One child execution collects one site: its units one after another (one connection budget per site),
 * each unit invocation by invocation, publishing each unit as soon as it completes. The child's state is
 * only `{ run, force, site, step }`; everything else lives in the unit records in S3, so a new execution
 * for the date resumes where this one stopped.
 */

export interface SiteDeps {
  /** The bucket root (unit records under `state/`). */
  readonly state: BlobStore;
  readonly log?: Logger;
  readonly now?: () => Date;
  /** Per-unit CloudWatch metrics when a unit settles (shared/workflow/metrics.ts). */
  readonly metrics?: MetricsSink;
}

export interface StepDeps extends SiteDeps {
  /** One invocation of the collector for a unit (the collect Lambda wires credentials, store and clock). */
  readonly collectUnit: (input: CollectInput) => Promise<CollectResult>;
}

export interface PublishDeps extends SiteDeps {
  /** The data store (bucket + `data/`), where staging and the published partitions live. */
  readonly store: BlobStore;
  readonly moduleFor: (product: Product) => ProductModule;
}

function parseSiteInput(event: unknown, what: string): SiteInput {
  const parsed = SiteInputSchema.safeParse(event);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(`${what}: invalid event at '${i?.path.join('.')}': ${i?.message}. Redeploy the stack: the state machine and the Lambda disagree.`);
  }
  return parsed.data;
}

/**
 * The first unit of the site with work left in this execution, and the counts of the settled ones. A child goes
 * through its site's units in order and a unit it settled stays settled, so the scan starts at the step's unit
 * (one record read per step, not one per unit of the site); only the last scan, which counts, reads them all.
 */
async function current(input: SiteInput, state: BlobStore): Promise<{ index: number; unit: Unit; standing: Extract<UnitStanding, { kind: 'todo' }> } | Pick<Step, 'published' | 'failed' | 'skipped'>> {
  const units = input.site.units;
  const seen = new Map<number, UnitStanding>();
  for (let index = Math.max(0, input.step.unit); index < units.length; index++) {
    const unit = units[index] as Unit;
    const s = standing(input.run, input.force, await readUnitState(state, input.run.date, unit));
    if (s.kind === 'todo') return { index, unit, standing: s };
    seen.set(index, s);
  }
  const counts = { published: 0, failed: 0, skipped: 0 };
  for (const [index, unit] of units.entries()) {
    const s = seen.get(index) ?? standing(input.run, input.force, await readUnitState(state, input.run.date, unit));
    if (s.kind === 'todo') return { index, unit, standing: s };
    if (s.kind === 'skipped') counts.skipped++;
    else counts[s.status]++;
  }
  return counts;
}

/**
 * One step of a site: one collect invocation of its current unit, the unit's record (checkpoint) written to S3
 * right after it. Returns what the child does next: invoke again, wait, publish the unit, or end.
 */
export async function siteStep(event: unknown, deps: StepDeps): Promise<Step> {
  const input = parseSiteInput(event, 'collect step');
  const log = deps.log ?? silentLogger;
  const count = input.step.count + 1;
  const cur = await current(input, deps.state);
  if (!('unit' in cur)) return { next: 'done', waitSeconds: 0, count, unit: -1, ...cur };
  const { index, unit, standing: s } = cur;
  if (s.record?.status === 'collected') return { next: 'publish', waitSeconds: 0, count, unit: index, published: 0, failed: 0, skipped: 0 };
  if (s.checkpoint && s.owner.id !== input.run.id && s.record?.lastRun !== input.run.id) {
    log.info('resuming a unit from its stored checkpoint', { unit: unitId(unit), staging: s.owner.id, seq: s.checkpoint.seq });
  }
  const result = await deps.collectUnit({ run: s.owner, unit, checkpoint: s.checkpoint });
  await writeUnitState(deps.state, input.run.date, {
    v: 1,
    unit,
    run: s.owner,
    status: result.done ? 'collected' : 'collecting',
    checkpoint: result.checkpoint,
    stats: result.stats,
    lastRun: input.run.id,
    updatedAt: (deps.now ?? (() => new Date()))().toISOString(),
  });
  const next = result.done ? 'publish' : result.waitSeconds > 0 ? 'wait' : 'collect';
  return { next, waitSeconds: result.waitSeconds, count, unit: index, published: 0, failed: 0, skipped: 0 };
}

/**
 * Publish the unit a step reported complete (staging → partitions, the unit's older files removed), then
 * record it published. Idempotent: a retried publish recognises the files it already published.
 */
export async function sitePublish(event: unknown, deps: PublishDeps): Promise<Step> {
  const input = parseSiteInput(event, 'publish unit');
  const unit = input.site.units[input.step.unit];
  if (!unit) throw new ConfigError(`publish unit: step.unit ${input.step.unit} is not a unit of site ${input.site.host}. Redeploy the stack.`);
  const record = await readUnitState(deps.state, input.run.date, unit);
  const count = input.step.count + 1;
  const step: Step = { next: 'collect', waitSeconds: 0, count, unit: input.step.unit, published: 0, failed: 0, skipped: 0 };
  if (record?.status === 'published' && record.lastRun === input.run.id) return step;
  if (record?.status !== 'collected') {
    throw new StorageError(`unit ${unitId(unit)} is not collected (its record says ${record?.status ?? 'nothing'}); it is collected again on the next run of ${input.run.date}.`);
  }
  const module = deps.moduleFor(unit.product);
  let files: number;
  const marker = doneMarkerKey(record.run, unit);
  if (!(await deps.store.list(marker)).includes(marker) && (files = await publishedByRun(deps.store, record.run, unit, module.tables.map((t) => t.name))) > 0) {
    // Staging is gone: an earlier attempt of this publish promoted the unit before it could record it.
  } else {
    files = (await publish(deps.store, record.run, unit, module, stateWatermarks(deps.state))).files;
  }
  const now = (deps.now ?? (() => new Date()))();
  await writeUnitState(deps.state, input.run.date, {
    ...record,
    status: 'published',
    checkpoint: null,
    files,
    lastRun: input.run.id,
    updatedAt: now.toISOString(),
  });
  await writeLastPublished(deps.state, unit, input.run, now);
  (deps.metrics ?? noMetrics).unitSettled(unit, 'published', record.stats);
  (deps.log ?? silentLogger).info('unit published', { unit: unitId(unit), files, run: record.run.id });
  return step;
}

async function publishedByRun(store: BlobStore, run: Run, unit: Unit, tables: readonly string[]): Promise<number> {
  let n = 0;
  for (const t of tables) n += (await store.list(`${publishedUnitPrefix(t, run, unit)}${run.id}--`)).length;
  return n;
}

/** Longest error message a unit record, the manifest or a state keeps (the Lambda `Cause` carries a stack). */
export const MAX_ERROR_MESSAGE = 2000;

const LambdaCauseSchema = z.object({ errorMessage: z.string(), errorType: z.string().optional() });

/**
 * The bounded error of a Catch output: Lambda errors carry a JSON `Cause` (`{"errorType","errorMessage","trace"}`);
 * the stack trace is dropped and the message clipped to {@link MAX_ERROR_MESSAGE} characters.
 */
export function describeError(e: { Error: string; Cause?: string | undefined }): { name: string; message: string } {
  let message = e.Cause ?? '';
  try {
    const parsed = LambdaCauseSchema.safeParse(JSON.parse(message));
    if (parsed.success) message = parsed.data.errorMessage;
  } catch {
    // not JSON: a Step Functions error such as States.Timeout, whose cause is plain text
  }
  return { name: e.Error, message: clip(message, MAX_ERROR_MESSAGE) || e.Error };
}

export function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

const FailInputSchema = SiteInputSchema.extend({ error: CaughtErrorSchema });

/**
 * A step or a publish failed with an error the workflow does not retry: record the current unit failed (its
 * previous snapshot stays; its last good checkpoint is kept, so the next run of the date resumes it) and
 * return the child's state without the error, so the site goes on with its next unit.
 */
export async function siteFailed(event: unknown, deps: SiteDeps): Promise<SiteInput> {
  const parsed = FailInputSchema.safeParse(event);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(`unit failed: invalid event at '${i?.path.join('.')}': ${i?.message}. Redeploy the stack: the state machine and the Lambda disagree.`);
  }
  const { error: caught, ...input } = parsed.data;
  const error = describeError(caught);
  const cur = await current(input, deps.state);
  const count = input.step.count + 1;
  if ('unit' in cur) {
    const { unit, standing: s } = cur;
    const r: UnitState | undefined = s.record;
    await writeUnitState(deps.state, input.run.date, {
      v: 1,
      unit,
      run: r && r.status === 'collecting' ? r.run : s.owner,
      status: 'failed',
      checkpoint: r && r.status === 'collecting' ? r.checkpoint : null,
      stats: r?.stats ?? emptyStats(),
      lastRun: input.run.id,
      error,
      updatedAt: (deps.now ?? (() => new Date()))().toISOString(),
    });
    (deps.metrics ?? noMetrics).unitSettled(unit, 'failed', r?.stats ?? emptyStats());
    (deps.log ?? silentLogger).warn('unit failed; its previous snapshot is kept', { unit: unitId(unit), error: error.name });
  }
  return { ...input, step: { next: 'collect', waitSeconds: 0, count, unit: -1, published: 0, failed: 0, skipped: 0 } };
}
