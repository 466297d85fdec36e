import type { PlanOutput } from '../../shared/workflow/schemas.ts';
import { planRun } from '../../shared/workflow/plan.ts';

/**
 * Plan Lambda: first state of the workflow. Gets the configured units (written into the state machine
 * at synth time), the execution's name and start time, and the execution input; returns the run and
 * the units to collect. No AWS access.
 */
export async function handler(event: unknown): Promise<PlanOutput> {
  return planRun(event);
}
