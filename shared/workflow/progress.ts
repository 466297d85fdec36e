import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { unitId, UnitSchema } from '../config.ts';
import { StatsSchema } from '../contract.ts';
import { describeError } from './finalize.ts';
import { STATE } from './names.ts';
import { CaughtErrorSchema, FinalizeOutputSchema, PlanOutputSchema, type FinalizeOutput, type PlanOutput } from './schemas.ts';

/**
 * What `npm run sync -- --wait` learns from an execution's history: the plan, each unit's progress after
 * every collect invocation, failed units, and finalize's summary. Everything is parsed with zod from the
 * state outputs; an event it does not understand is skipped, never fatal.
 */
export type ProgressEvent =
  | { kind: 'planned'; plan: PlanOutput }
  | { kind: 'invocation'; unit: string; done: boolean; invocations: number; rows: number; requests: number }
  | { kind: 'unitFailed'; unit: string; error: string; message: string }
  | { kind: 'finalized'; output: FinalizeOutput };

const CollectExitSchema = z.object({
  unit: UnitSchema,
  result: z.object({ done: z.boolean(), stats: StatsSchema }),
});
const FailedExitSchema = z.object({ status: z.literal('failed'), unit: UnitSchema, error: CaughtErrorSchema });

function json(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The progress an event reports, if any. */
export function progressOf(e: HistoryEvent): ProgressEvent | undefined {
  const exited = e.stateExitedEventDetails;
  if (!exited?.name) return undefined;
  const output = json(exited.output);
  switch (exited.name) {
    case STATE.plan: {
      const p = PlanOutputSchema.safeParse(output);
      return p.success ? { kind: 'planned', plan: p.data } : undefined;
    }
    case STATE.collect: {
      const c = CollectExitSchema.safeParse(output);
      if (!c.success) return undefined;
      const s = c.data.result.stats;
      return {
        kind: 'invocation',
        unit: unitId(c.data.unit),
        done: c.data.result.done,
        invocations: s.invocations,
        rows: Object.values(s.rows).reduce((a, b) => a + b, 0),
        requests: s.requests,
      };
    }
    case STATE.failed: {
      const f = FailedExitSchema.safeParse(output);
      if (!f.success) return undefined;
      const err = describeError(f.data.error);
      return { kind: 'unitFailed', unit: unitId(f.data.unit), error: err.name, message: err.message };
    }
    case STATE.finalize: {
      const o = FinalizeOutputSchema.safeParse(output);
      return o.success ? { kind: 'finalized', output: o.data } : undefined;
    }
    default:
      return undefined;
  }
}

const n = (x: number) => x.toLocaleString('en-US');

/** One line per progress event. */
export function formatProgress(p: ProgressEvent): string {
  switch (p.kind) {
    case 'planned':
      return `run ${p.plan.run.id} (snapshot ${p.plan.run.date}): ${p.plan.units.length} unit(s)`;
    case 'invocation':
      return `  ${p.unit}  invocation ${p.invocations}  ${n(p.rows)} rows  ${n(p.requests)} requests  ${p.done ? 'collected' : 'continuing…'}`;
    case 'unitFailed':
      return `  ${p.unit}  FAILED ${p.error}: ${p.message}`;
    case 'finalized':
      return formatSummary(p.output);
  }
}

/** The run summary printed at the end (from finalize's output, which mirrors the manifest). */
export function formatSummary(o: FinalizeOutput): string {
  const width = Math.max(4, ...o.units.map((u) => u.unit.length));
  const lines = [
    '',
    `${'unit'.padEnd(width)}  status     rows        invocations  error`,
    ...o.units.map(
      (u) => `${u.unit.padEnd(width)}  ${u.status.padEnd(9)}  ${n(u.rows).padStart(10)}  ${String(u.invocations).padStart(11)}  ${u.error ?? ''}`.trimEnd(),
    ),
    '',
    o.message,
  ];
  return lines.join('\n');
}
