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

/** State names of the workflow. Tests override Task states by these names; `sync` reads them from history. */
export const STATE = {
  plan: 'Plan run',
  map: 'Collect units',
  collect: 'Collect unit',
  done: 'Unit done?',
  pause: 'Pause while rate limited',
  next: 'Next invocation',
  collected: 'Unit collected',
  failed: 'Unit failed',
  finalize: 'Finalize run',
  anyFailed: 'Any unit failed?',
  runFailed: 'Run failed',
  runSucceeded: 'Run succeeded',
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
