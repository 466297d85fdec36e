import { siteHost, unitId, type Run, type Unit } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { RunLock } from './run-lock.ts';
import { PlanInputSchema, RunRequestSchema, type Site } from './schemas.ts';

/** Run id from the execution name: Step Functions allows characters the S3 key layout does not. */
export function runIdFromExecutionName(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80);
  return id || 'run';
}

/** A planned run: its id and date, whether published units are collected again, and the units. */
export interface PlannedRun {
  run: Run;
  force: boolean;
  units: Unit[];
  /** The run lock this execution takes for its date. */
  lock: RunLock;
}

/**
 * Plan a run: the units of the deployment (written into the state machine at synth time), narrowed by
 * the execution input, and the run's id and snapshot date. Pure: no I/O, so a bad request fails in
 * the first state with a message that names the field.
 */
export function planRun(event: unknown): PlannedRun {
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
  const { orgs, products, date, units: only, force } = request.data;
  const all = input.data.units;
  const knownOrgs = [...new Set(all.map((u) => u.org))];
  const knownProducts = [...new Set(all.map((u) => u.product))];
  for (const o of orgs ?? []) {
    if (!knownOrgs.includes(o)) throw new ConfigError(`execution input 'orgs': unknown organization '${o}'; configured: ${knownOrgs.join(', ')}.`);
  }
  for (const p of products ?? []) {
    if (!knownProducts.includes(p)) throw new ConfigError(`execution input 'products': no unit collects '${p}'; configured: ${knownProducts.join(', ')}.`);
  }
  const ids = new Set(all.map(unitId));
  for (const u of only ?? []) {
    if (!ids.has(u)) throw new ConfigError(`execution input 'units': no configured unit '${u}'; units are named org/product/host, e.g. ${[...ids][0] ?? 'acme/jira/acme.atlassian.net'}.`);
  }
  const units = all.filter(
    (u) => (!orgs || orgs.includes(u.org)) && (!products || products.includes(u.product)) && (!only || only.includes(unitId(u))),
  );
  if (units.length === 0) {
    throw new ConfigError(`execution input selects no unit (orgs ${orgs?.join(', ') ?? 'all'}, products ${products?.join(', ') ?? 'all'}).`);
  }
  const started = new Date(input.data.execution.startTime);
  if (Number.isNaN(started.getTime())) throw new ConfigError(`plan: execution start time '${input.data.execution.startTime}' is not a date.`);
  const run = { id: runIdFromExecutionName(input.data.execution.name), date: date ?? started.toISOString().slice(0, 10) };
  const { execution, lockSeconds } = input.data;
  return {
    run,
    force: force ?? false,
    units,
    lock: {
      v: 1,
      date: run.date,
      runId: run.id,
      executionArn: execution.id,
      startTime: execution.startTime,
      expiresAt: new Date(started.getTime() + lockSeconds * 1000).toISOString(),
    },
  };
}

/**
 * Group units by site host, in configuration order: the units of one site (Jira, JSM, Assets, Confluence on
 * `acme.atlassian.net`) share Atlassian's rate limit, so one child execution collects them one after another,
 * each with the connection budget of one unit. Units of different sites run in parallel.
 */
export function groupBySite(units: readonly Unit[]): Site[] {
  const sites = new Map<string, Unit[]>();
  for (const u of units) {
    const host = rateLimitKey(u);
    const list = sites.get(host);
    if (list) list.push(u);
    else sites.set(host, [u]);
  }
  return [...sites].map(([host, list]) => ({ host, units: list }));
}

/**
 * Hosts that serve many customers, where the rate limit is per organization or credential, not per host:
 * the Admin API (per org, https://developer.atlassian.com/cloud/admin/rate-limiting/), Bitbucket (per user or
 * token, https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/), Opsgenie and Trello (per key).
 */
const SHARED_API_HOSTS = new Set(['api.atlassian.com', 'api.bitbucket.org', 'api.opsgenie.com', 'api.eu.opsgenie.com', 'api.trello.com']);

/** The budget a unit's requests count against: its site host, or `org@host` on a shared API host. */
export function rateLimitKey(u: Unit): string {
  const host = siteHost(u);
  return SHARED_API_HOSTS.has(host) ? `${u.org}@${host}` : host;
}
