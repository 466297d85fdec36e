import { ConfigError } from '../errors.ts';
import { PlanInputSchema, RunRequestSchema, type PlanOutput } from './schemas.ts';

/** Run id from the execution name: Step Functions allows characters the S3 key layout does not. */
export function runIdFromExecutionName(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
  return id || 'run';
}

/**
 * Plan a run: the units of the deployment (written into the state machine at synth time), narrowed by
 * the execution input, and the run's id and snapshot date. Pure: no I/O, so a bad request fails in
 * the first state with a message that names the field.
 */
export function planRun(event: unknown): PlanOutput {
  const input = PlanInputSchema.safeParse(event);
  if (!input.success) {
    const i = input.error.issues[0];
    throw new ConfigError(`plan: invalid event at '${i?.path.join('.')}': ${i?.message}. Redeploy the stack: the state machine and the plan Lambda disagree.`);
  }
  const raw = input.data.request ?? {};
  const request = RunRequestSchema.safeParse(typeof raw === 'object' ? raw : {});
  if (!request.success) {
    const i = request.error.issues[0];
    throw new ConfigError(
      `execution input '${i?.path.join('.')}': ${i?.message}. Start the run with {} or {"orgs": ["<org>"], "products": ["jira"], "date": "YYYY-MM-DD"}.`,
    );
  }
  const { orgs, products, date } = request.data;
  const all = input.data.units;
  const knownOrgs = [...new Set(all.map((u) => u.org))];
  const knownProducts = [...new Set(all.map((u) => u.product))];
  for (const o of orgs ?? []) {
    if (!knownOrgs.includes(o)) throw new ConfigError(`execution input 'orgs': unknown organization '${o}'; configured: ${knownOrgs.join(', ')}.`);
  }
  for (const p of products ?? []) {
    if (!knownProducts.includes(p)) throw new ConfigError(`execution input 'products': no unit collects '${p}'; configured: ${knownProducts.join(', ')}.`);
  }
  const units = all.filter((u) => (!orgs || orgs.includes(u.org)) && (!products || products.includes(u.product)));
  if (units.length === 0) {
    throw new ConfigError(`execution input selects no unit (orgs ${orgs?.join(', ') ?? 'all'}, products ${products?.join(', ') ?? 'all'}).`);
  }
  const started = new Date(input.data.execution.startTime);
  if (Number.isNaN(started.getTime())) throw new ConfigError(`plan: execution start time '${input.data.execution.startTime}' is not a date.`);
  return {
    run: { id: runIdFromExecutionName(input.data.execution.name), date: date ?? started.toISOString().slice(0, 10) },
    units,
  };
}
