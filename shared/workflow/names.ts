import type { Config, Unit } from '../config.ts';
import { unitSlug } from '../config.ts';

/**
 * Names shared by the stack, the Lambda handlers, the local workflow test and `npm run sync`.
 * Changing one is a breaking change for deployed stacks (S3 keys, state names in execution history).
 */

/** Key prefix of the Hive-partitioned output tables in the data bucket (`data/<table>/dt=/org=/`). */
export const DATA_PREFIX = 'data';
/** Key prefix of the run manifests (`manifests/dt=<date>/<run id>.json`). */
export const MANIFEST_PREFIX = 'manifests';
/** Key prefix of Athena query results (the workgroup enforces it). */
export const ATHENA_RESULTS_PREFIX = 'athena-results';
/** Key prefix, inside {@link DATA_PREFIX}, of staged parts (see shared/sink/layout.ts). */
export const STAGING_PREFIX = `${DATA_PREFIX}/_staging`;

/**
 * Key prefix of the workflow's own durable state (never read by analysts): the unit list of each round of a
 * run (the Distributed Map's ItemReader), the Map's ResultWriter output, and one record per (date, unit) with
 * its checkpoint, which outlives an execution.
 */
export const STATE_PREFIX = 'state';

/** State names of the workflow. Tests override Task states by these names; `sync` reads them from history. */
export const STATE = {
  // Parent (the run).
  plan: 'Plan run',
  map: 'Collect sites',
  tally: 'Tally round',
  more: 'Units left?',
  finalize: 'Finalize run',
  report: 'Write report',
  anyFailed: 'Any unit failed?',
  runFailed: 'Run failed',
  runSucceeded: 'Run succeeded',
  // Child (one site: its units one after another).
  step: 'Collect step',
  next: 'Next step?',
  pause: 'Pause while rate limited',
  publish: 'Publish unit',
  failed: 'Unit failed',
  siteDone: 'Site done',
  continued: 'Continue next round',
} as const;

/** Error name of the Fail state that ends a run in which a unit failed (after the good ones were published). */
export const UNITS_FAILED_ERROR = 'UnitsFailed';

/** Name of the deployed state machine, so `npm run sync` can find it from the config alone. */
export function stateMachineName(config: Pick<Config, 'aws'>): string {
  return `${config.aws.stackName}-collect`;
}

/** Secret name of a unit that does not name one: `<stack>/<org>/<product>-<host>`. */
export function defaultSecretName(stackName: string, unit: Unit): string {
  return `${stackName}/${unit.org}/${unitSlug(unit)}`;
}

/** Key (from the bucket root) of a run's manifest. */
export function manifestKey(run: { id: string; date: string }): string {
  return `${MANIFEST_PREFIX}/dt=${run.date}/${run.id}.json`;
}

/** Key (from the bucket root) of the durable record of one unit for one snapshot date: status and checkpoint. */
export function unitStateKey(date: string, unit: Unit): string {
  return `${STATE_PREFIX}/units/dt=${date}/org=${unit.org}/${unitSlug(unit)}.json`;
}

/** Key prefix (from the bucket root) of one run's items and results. */
export function runStatePrefix(run: { id: string; date: string }): string {
  return `${STATE_PREFIX}/runs/dt=${run.date}/${run.id}/`;
}

/** Key of the site list a round of a run collects (the Distributed Map's ItemReader reads it). */
export function roundItemsKey(run: { id: string; date: string }, round: number): string {
  return `${runStatePrefix(run)}round-${String(round).padStart(3, '0')}/items.json`;
}

/** Key of the children that failed outright in a round (their error and a bounded cause), written by tally. */
export function roundFailuresKey(run: { id: string; date: string }, round: number): string {
  return `${runStatePrefix(run)}round-${String(round).padStart(3, '0')}/failed.json`;
}

/** Prefix the Distributed Map's ResultWriter writes under (Step Functions adds `<map run id>/`). */
export const MAP_RESULTS_PREFIX = `${STATE_PREFIX}/map-results`;

/** Key of the run lock of a snapshot date: the execution that is collecting it. */
export function runLockKey(date: string): string {
  return `${STATE_PREFIX}/locks/dt=${date}.json`;
}
