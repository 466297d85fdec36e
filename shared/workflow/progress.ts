import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { STATE } from './names.ts';
import { RoundSchema, type Round } from './schemas.ts';

/**
 * What `npm run sync -- --wait` learns from the parent execution's history: the plan, each round of the
 * Distributed Map, and finalize's summary. (Per-unit progress lives in the child executions and in the unit
 * records under `state/units/`; the parent's history has counts only.) Everything is parsed with zod from the
 * state outputs; an event it does not understand is skipped, never fatal.
 */
export type ProgressEvent =
  | { kind: 'planned'; plan: Round }
  | { kind: 'round'; round: number; continued: number }
  | { kind: 'finalized'; output: FinalizeSummary };

/** What finalize leaves in the parent's state (`$.finalize`): counts, the manifest and a bounded message. */
export const FinalizeSummarySchema = z.object({
  status: z.enum(['succeeded', 'failed']),
  published: z.int(),
  failed: z.int(),
  skipped: z.int().default(0),
  manifestUri: z.string(),
  message: z.string(),
});
export type FinalizeSummary = z.infer<typeof FinalizeSummarySchema>;

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
      const p = RoundSchema.safeParse(output);
      return p.success ? { kind: 'planned', plan: p.data } : undefined;
    }
    case STATE.tally: {
      const t = RoundSchema.safeParse(output);
      return t.success ? { kind: 'round', round: t.data.round, continued: t.data.continued } : undefined;
    }
    case STATE.finalize: {
      const o = z.object({ finalize: FinalizeSummarySchema }).safeParse(output);
      return o.success ? { kind: 'finalized', output: o.data.finalize } : undefined;
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
      return `run ${p.plan.run.id} (snapshot ${p.plan.run.date}): ${n(p.plan.units)} unit(s) on ${n(p.plan.sites)} site(s)${p.plan.force ? ', forced' : ''}`;
    case 'round':
      return p.continued > 0 ? `  round done: ${n(p.continued)} site(s) continue in round ${p.round + 1}` : '  every site settled';
    case 'finalized':
      return formatSummary(p.output);
  }
}

/** The run summary printed at the end (from finalize's counts; the manifest has every unit). */
export function formatSummary(o: FinalizeSummary): string {
  return ['', `published ${n(o.published)}  failed ${n(o.failed)}  already published ${n(o.skipped)}`, o.message].join('\n');
}
