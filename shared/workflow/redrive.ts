import { z } from 'zod';
import { unitId, type Unit } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { silentLogger, type Logger } from '../redact.ts';
import type { BlobStore } from '../sink/store.ts';
import { roundItemsKey, runStatePrefix, UNITS_FAILED_ERROR } from './names.ts';
import { WorkflowError } from './run-lock.ts';
import { RoundSchema, SiteSchema, type Round, type Site } from './schemas.ts';
import { readJson, readUnitState, standing, writeJson, writeUnitState } from './state-store.ts';

/**
 * The end of a run in which units failed, made so that Step Functions' **Redrive** of that run collects them
 * again. A redrive "continues the failed execution from the unsuccessful step" (Step Functions API reference,
 * RedriveExecution), and a Fail state would only fail again. So the run ends in a Task instead: on the original
 * attempt (`$$.Execution.RedriveCount` 0) it fails the run with {@link UnitsFailedError}; when the run is redriven,
 * the same Task runs again with a higher count, makes the run's failed and unfinished units collectable again
 * (each keeps its checkpoint) and returns one more round of the Distributed Map over their sites only. The units
 * that published are not collected again. The count handled is kept in S3, so each redrive is served once.
 */

/** The run ended with failed units; redrive the execution (or `npm run sync -- --rerun <ARN>`) once the cause is fixed. */
export class UnitsFailedError extends WorkflowError {
  constructor(message: string) {
    super(message);
    this.name = UNITS_FAILED_ERROR;
  }
}

export const RedriveInputSchema = RoundSchema.extend({
  /** `$$.Execution.RedriveCount`: 0 on the original attempt, n after the n-th redrive. */
  redriveCount: z.int().min(0).default(0),
  /** finalize's summary of the failed units, the run's error cause. */
  message: z.string().default(''),
});

const HandledSchema = z.object({ redriveCount: z.int().min(0) });
const SitesSchema = z.array(SiteSchema);

/** Where the redrive count already served is kept. */
export function redriveKey(run: { id: string; date: string }): string {
  return `${runStatePrefix(run)}redrive.json`;
}

export async function redriveFailedUnits(event: unknown, deps: { state: BlobStore; log?: Logger; now?: () => Date }): Promise<Round> {
  const parsed = RedriveInputSchema.safeParse(event);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConfigError(`run failed: invalid event at '${i?.path.join('.')}': ${i?.message}. Redeploy the stack: the state machine and the Lambda disagree.`);
  }
  const { redriveCount, message, ...round } = parsed.data;
  const { run, force } = round;
  const log = deps.log ?? silentLogger;
  const handled = (await readJson(deps.state, redriveKey(run), HandledSchema))?.redriveCount ?? 0;
  const failed = `${message || 'units failed'}. Their previous snapshots are kept. Once the cause is fixed, redrive this execution (only the failed units are collected again, each from its checkpoint) or run \`npm run sync -- --rerun <this execution's ARN>\`.`;
  if (redriveCount <= handled) throw new UnitsFailedError(failed);

  const sites = (await readJson(deps.state, roundItemsKey(run, 0), SitesSchema)) ?? [];
  const again: Site[] = [];
  const now = (deps.now ?? (() => new Date()))().toISOString();
  for (const site of sites) {
    const units: Unit[] = [];
    for (const unit of site.units) {
      const record = await readUnitState(deps.state, run.date, unit);
      const s = standing(run, force, record);
      if (s.kind === 'skipped' || (s.kind === 'settled' && s.status === 'published')) continue;
      if (s.kind === 'settled' && record) {
        // Failed in this run: collectable again, from the last good checkpoint it kept (or from the start).
        await writeUnitState(deps.state, run.date, { ...record, status: 'collecting', lastRun: run.id, updatedAt: now });
      }
      units.push(unit);
    }
    if (units.length) again.push({ host: site.host, units });
  }
  await writeJson(deps.state, redriveKey(run), { redriveCount });
  if (!again.length) throw new UnitsFailedError(`${failed} (Redrive ${redriveCount} found no unit left to collect.)`);
  const next = round.round + 1;
  const itemsKey = roundItemsKey(run, next);
  await writeJson(deps.state, itemsKey, again);
  log.info('run redriven: collecting its failed units again', { run: run.id, redrive: redriveCount, units: again.flatMap((s) => s.units.map(unitId)) });
  return { ...round, round: next, itemsKey, sites: again.length, continued: again.length };
}
