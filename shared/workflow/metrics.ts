import { z } from 'zod';
import { unitId, unitSlug, type Run, type Unit } from '../config.ts';
import type { Stats } from '../contract.ts';
import type { BlobStore } from '../sink/store.ts';
import { STATE_PREFIX } from './names.ts';
import { readJson, writeJson } from './state-store.ts';

/**
 * The workflow's CloudWatch metrics: names, dimensions and what emits them. One definition for the handlers
 * (which emit them in the embedded metric format through Powertools Metrics), the stack's dashboard and
 * alarms, and the README. Namespace `AtlassianAccessCollector`; every metric carries the `service` dimension
 * (the stack name), per-unit metrics also `Unit` (`org/product/host`).
 */
export const METRICS_NAMESPACE = 'AtlassianAccessCollector';

/** Per-unit metrics, emitted once when a unit settles (published or failed), with its totals for the date. */
export const UNIT_METRICS = {
  rows: 'UnitRows',
  requests: 'UnitRequests',
  retries: 'UnitRetries',
  throttled: 'UnitThrottled',
  durationSeconds: 'UnitDurationSeconds',
  invocations: 'UnitInvocations',
  /** 1 when the unit published, 0 when it failed. */
  published: 'UnitPublished',
} as const;

/** Run-level metrics (dimension `service` only). */
export const RUN_METRICS = {
  /** 1 per unit published: the freshness alarm fires when none was published for {@link FRESHNESS_HOURS}. */
  unitsPublished: 'UnitsPublished',
  /** 1 per unit failed. */
  unitsFailed: 'UnitsFailed',
  /** At the end of each run: units of the run whose last publish is older than {@link FRESHNESS_HOURS} (or that never published). */
  staleUnits: 'StaleUnits',
} as const;

/** A unit that has not published for this long is stale. */
export const FRESHNESS_HOURS = 26;

/** Where the handlers send metrics (Powertools Metrics in Lambda; nothing locally unless a test listens). */
export interface MetricsSink {
  /** A unit settled: its totals, dimension `Unit`, and the run-level count. */
  unitSettled(unit: Unit, status: 'published' | 'failed', stats: Stats): void;
  /** The freshness check at the end of a run. */
  staleUnits(count: number): void;
}

export const noMetrics: MetricsSink = { unitSettled() {}, staleUnits() {} };

/** The values of {@link UNIT_METRICS} for a settled unit. */
export function unitMetricValues(status: 'published' | 'failed', stats: Stats): Record<(typeof UNIT_METRICS)[keyof typeof UNIT_METRICS], number> {
  return {
    [UNIT_METRICS.rows]: Object.values(stats.rows).reduce((a, b) => a + b, 0),
    [UNIT_METRICS.requests]: stats.requests,
    [UNIT_METRICS.retries]: stats.retries,
    [UNIT_METRICS.throttled]: stats.throttled,
    [UNIT_METRICS.durationSeconds]: Math.round(stats.elapsedMs / 100) / 10,
    [UNIT_METRICS.invocations]: stats.invocations,
    [UNIT_METRICS.published]: status === 'published' ? 1 : 0,
  } as Record<(typeof UNIT_METRICS)[keyof typeof UNIT_METRICS], number>;
}

/** When a unit last published (any date): `state/published/org=<org>/<unit>.json`, overwritten by each publish. */
export const LastPublishedSchema = z.object({ v: z.literal(1), unit: z.string(), date: z.iso.date(), run: z.string(), at: z.iso.datetime({ offset: true }) });
export type LastPublished = z.infer<typeof LastPublishedSchema>;

export function lastPublishedKey(unit: Unit): string {
  return `${STATE_PREFIX}/published/org=${unit.org}/${unitSlug(unit)}.json`;
}

export async function writeLastPublished(state: BlobStore, unit: Unit, run: Run, at: Date): Promise<void> {
  await writeJson(state, lastPublishedKey(unit), { v: 1, unit: unitId(unit), date: run.date, run: run.id, at: at.toISOString() } satisfies LastPublished);
}

/** Units whose last publish is older than {@link FRESHNESS_HOURS} at `now`, or that never published, with their age. */
export async function staleUnits(state: BlobStore, units: readonly Unit[], now: Date): Promise<{ unit: string; lastPublished: string | null; hours: number | null }[]> {
  const out: { unit: string; lastPublished: string | null; hours: number | null }[] = [];
  for (let i = 0; i < units.length; i += 16) {
    const lasts = await Promise.all(units.slice(i, i + 16).map(async (u) => ({ u, last: await readJson(state, lastPublishedKey(u), LastPublishedSchema) })));
    for (const { u, last } of lasts) {
      const hours = last ? (now.getTime() - Date.parse(last.at)) / 3_600_000 : null;
      if (hours === null || hours > FRESHNESS_HOURS) out.push({ unit: unitId(u), lastPublished: last?.at ?? null, hours: hours === null ? null : Math.round(hours * 10) / 10 });
    }
  }
  return out;
}
